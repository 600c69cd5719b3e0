"""URLs of the management space, mounted at /espace/."""

from django.urls import path

from . import espace_views as views

app_name = "espace"

urlpatterns = [
    path("", views.espace_home, name="home"),
    path("structures/<int:pk>/", views.structure_edit, name="structure_edit"),
    path("lieux/<int:pk>/", views.lieu_edit, name="lieu_edit"),
    path("services/<int:pk>/", views.service_edit, name="service_edit"),
    path("signalements/<int:pk>/", views.signalement_detail, name="signalement_detail"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/relancer/", views.import_restart, name="import_restart"),
    path("imports/<int:pk>/progression.json", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/rapport.csv", views.import_report_csv, name="import_report_csv"),
]
