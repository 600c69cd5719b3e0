"""The project's URLs plus the column-mapping pages, mounted where config/urls.py will."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("espace/correspondances/", include("maillage.directory.mapping_urls")),
    *project_urlpatterns,
]
