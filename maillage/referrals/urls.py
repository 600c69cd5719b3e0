"""Public URLs of the mise en relation, mounted at /mise-en-relation/."""

from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("nouvelle/<int:service_id>/", views.referral_create_view, name="create"),
    path("suivi/<str:token>/", views.referral_follow_view, name="follow"),
]
