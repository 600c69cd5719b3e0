from django.urls import path

from . import views
from .plans import views as plan_views

app_name = "observatory"

urlpatterns = [
    path("observatoire/", views.observatoire_index, name="index"),
    path("territoires/<slug:slug>/observatoire/", views.observatoire, name="observatoire"),
    path(
        "territoires/<slug:slug>/observatoire/carte.geojson",
        views.observatoire_geojson,
        name="observatoire_geojson",
    ),
    path(
        "territoires/<slug:slug>/observatoire/contours.geojson",
        views.observatoire_contours,
        name="observatoire_contours",
    ),
    path(
        "territoires/<slug:slug>/observatoire/valeurs.json",
        views.observatoire_valeurs,
        name="observatoire_valeurs",
    ),
    path(
        "territoires/<slug:slug>/observatoire/<str:table>.csv",
        views.observatoire_csv,
        name="observatoire_csv",
    ),
    path(
        "communes/<str:code>/indicateurs.csv",
        views.commune_indicateurs_csv,
        name="commune_indicateurs_csv",
    ),
    path("territoires/<slug:slug>/planificateur/", plan_views.planificateur, name="planificateur"),
    path(
        "territoires/<slug:slug>/planificateur/resultat.csv",
        plan_views.planificateur,
        {"format": "csv"},
        name="planificateur_csv",
    ),
    path(
        "territoires/<slug:slug>/planificateur/resultat.geojson",
        plan_views.planificateur,
        {"format": "geojson"},
        name="planificateur_geojson",
    ),
]
