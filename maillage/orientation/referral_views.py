"""Mise en relation pages: the public request and follow-up, the structure's space."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from maillage.accounts.enums import Role
from maillage.accounts.models import User
from maillage.accounts.permissions import has_role, managed_structure_ids
from maillage.core.antispam import form_started_now, looks_automated, rate_limited
from maillage.core.espace import espace_breadcrumb, espace_user
from maillage.directory.models import Categorie, Service
from maillage.observatory import downloads

from . import referral_selectors as sel
from .enums import ReferralAction, ReferralOutcome, ReferralStatus
from .referral_forms import (
    PersonActionForm,
    ReferralActionForm,
    ReferralForm,
    ReferralNoteForm,
    consent_text,
    resolve_commune,
)
from .referrals import (
    OPEN_STATUSES,
    referral_by_token,
    referral_category,
    referral_chain,
    referral_create,
    referral_note,
    referral_submitted,
    referral_transition,
    submission_key_new,
)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")[:-1]


def _private(response: HttpResponse) -> HttpResponse:
    """Pages that carry a private link or personal data: not stored, not indexed, and the
    link does not leak to other sites through the Referer header (`same-origin`, not
    `no-referrer`: with the latter, browsers send `Origin: null` and the CSRF check fails)."""
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "same-origin"
    return response


# Public: the request.


def _journey(request: HttpRequest) -> dict[str, Any]:
    """The guided journey's answers (`request.session["orientation"]`), when present."""
    data = request.session.get("orientation")
    return data if isinstance(data, dict) else {}


@login_not_required
@never_cache
def referral_create_view(request: HttpRequest, service_id: int) -> HttpResponse:
    service = get_object_or_404(Service.objects.select_related("structure"), pk=service_id)
    journey = _journey(request)
    commune = resolve_commune(str(journey.get("commune") or "")) if journey.get("commune") else None
    besoin = str(journey.get("besoin") or "").strip()[:2000]
    ask_context = not (commune and besoin)
    for_someone = bool(journey.get("pour_compte_de_tiers")) or (
        request.user.is_authenticated and has_role(request.user, Role.ADVISER)
    )
    kwargs = {"ask_context": ask_context, "for_someone": for_someone}
    if request.method != "POST":
        form = ReferralForm(
            initial={"cle": submission_key_new(), "started": form_started_now()}, **kwargs
        )
        return _form_page(request, service, form, journey, besoin, commune)
    form = ReferralForm(request.POST, **kwargs)
    if not form.is_valid():
        return _form_page(request, service, form, journey, besoin, commune, status=400)
    data = form.cleaned_data
    if looks_automated(data, min_seconds=settings.MAILLAGE_REFERRAL_MIN_SECONDS):
        # Looks automated: answer as if accepted, record nothing.
        return _private(
            render(
                request,
                "orientation/referral_done.html",
                {"title": "Demande envoyée", "service": service},
            )
        )
    if not referral_submitted(data["cle"]) and rate_limited(
        request, scope="referral", per_hour=settings.MAILLAGE_REFERRAL_PER_HOUR
    ):
        form.add_error(
            None,
            "Vous avez envoyé beaucoup de demandes en peu de temps : réessayez dans une heure, "
            "ou contactez directement la structure.",
        )
        return _form_page(request, service, form, journey, besoin, commune, status=429)
    profil = data.get("profil") or str(journey.get("profil") or "")
    categorie = referral_category(
        service=service,
        ticked=[str(c) for c in journey.get("categories") or []],
        besoin=data.get("besoin") or besoin,
        profil=profil,
    )
    user = request.user if isinstance(request.user, User) else None
    try:
        result = referral_create(
            service=service,
            commune=data.get("commune") or commune,
            submission_key=data["cle"],
            contact_prefere=data["contact_prefere"],
            nom=data["nom"],
            courriel=data["courriel"],
            telephone=data["telephone"],
            besoin=data.get("besoin") or besoin,
            profil=profil,
            categorie_code=categorie,
            pour_compte_de_tiers=for_someone,
            created_by=user if for_someone else None,
            base_url=_base_url(request),
        )
    except ValidationError as exc:
        if getattr(exc, "code", None) == "form_expired":
            # What they typed stays; the next send carries a key this site has just signed.
            renewed = request.POST.copy()
            renewed["cle"] = submission_key_new()
            form.data = renewed
        form.add_error(None, exc)
        return _form_page(request, service, form, journey, besoin, commune, status=400)
    follow_url = request.build_absolute_uri(reverse("referrals:follow", args=[result.token]))
    return _private(
        render(
            request,
            "orientation/referral_done.html",
            {
                "title": "Demande envoyée",
                "service": service,
                "referral": result.referral,
                "follow_url": follow_url,
                "emailed": bool(result.referral.courriel),
            },
        )
    )


