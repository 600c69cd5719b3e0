"""Column-mapping pages of the back-office (mounted under `espace/correspondances/`)."""

from django.urls import path

from . import mapping_views

app_name = "mappings"

urlpatterns = [
    path("", mapping_views.mapping_list, name="list"),
    path("<slug:slug>/", mapping_views.mapping_edit, name="edit"),
]
