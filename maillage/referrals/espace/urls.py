"""The structures' side of the mise en relation, mounted at /espace/mises-en-relation/."""

from django.urls import path

from . import views

app_name = "referrals_espace"

urlpatterns = [
    path("", views.referral_list_view, name="list"),
    path("statistiques/", views.referral_statistics_view, name="statistics"),
    path(
        "statistiques.csv",
        views.referral_statistics_view,
        {"format": "csv"},
        name="statistics_csv",
    ),
    path("<int:pk>/", views.referral_detail_view, name="detail"),
]
