from django.urls import path

from . import views

app_name = "territories"

urlpatterns = [
    path("territoires/<slug:slug>/", views.territoire_detail, name="territoire_detail"),
    path("communes/", views.commune_search, name="commune_search"),
    path("communes/<str:code>/", views.commune_detail, name="commune_detail"),
]
