"""The management space's home, mounted at /espace/; each app's pages are in its own
`<app>/espace/urls.py` (`directory_espace`, `referrals_espace`, `observatory_espace`…)."""

from django.urls import path

from . import views

app_name = "espace"

urlpatterns = [
    path("", views.espace_home, name="home"),
]
