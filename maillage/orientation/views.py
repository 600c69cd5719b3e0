"""The guided orientation journey (/orientation/): six pages, each a plain POST form that
works without JavaScript; the state lives in the session (see `journey.py`), never in URLs.
The answer comes from `engine.orientation_answer`, as for the API and the command; the
understanding from the journey's state (`journey.journey_understanding`), computed once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from maillage.accounts.enums import Role
from maillage.accounts.permissions import has_role
from maillage.territories.models import Commune

from .answer import CategorieOut, OrientationOut, SignalOut
from .engine import OrientationError, orientation_answer
from .enums import DemandChannel, Profil
from .forms import (
    MODALITES,
    PROFILS,
    PROFILS_ACCOMPAGNES,
    BesoinForm,
    CommuneForm,
    ContraintesForm,
    ProfilForm,
)
from .journey import (
    SESSION_KEY,
    STEPS,
    STEPS_TIERS,
    first_missing_step,
    journey_understanding,
    state_get,
    state_update,
    taxonomy,
)
from .selectors import fiche_contacts
from .services import record_demand

STEP_NUMBERS = {name: index for index, (name, _) in enumerate(STEPS, start=1)}


def _step_context(request: HttpRequest, name: str, **extra: Any) -> dict[str, Any]:
    number = STEP_NUMBERS[name]
    state = state_get(request.session)
    heading = STEPS[number - 1][1]
    if state["pour_compte_de_tiers"]:
        heading = STEPS_TIERS.get(name, heading)
    return {
        "title": f"{heading} — Étape {number} sur {len(STEPS)} — Trouver de l'aide",
        "step": {
            "name": name,
            "number": number,
            "total": len(STEPS),
            "heading": heading,
            "next": STEPS[number][1] if number < len(STEPS) else "",
            "previous": (reverse(f"orientation:{STEPS[number - 2][0]}") if number > 1 else ""),
        },
        "tiers": state["pour_compte_de_tiers"],
        "breadcrumb_data": {"current": "Trouver de l'aide près de chez moi"},
        **extra,
    }


def _missing_before(request: HttpRequest, name: str) -> HttpResponse | None:
    """Send the person back to the first unanswered step before this one."""
    missing = first_missing_step(state_get(request.session))
    if missing is not None and STEP_NUMBERS[missing] < STEP_NUMBERS[name]:
        return redirect(f"orientation:{missing}")
    return None


@login_not_required
@require_http_methods(["GET", "POST"])
def step_profil(request: HttpRequest) -> HttpResponse:
    state = state_get(request.session)
    if request.method == "POST":
        form = ProfilForm(request.POST)
        if form.is_valid():
            state_update(
                request.session,
                profil=form.engine_profil,
                pour_compte_de_tiers=form.cleaned_data["profil"] == Profil.PROFESSIONNEL,
                resultats=[],
            )
            return redirect("orientation:commune")
    else:
        initial = {}
        if state["pour_compte_de_tiers"]:
            initial = {"profil": Profil.PROFESSIONNEL, "profil_accompagne": state["profil"]}
        elif state["profil"]:
            initial = {"profil": state["profil"]}
        elif has_role(request.user, Role.ADVISER):
            # A logged-in conseiller usually acts for someone.
            initial = {"profil": Profil.PROFESSIONNEL}
        form = ProfilForm(initial=initial)
    return render(
        request,
        "orientation/step_profil.html",
        _step_context(
            request,
            "profil",
            form=form,
            profils=_choices(form, "profil", PROFILS),
            profils_accompagnes=_choices(form, "profil_accompagne", PROFILS_ACCOMPAGNES),
        ),
    )


def _choices(form: ProfilForm, name: str, rows: list[tuple[str, str, str]]) -> list[dict]:
    value = form[name].value()
    return [
        {"value": code, "label": label, "hint": hint, "checked": value == code}
        for code, label, hint in rows
    ]


@login_not_required
@require_http_methods(["GET", "POST"])
def step_commune(request: HttpRequest) -> HttpResponse:
    if (back := _missing_before(request, "commune")) is not None:
        return back
    if request.method == "POST":
        form = CommuneForm(request.POST)
        if form.is_valid() and "resolved" in form.cleaned_data:
            state_update(request.session, commune=form.cleaned_data["resolved"].code, resultats=[])
            return redirect("orientation:besoin")
    else:
        code = state_get(request.session)["commune"]
        commune = Commune.objects.filter(code=code).only("code", "nom").first() if code else None
        form = CommuneForm(
            initial={"commune": f"{commune.nom} ({commune.code})"} if commune else {}
        )
    return render(
        request, "orientation/step_commune.html", _step_context(request, "commune", form=form)
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def step_besoin(request: HttpRequest) -> HttpResponse:
    if (back := _missing_before(request, "besoin")) is not None:
        return back
    families = taxonomy()
    state = state_get(request.session)
    if request.method == "POST":
        form = BesoinForm(request.POST, taxonomy=families, tiers=state["pour_compte_de_tiers"])
        if form.is_valid():
            state_update(
                request.session,
                besoin=form.cleaned_data["besoin"],
                categories=form.cleaned_data["categories"],
                resultats=[],
            )
            return redirect("orientation:contraintes")
    else:
        form = BesoinForm(
            initial={"besoin": state["besoin"], "categories": state["categories"]},
            taxonomy=families,
            tiers=state["pour_compte_de_tiers"],
        )
    ticked = set(form["categories"].value() or [])
    groups = [
        {
            **family,
            "categories": [{**c, "checked": c["code"] in ticked} for c in family["categories"]],
        }
        for family in families
    ]
    return render(
        request,
        "orientation/step_besoin.html",
        _step_context(request, "besoin", form=form, groups=groups, profil=state["profil"]),
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def step_contraintes(request: HttpRequest) -> HttpResponse:
    if (back := _missing_before(request, "contraintes")) is not None:
        return back
    state = state_get(request.session)
    tiers = state["pour_compte_de_tiers"]
    if request.method == "POST":
        form = ContraintesForm(request.POST, tiers=tiers)
        if form.is_valid():
            state_update(request.session, contraintes=form.contraintes(), resultats=[])
            return redirect("orientation:resultats")
    else:
        saved = state["contraintes"]
        initial = {**saved, "rayon_km": str(int(saved["rayon_km"]))} if saved else {}
        form = ContraintesForm(initial=initial, tiers=tiers)
    return render(
        request,
        "orientation/step_contraintes.html",
        _step_context(request, "contraintes", form=form),
    )


@dataclass(frozen=True)
class CategoryView:
    """An understood category as the results page and the fiche show it."""

    code: str
    libelle: str
    pourcentage: int
    pourquoi: list[str]


def _category_views(categories: list[CategorieOut]) -> list[CategoryView]:
    return [
        CategoryView(c.code, c.libelle, round(100 * c.score), _pourquoi(c.explication))
        for c in categories
    ]


def _answer(
    request: HttpRequest, *, count_demand: bool = False
) -> tuple[OrientationOut | None, str]:
    """The engine's answer for the journey's state, or None and the French message; the
    understanding is the journey's (computed once per set of answers). With
    `count_demand` (the results page), the demand is counted for the observatory."""
    state = state_get(request.session)
    try:
        answer = orientation_answer(
            besoin=state["besoin"],
            profil=state["profil"],
            commune=state["commune"],
            contraintes=state["contraintes"],
            categories=state["categories"],
            understood=journey_understanding(request.session),
        )
    except OrientationError as exc:
        return None, exc.message
    ids = [item.service.id for item in answer.resultats]
    if ids != state["resultats"]:
        state_update(request.session, resultats=ids)
    if count_demand:
        _count_demand_once(request, state, answer)
    return answer, ""


def _count_demand_once(request: HttpRequest, state: dict[str, Any], answer: OrientationOut) -> None:
    """Count the journey's demand (anonymous daily counter, channel « web ») when its results
    are first computed: a reload of the results, the fiche or a change of radius or
    constraints count nothing more; only a different commune, profile or understood
    category is a new demand."""
    top = answer.categorie_principale or ""
    counted = f"{answer.commune.code}|{answer.profil}|{top}"
    if not top or state["demande"] == counted:
        return
    record_demand(
        categorie=top,
        commune_code=answer.commune.code,
        profil=answer.profil,
        channel=DemandChannel.WEB,
    )
    state_update(request.session, demande=counted)


def _pourquoi(signals: list[SignalOut]) -> list[str]:
    """The engine's explanation of a category, in plain French."""
    reasons: list[str] = []
    for signal in signals:
        mot, terme, maniere = signal.mot, signal.terme, signal.maniere
        if maniere == "choisie":
            reasons.append("catégorie cochée dans la liste")
        elif maniere == "profil":
            reasons.append(
                "le profil choisi oriente vers ce thème"
                if signal.points > 1
                else "le profil choisi oriente plutôt vers d'autres thèmes"
            )
        elif maniere == "expression":
            reasons.append(f"l'expression « {terme} »")
        elif maniere == "faute corrigée":
            reasons.append(f"« {mot} », lu comme « {terme} »")
        elif terme and terme != mot:
            reasons.append(f"« {mot} » (comme « {terme} »)")
        else:
            reasons.append(f"« {mot} »")
    return list(dict.fromkeys(reasons))[:6]


