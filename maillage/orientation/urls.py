from django.urls import path

from . import views

app_name = "orientation"

urlpatterns = [
    path("", views.step_profil, name="profil"),
    path("commune/", views.step_commune, name="commune"),
    path("besoin/", views.step_besoin, name="besoin"),
    path("contraintes/", views.step_contraintes, name="contraintes"),
    path("resultats/", views.step_resultats, name="resultats"),
    path("fiche/", views.step_fiche, name="fiche"),
    path("recommencer/", views.restart, name="restart"),
]
