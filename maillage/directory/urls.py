from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("annuaire/", views.directory_search, name="search"),
    path("annuaire/lieux/<int:pk>/", views.lieu_detail, name="lieu_detail"),
    path(
        "annuaire/lieux/<int:pk>/signaler/",
        views.signalement_create_view,
        name="signalement_create",
    ),
    path("annuaire/structures/<int:pk>/", views.structure_detail, name="structure_detail"),
    path("opendata/lieux.<str:fmt>", views.opendata_lieux, name="opendata_lieux"),
]
