"""The structures' side of the mise en relation (/espace/mises-en-relation/): the list, the
case with its actions (the buttons come from the workflow's table), the statistics, and the
conseiller's home (« Mes dossiers »)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.models import User
from maillage.accounts.permissions import managed_structure_ids
from maillage.core import csv
from maillage.core.espace import espace_breadcrumb, espace_user
from maillage.directory.models import Categorie, Service

from .. import selectors as sel
from ..enums import ReferralAction, ReferralOutcome, ReferralStatus
from ..forms import ReferralActionForm, ReferralNoteForm
from ..selectors import ReferralAccess
from ..services import referral_note, referral_transition
from ..views import base_url, private


def adviser_home(request: HttpRequest) -> HttpResponse:
    """`/espace/` for a user whose only role is Conseiller: « Mes dossiers » (the cases they
    created for the people they help) and a new journey for someone. Called by the space's
    home view; everything else in the space stays forbidden to them."""
    user = espace_user(request)
    page = Paginator(sel.referrals_created_by(user), 20).get_page(request.GET.get("page"))
    return private(
        render(
            request,
            "referrals/espace/adviser_home.html",
            {
                "title": "Mon espace",
                "page_obj": page,
                "breadcrumb_data": {"current": "Mon espace"},
            },
        )
    )


def referral_list_view(request: HttpRequest) -> HttpResponse:
    user = espace_user(request)
    referrals = sel.referrals_for(user)
    stats = sel.can_read_referral_statistics(user)
    if not managed_structure_ids(user) and not referrals.exists() and not stats:
        raise PermissionDenied("Vous ne recevez pas de mises en relation.")
    status = request.GET.get("statut", "")
    if status in ReferralStatus.values:
        referrals = referrals.filter(status=status)
    else:
        status = ""
    page = Paginator(referrals.order_by("-created_at", "-pk"), 20).get_page(request.GET.get("page"))
    return private(
        render(
            request,
            "referrals/espace/list.html",
            {
                "title": "Mises en relation",
                "page_obj": page,
                "statuses": ReferralStatus.choices,
                "status": status,
                "extra": f"statut={status}&" if status else "",
                "can_read_stats": stats,
                "breadcrumb_data": espace_breadcrumb("Mises en relation"),
            },
        )
    )


def _post_note(request: HttpRequest, access: ReferralAccess, user: User) -> ReferralNoteForm:
    """Add an internal note; returns the form (bound, with its errors when it failed)."""
    form = ReferralNoteForm(request.POST)
    if form.is_valid():
        try:
            referral_note(referral=access.referral, user=user, message=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error("note", exc)
    return form


def _post_action(request: HttpRequest, access: ReferralAccess, user: User) -> ReferralActionForm:
    """Apply one of the structure's actions; returns the form (with its errors if any)."""
    if not access.can_act:
        raise PermissionDenied("Seule la structure qui reçoit la demande peut y répondre.")
    form = ReferralActionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        new_service = None
        if data["action"] == ReferralAction.REORIENT and data["service"]:
            new_service = Service.objects.filter(pk=data["service"]).first()
        try:
            referral_transition(
                referral=access.referral,
                action=data["action"],
                user=user,
                message=data["message"],
                outcome=data["outcome"] or "",
                new_service=new_service,
                base_url=base_url(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
    return form


def referral_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = espace_user(request)
    access = sel.access_referral(user, pk)
    action_form = ReferralActionForm()
    note_form = ReferralNoteForm()
    status = 200
    if request.method == "POST":
        if "note" in request.POST:
            note_form = _post_note(request, access, user)
            done, success = not note_form.errors, "Note ajoutée."
        else:
            action_form = _post_action(request, access, user)
            done, success = not action_form.errors, "Demande mise à jour."
        if done:
            messages.success(request, success)
            return redirect("referrals_espace:detail", pk=pk)
        status = 400
    referral = access.referral
    actions = access.actions
    reorient_q = request.GET.get("q", "").strip()[:100]
    reorient_categorie = request.GET.get("categorie", referral.categorie_id or "")
    reorient_services = []
    if ReferralAction.REORIENT in actions:
        reorient_services = list(
            sel.services_for_reorientation(
                referral=referral,
                q=reorient_q,
                categorie=reorient_categorie,
                commune_code=request.GET.get("commune", ""),
            )
        )
    context = {
        "title": f"Mise en relation n° {referral.pk}",
        "referral": referral,
        "access": access,
        "events": referral.events.select_related("author").order_by("created_at", "pk"),
        "action_form": action_form,
        "note_form": note_form,
        "actions": actions,
        "can_answer": bool(actions - {ReferralAction.REORIENT}),
        "reorient_services": reorient_services,
        "reorient_q": reorient_q,
        "reorient_categorie": reorient_categorie,
        "categories": Categorie.objects.order_by("libelle").values_list("code", "libelle"),
        "outcomes": ReferralOutcome.choices,
        "breadcrumb_data": espace_breadcrumb(
            f"Demande n° {referral.pk}", (reverse("referrals_espace:list"), "Mises en relation")
        ),
    }
    return private(render(request, "referrals/espace/detail.html", context, status=status))


def referral_statistics_view(request: HttpRequest, format: str = "") -> HttpResponse:
    """The territory's statistics as a page, or (`format="csv"`) as a spreadsheet with the
    same published cells: a hidden count stays hidden in the file."""
    user = espace_user(request)
    if not sel.can_read_referral_statistics(user):
        raise PermissionDenied("Les statistiques sont réservées aux administrateurs du territoire.")
    stats = sel.referral_statistics(user)
    if format == "csv":
        lines: list[list[object]] = [
            ["Ensemble", "Tout le territoire", *stats.overall, stats.total, stats.median_response]
        ]
        for table in stats.tables:
            lines += [
                [
                    table.title.removeprefix("Par "),
                    row.label,
                    *row.cells,
                    row.total,
                    row.median_response,
                ]
                for row in table.rows
            ]
        return csv.csv_response(
            csv.filename(
                "mises-en-relation", "statistiques", timezone.localdate(), extension="csv"
            ),
            ["tableau", "libelle", *stats.columns, "total", "delai_median_reponse"],
            ([str(value) for value in line] for line in lines),
        )
    return render(
        request,
        "referrals/espace/statistics.html",
        {
            "title": "Statistiques des mises en relation",
            "stats": stats,
            "breadcrumb_data": espace_breadcrumb(
                "Statistiques", (reverse("referrals_espace:list"), "Mises en relation")
            ),
        },
    )
