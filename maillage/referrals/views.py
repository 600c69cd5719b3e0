"""The public pages of the mise en relation: the request (`/mise-en-relation/nouvelle/…`) and
the person's follow-up page, reached only with their private link. The structure's side is
in `espace/`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from maillage.accounts.enums import Role
from maillage.accounts.models import User
from maillage.accounts.permissions import has_role
from maillage.core.antispam import automation_refusal, form_started_now, rate_limited
from maillage.directory.models import Service
from maillage.orientation.engine import OrientationError, need_categories
from maillage.orientation.journey import journey_understood, state_get
from maillage.territories.models import Commune

from .enums import ReferralAction, ReferralOutcome
from .forms import PersonActionForm, ReferralForm, consent_text, resolve_commune
from .selectors import referral_by_token, referral_chain, referral_submitted
from .services import referral_category, referral_create, referral_transition
from .tokens import submission_key_new
from .workflow import Actor, allowed_actions


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")[:-1]


def private(response: HttpResponse) -> HttpResponse:
    """Pages that carry a private link or personal data: not stored, not indexed, and the
    link does not leak to other sites through the Referer header (`same-origin`, not
    `no-referrer`: with the latter, browsers send `Origin: null` and the CSRF check fails)."""
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "same-origin"
    return response


# Public: the request.


def _understood_codes(request: HttpRequest, *, besoin: str, profil: str) -> list[str]:
    """The categories understood in the need, best first: the journey's own understanding
    when it was about this need and profile, else the engine's (run once here)."""
    if not besoin.strip():
        return []
    understood = journey_understood(request.session, besoin=besoin, profil=profil)
    if understood is not None:
        return [c.code for c in understood.categories]
    try:
        return [c.code for c in need_categories(besoin=besoin, profil=profil)]
    except OrientationError:
        return []


@login_not_required
@never_cache
def referral_create_view(request: HttpRequest, service_id: int) -> HttpResponse:
    service = get_object_or_404(Service.objects.select_related("structure"), pk=service_id)
    journey = state_get(request.session)
    commune = resolve_commune(journey["commune"]) if journey["commune"] else None
    besoin = journey["besoin"].strip()[:2000]
    for_someone = journey["pour_compte_de_tiers"] or (
        request.user.is_authenticated and has_role(request.user, Role.ADVISER)
    )
    kwargs = {"ask_context": not (commune and besoin), "for_someone": for_someone}
    if request.method != "POST":
        form = ReferralForm(
            initial={"cle": submission_key_new(), "started": form_started_now()}, **kwargs
        )
        return _form_page(request, service, form, besoin, commune)
    form = ReferralForm(request.POST, **kwargs)
    if not form.is_valid():
        return _form_page(request, service, form, besoin, commune, status=400)
    data = form.cleaned_data
    refusal = automation_refusal(form, min_seconds=settings.MAILLAGE_REFERRAL_MIN_SECONDS)
    if refusal:
        form.add_error(None, refusal)
        return _form_page(request, service, form, besoin, commune, status=400)
    if not referral_submitted(data["cle"]) and rate_limited(
        request, scope="referral", per_hour=settings.MAILLAGE_REFERRAL_PER_HOUR
    ):
        form.add_error(
            None,
            "Vous avez envoyé beaucoup de demandes en peu de temps : réessayez dans une heure, "
            "ou contactez directement la structure.",
        )
        return _form_page(request, service, form, besoin, commune, status=429)
    profil = data.get("profil") or journey["profil"]
    besoin = data.get("besoin") or besoin
    categorie = referral_category(
        service=service,
        ticked=[str(c) for c in journey["categories"]],
        understood=_understood_codes(request, besoin=besoin, profil=profil),
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
            besoin=besoin,
            profil=profil,
            categorie_code=categorie,
            pour_compte_de_tiers=for_someone,
            created_by=user if for_someone else None,
            base_url=base_url(request),
        )
    except ValidationError as exc:
        if getattr(exc, "code", None) == "form_expired":
            # What they typed stays; the next send carries a key this site has just signed.
            renewed = request.POST.copy()
            renewed["cle"] = submission_key_new()
            form.data = renewed
        form.add_error(None, exc)
        return _form_page(request, service, form, besoin, commune, status=400)
    follow_url = request.build_absolute_uri(reverse("referrals:follow", args=[result.token]))
    context = _done_context(service)
    context.update(
        referral=result.referral, follow_url=follow_url, emailed=bool(result.referral.courriel)
    )
    return private(render(request, "referrals/done.html", context))


def _done_context(service: Service) -> dict[str, Any]:
    return {"title": "Demande envoyée", "service": service}


def _form_page(
    request: HttpRequest,
    service: Service,
    form: ReferralForm,
    besoin: str,
    commune: Commune | None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "referrals/form.html",
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

PERSON_MESSAGES = {
    ReferralAction.CLOSE: "La personne a indiqué que sa demande est résolue.",
    ReferralAction.CANCEL: "La personne a annulé sa demande.",
}


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
                    message=PERSON_MESSAGES[action],
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, "C’est noté : votre demande est mise à jour.")
        return redirect(request.path)
    history = [
        (item, list(item.events.filter(public=True).order_by("created_at", "pk"))) for item in chain
    ]
    actions = allowed_actions(current.status, Actor.PERSON)
    return private(
        render(
            request,
            "referrals/follow.html",
            {
                "title": "Suivi de votre demande",
                "referral": referral,
                "current": current,
                "history": history,
                "can_cancel": ReferralAction.CANCEL in actions,
                "can_close": ReferralAction.CLOSE in actions,
                "breadcrumb_data": {"current": "Suivi de votre demande"},
            },
        )
    )