def _form_page(
    request: HttpRequest,
    service: Service,
    form: ReferralForm,
    journey: dict[str, Any],
    besoin: str,
    commune: Any,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "orientation/referral_form.html",
        {
            "title": f"Être mis en relation — {service.nom}",
            "service": service,
            "form": form,
            "besoin": besoin,
            "commune": commune,
            "consent_text": consent_text(service.structure.nom),
            "retention_days": settings.MAILLAGE_REFERRAL_RETENTION_DAYS,
            "breadcrumb_data": {
                "links": [
                    {"url": reverse("directory:search"), "title": "Annuaire"},
                    {
                        "url": reverse("directory:structure_detail", args=[service.structure_id]),
                        "title": service.structure.nom,
                    },
                ],
                "current": "Être mis en relation",
            },
        },
        status=status,
    )


# Public: the follow-up page, reached only with the private link.


@login_not_required
@never_cache
def referral_follow_view(request: HttpRequest, token: str) -> HttpResponse:
    referral = referral_by_token(token)
    if referral is None:
        raise Http404("Page introuvable.")
    chain = referral_chain(referral)
    current = chain[-1]
    if request.method == "POST":
        form = PersonActionForm(request.POST)
        if form.is_valid():
            action = form.cleaned_data["action"]
            try:
                referral_transition(
                    referral=current,
                    action=action,
                    outcome=ReferralOutcome.RESOLUE if action == ReferralAction.CLOSE else "",
                    message=(
                        "La personne a indiqué que sa demande est résolue."
                        if action == ReferralAction.CLOSE
                        else "La personne a annulé sa demande."
                    ),
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, "C’est noté : votre demande est mise à jour.")
        return redirect(request.path)
    history = [
        (item, list(item.events.filter(public=True).order_by("created_at", "pk"))) for item in chain
    ]
    return _private(
        render(
            request,
            "orientation/referral_follow.html",
            {
                "title": "Suivi de votre demande",
                "referral": referral,
                "current": current,
                "history": history,
                "can_cancel": current.status in OPEN_STATUSES,
                "can_close": current.status in {ReferralStatus.ACCEPTEE, ReferralStatus.EN_COURS},
                "breadcrumb_data": {"current": "Suivi de votre demande"},
            },
        )
    )


# The structure's space.