def _edit_links() -> list[dict[str, str]]:
    return [
        {"url": reverse(f"orientation:{name}"), "label": heading} for name, heading in STEPS[:4]
    ]


@login_not_required
@require_http_methods(["GET"])
def step_resultats(request: HttpRequest) -> HttpResponse:
    if (back := _missing_before(request, "resultats")) is not None:
        return back
    answer, error = _answer(request, count_demand=True)
    markers = [
        {
            "numero": index,
            "nom": item.service.nom,
            "lieu": item.lieu.nom,
            "lat": item.lieu.latitude,
            "lon": item.lieu.longitude,
            "cible": f"resultat-{index}",
        }
        for index, item in enumerate(answer.resultats if answer else [], start=1)
        if item.lieu
    ]
    state = state_get(request.session)
    return render(
        request,
        "orientation/step_resultats.html",
        _step_context(
            request,
            "resultats",
            answer=answer,
            retenues=_category_views(answer.categories_retenues) if answer else [],
            autres=_category_views(answer.autres_categories) if answer else [],
            error=error,
            markers=markers,
            edit_links=_edit_links(),
            besoin=state["besoin"],
            modalite_label=_modalite_label(answer),
        ),
    )


def _modalite_label(answer: OrientationOut | None) -> str:
    modalite = answer.contraintes.modalite if answer else ""
    return dict(MODALITES).get(modalite, "").lower() if modalite else ""


