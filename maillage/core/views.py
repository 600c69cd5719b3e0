from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from maillage.territories.models import Commune, Epci
from maillage.territories.selectors import territoire_list


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    communes = Commune.objects.communes()
    return render(
        request,
        "core/home.html",
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
    return render(
        request,
        "core/accessibilite.html",
        {"title": "Accessibilité", "breadcrumb_data": {"current": "Accessibilité"}},
    )