def adviser_home(request: HttpRequest) -> HttpResponse:
    """`/espace/` for a user whose only role is Conseiller: « Mes dossiers » (the cases they
    created for the people they help) and a new journey for someone. Called by the space's
    home view; everything else in the space stays forbidden to them."""
    user = espace_user(request)
    cases = sel.referrals_created_by(user)
    page = Paginator(cases, 20).get_page(request.GET.get("page"))
    return _private(
        render(
            request,
            "orientation/espace/adviser_home.html",
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
    return _private(
        render(
            request,
            "orientation/espace/referral_list.html",
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


def referral_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = espace_user(request)
    access = sel.access_referral(user, pk)
    referral = access.referral
    action_form = ReferralActionForm()
    note_form = ReferralNoteForm()
    status = 200
    if request.method == "POST":
        if "note" in request.POST:
            note_form = ReferralNoteForm(request.POST)
            if note_form.is_valid():
                try:
                    referral_note(
                        referral=referral, user=user, message=note_form.cleaned_data["note"]
                    )
                except ValidationError as exc:
                    note_form.add_error("note", exc)
                else:
                    messages.success(request, "Note ajoutée.")
                    return redirect("referrals_espace:detail", pk=pk)
        else:
            if not access.can_act:
                raise PermissionDenied("Seule la structure qui reçoit la demande peut y répondre.")
            action_form = ReferralActionForm(request.POST)
            if action_form.is_valid():
                data = action_form.cleaned_data
                new_service = None
                if data["action"] == ReferralAction.REORIENT and data["service"]:
                    new_service = Service.objects.filter(pk=data["service"]).first()
                try:
                    referral_transition(
                        referral=referral,
                        action=data["action"],
                        user=user,
                        message=data["message"],
                        outcome=data["outcome"] or "",
                        new_service=new_service,
                        base_url=_base_url(request),
                    )
                except ValidationError as exc:
                    action_form.add_error(None, exc)
                else:
                    messages.success(request, "Demande mise à jour.")
                    return redirect("referrals_espace:detail", pk=pk)
        status = 400
    reorient_q = request.GET.get("q", "").strip()[:100]
    reorient_categorie = request.GET.get("categorie", referral.categorie_id or "")
    reorient_services = []
    if access.can_act and referral.status in {ReferralStatus.NOUVELLE, ReferralStatus.REFUSEE}:
        reorient_services = list(
            sel.services_for_reorientation(
                referral=referral,
                q=reorient_q,
                categorie=reorient_categorie,
                commune_code=request.GET.get("commune", ""),
            )
        )
    S = ReferralStatus
    return _private(
        render(
            request,
            "orientation/espace/referral_detail.html",
            {
                "title": f"Mise en relation n° {referral.pk}",
                "referral": referral,
                "access": access,
                "events": referral.events.select_related("author").order_by("created_at", "pk"),
                "action_form": action_form,
                "note_form": note_form,
                "can_accept": access.can_act and referral.status == S.NOUVELLE,
                "can_refuse": access.can_act and referral.status in {S.NOUVELLE, S.ACCEPTEE},
                "can_start": access.can_act and referral.status == S.ACCEPTEE,
                "can_close": access.can_act and referral.status in {S.ACCEPTEE, S.EN_COURS},
                "can_reorient": access.can_act and referral.status in {S.NOUVELLE, S.REFUSEE},
                "reorient_services": reorient_services,
                "reorient_q": reorient_q,
                "reorient_categorie": reorient_categorie,
                "categories": Categorie.objects.order_by("libelle").values_list("code", "libelle"),
                "outcomes": ReferralOutcome.choices,
                "breadcrumb_data": espace_breadcrumb(
                    f"Demande n° {referral.pk}",
                    (reverse("referrals_espace:list"), "Mises en relation"),
                ),
            },
            status=status,
        )
    )


def referral_statistics_view(request: HttpRequest, format: str = "") -> HttpResponse:
    """The territory's statistics as a page, or (`format="csv"`) as a spreadsheet with the
    same published cells: a hidden count stays hidden in the file."""
    user = espace_user(request)
    if not sel.can_read_referral_statistics(user):
        raise PermissionDenied("Les statistiques sont réservées aux administrateurs du territoire.")
    if format == "csv":
        stats: dict[str, Any] = sel.referral_statistics(user)
        lines: list[list[object]] = [
            [
                "Ensemble",
                "Tout le territoire",
                *stats["overall"],
                stats["total"],
                stats["median_response"],
            ]
        ]
        for table in stats["tables"]:
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
        return downloads.csv_response(
            downloads.filename(
                "mises-en-relation", "statistiques", timezone.localdate(), extension="csv"
            ),
            ["tableau", "libelle", *stats["columns"], "total", "delai_median_reponse"],
            ([str(value) for value in line] for line in lines),
        )
    return render(
        request,
        "orientation/espace/referral_stats.html",
        {
            "title": "Statistiques des mises en relation",
            "stats": sel.referral_statistics(user),
            "breadcrumb_data": espace_breadcrumb(
                "Statistiques", (reverse("referrals_espace:list"), "Mises en relation")
            ),
        },
    )
