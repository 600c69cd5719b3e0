"""The directory's pages of the management space, mounted at /espace/ (namespace
`directory_espace`); the space's home is `espace:home` (`maillage.espace`)."""

from django.urls import path

from . import mapping_views, views

app_name = "directory_espace"

urlpatterns = [
    path("structures/<int:pk>/", views.structure_edit, name="structure_edit"),
    path("lieux/<int:pk>/", views.lieu_edit, name="lieu_edit"),
    path("services/<int:pk>/", views.service_edit, name="service_edit"),
    path("signalements/<int:pk>/", views.signalement_detail, name="signalement_detail"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/relancer/", views.import_restart, name="import_restart"),
    path("imports/<int:pk>/progression.json", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/rapport.csv", views.import_report_csv, name="import_report_csv"),
    path("correspondances/", mapping_views.mapping_list, name="mapping_list"),
    path("correspondances/<slug:slug>/", mapping_views.mapping_edit, name="mapping_edit"),
]
