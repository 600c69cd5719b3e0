"""Observatory pages of the management space, mounted at /espace/indicateurs/."""

from django.urls import path

from . import views

app_name = "observatory_espace"

urlpatterns = [
    path("", views.indicateurs, name="indicateurs"),
]
