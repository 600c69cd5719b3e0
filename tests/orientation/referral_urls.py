"""The project's URLs plus a stand-in for the mise en relation page, to test the button."""

from django.http import HttpResponse
from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns


def _create(request, pk):  # pragma: no cover - only reversed
    return HttpResponse()


urlpatterns = [
    path(
        "mise-en-relation/",
        include(([path("<int:pk>/", _create, name="create")], "referrals")),
    ),
    *project_urlpatterns,
]
