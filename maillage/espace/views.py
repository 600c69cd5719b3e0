"""The management space's home (/espace/): what the signed-in person has to do, app by app.

A curator (administrator) or a structure manager sees the directory's part (their
structures, lieux, services, open reports, the last imports) and the referrals waiting; a
conseiller whose only role is to orient people gets their own home (« Mes dossiers »);
anyone else learns how to be given a role.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from maillage.accounts.enums import Role
from maillage.accounts.permissions import can_use_espace, has_role
from maillage.directory.espace.selectors import espace_summary
from maillage.referrals.espace.views import adviser_home
from maillage.referrals.selectors import referral_count_new


def espace_home(request: HttpRequest) -> HttpResponse:
    if not can_use_espace(request.user):
        if has_role(request.user, Role.ADVISER):
            # A conseiller's home: the cases they created, and a new journey for someone.
            return adviser_home(request)
        return no_role(request)
    directory = espace_summary(
        request.user,
        q=request.GET.get("q", "").strip()[:100],
        page=request.GET.get("page"),
        page_signalements=request.GET.get("page_signalements"),
    )
    return render(
        request,
        "espace/home.html",
        {
            "title": "Mon espace",
            **directory,
            "referrals_new": referral_count_new(request.user),
            "breadcrumb_data": {"current": "Mon espace"},
        },
    )


def no_role(request: HttpRequest) -> HttpResponse:
    """A signed-in person with no role in the space: how to be given one."""
    return render(
        request,
        "espace/no_role.html",
        {"title": "Mon espace", "breadcrumb_data": {"current": "Mon espace"}},
        status=403,
    )