@login_not_required
@require_http_methods(["GET"])
def step_fiche(request: HttpRequest) -> HttpResponse:
    if (back := _missing_before(request, "fiche")) is not None:
        return back
    answer, error = _answer(request)
    results = answer.resultats if answer else []
    # The services ticked to keep on the fiche (`?garder=<id>`; all of them by default).
    offered = [item.service.id for item in results]
    kept = {int(v) for v in request.GET.getlist("garder") if v.isdigit()} & set(offered)
    chosen = [item for item in results if not kept or item.service.id in kept]
    contacts = fiche_contacts(chosen)
    state = state_get(request.session)
    items = [{"result": item, "contact": contacts.get(item.service.id, {})} for item in chosen]
    return render(
        request,
        "orientation/step_fiche.html",
        _step_context(
            request,
            "fiche",
            answer=answer,
            retenues=_category_views(answer.categories_retenues) if answer else [],
            error=error,
            items=items,
            choices=[
                {
                    "id": item.service.id,
                    "nom": item.service.nom,
                    "structure": item.structure.nom,
                    "garde": item in chosen,
                }
                for item in results
            ],
            selection=bool(kept),
            besoin=state["besoin"],
            today=timezone.localdate(),
            modalite_label=_modalite_label(answer),
            profil_label=dict(Profil.choices).get(state["profil"], ""),
        ),
    )


@login_not_required
@require_POST
def restart(request: HttpRequest) -> HttpResponse:
    """Forget the journey (the person's need and commune) and start again."""
    request.session.pop(SESSION_KEY, None)
    return redirect("orientation:profil")
