"""The public home page (territories and key figures) and the static pages of the site."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from maillage.territories.models import Commune, Epci
from maillage.territories.selectors import territoire_list


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    """The territories and the key figures of the reference data."""
    communes = Commune.objects.communes()
    return render(
        request,
        "site/home.html",
        {
            "territoires": territoire_list(),
            "reference": {
                "communes": communes.count(),
                "epci": Epci.objects.count(),
                "population": communes.aggregate(total=Sum("population"))["total"] or 0,
            },
        },
    )


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement."""
    return render(
        request,
        "site/accessibilite.html",
        {"title": "Accessibilité", "breadcrumb_data": {"current": "Accessibilité"}},
    )
