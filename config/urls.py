from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from config.api import api


def _public(patterns: list) -> list:
    """Opt every API view out of LoginRequiredMiddleware; the API authorizes per endpoint."""
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            _public(pattern.url_patterns)
        else:
            pattern.callback = login_not_required(pattern.callback)
    return patterns


api_patterns, api_app_name, api_namespace = api.urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include((_public(api_patterns), api_app_name), namespace=api_namespace)),
    path("comptes/", include("maillage.accounts.urls")),
    path("mise-en-relation/", include("maillage.referrals.urls")),
    path("espace/mises-en-relation/", include("maillage.referrals.espace.urls")),
    path("espace/indicateurs/", include("maillage.observatory.espace.urls")),
    path("espace/", include("maillage.espace.urls")),
    path("espace/", include("maillage.directory.espace.urls")),
    path("orientation/", include("maillage.orientation.urls")),
    path("", include("maillage.observatory.urls")),
    path("", include("maillage.territories.urls")),
    path("", include("maillage.directory.urls")),
    path("", include("maillage.site.urls")),
]

admin.site.site_header = "Administration de Maillage"
admin.site.site_title = "Maillage"
admin.site.index_title = "Back-office"
