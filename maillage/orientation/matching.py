"""Matching: the directory's services for an understood need, near a commune.

The database does the selective part (lieux in the radius' bounding box, on the position
index, restricted to the need's categories); `ranking` does the scoring and the reasons.
When nothing fits within the radius, the answer says so and proposes the services that work
at a distance and the nearest ones beyond the radius.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

from maillage.core.geometry import haversine_km
from maillage.core.text import fold
from maillage.directory.models import Lieu, Service

from .ranking import Candidate, Constraints, Ranked, km, rank

MAX_CANDIDATES = 2000
REMOTE_MAX = 300
FALLBACK_REMOTE = 3
FALLBACK_BEYOND = 5
FALLBACK_MAX_KM = 400.0


@dataclass
class MatchResult:
    resultats: list[Ranked]
    proches: int  # services found within the radius before the limit
    message: str


def _bbox_rows(
    centre: tuple[float, float], radius: float, codes: list[str]
) -> list[tuple[int, int, float, float]]:
    lat0, lon0 = centre
    dlat = radius / 111.0
    dlon = radius / (111.0 * max(0.05, math.cos(math.radians(lat0))))
    return list(
        Service.lieux.through.objects.filter(
            lieu__latitude__range=(lat0 - dlat, lat0 + dlat),
            lieu__longitude__range=(lon0 - dlon, lon0 + dlon),
            service__categories__code__in=codes,
        )
        .values_list("service_id", "lieu_id", "lieu__latitude", "lieu__longitude")
        .distinct()
    )


def _nearest(
    rows: list[tuple[int, int, float, float]], centre: tuple[float, float]
) -> dict[int, tuple[int, float]]:
    """{service: (nearest lieu, distance km)}."""
    best: dict[int, tuple[int, float]] = {}
    for service_id, lieu_id, lat, lon in rows:
        distance = haversine_km(centre[0], centre[1], lat, lon)
        if service_id not in best or distance < best[service_id][1]:
            best[service_id] = (lieu_id, distance)
    return best


def _accessible(fiche: str, prises: list[str]) -> bool:
    text = fold(" ".join(prises or []))
    return bool(fiche) or any(w in text for w in ("handicap", "moteur", "pmr", "fauteuil"))


def _load(
    nearest: Mapping[int, tuple[int | None, float | None]],
    serving: Collection[int] = (),
) -> list[Candidate]:
    """Candidates with what ranking needs, in three queries whatever their number."""
    ids = list(nearest)
    if not ids:
        return []
    categories: dict[int, dict[str, tuple[str, str]]] = defaultdict(dict)
    for service_id, code, libelle, famille in Service.categories.through.objects.filter(
        service_id__in=ids
    ).values_list("service_id", "categorie__code", "categorie__libelle", "categorie__famille"):
        categories[service_id][code] = (libelle, famille)
    lieu_ids = [lieu for lieu, _ in nearest.values() if lieu is not None]
    lieux = {
        row["pk"]: row
        for row in Lieu.objects.filter(pk__in=lieu_ids).values(
            "pk",
            "nom",
            "adresse",
            "code_postal",
            "commune__code",
            "commune__nom",
            "latitude",
            "longitude",
            "horaires",
            "fiche_acces_libre",
            "prise_en_charge",
            "date_maj",
            "itinerant",
        )
    }
    candidates = []
    for row in Service.objects.filter(pk__in=ids).values(
        "pk", "nom", "structure_id", "structure__nom", "publics", "modalites", "frais"
    ):
        lieu_id, distance = nearest[row["pk"]]
        lieu = lieux.get(lieu_id) if lieu_id is not None else None
        candidates.append(
            Candidate(
                service_id=row["pk"],
                service_nom=row["nom"],
                structure_id=row["structure_id"],
                structure_nom=row["structure__nom"],
                categories=categories[row["pk"]],
                publics=row["publics"] or [],
                modalites=row["modalites"] or [],
                frais=row["frais"] or [],
                lieu_id=lieu_id,
                lieu=(
                    {
                        "id": lieu["pk"],
                        "nom": lieu["nom"],
                        "adresse": lieu["adresse"],
                        "code_postal": lieu["code_postal"],
                        "commune": lieu["commune__nom"],
                        "code_insee": lieu["commune__code"],
                        "latitude": lieu["latitude"],
                        "longitude": lieu["longitude"],
                        "horaires": lieu["horaires"],
                    }
                    if lieu
                    else None
                ),
                distance_km=distance,
                horaires=lieu["horaires"] if lieu else "",
                accessible=(
                    _accessible(lieu["fiche_acces_libre"], lieu["prise_en_charge"])
                    if lieu
                    else False
                ),
                date_maj=lieu["date_maj"] if lieu else None,
                dessert_commune=row["pk"] in serving,
            )
        )
    return candidates


def _serving(commune_id: int, codes: list[str]) -> set[int]:
    """Services that declare they cover the commune (itinerant, at home)."""
    return set(
        Service.communes_desservies.through.objects.filter(
            commune_id=commune_id, service__categories__code__in=codes
        ).values_list("service_id", flat=True)
    )


def _remote(
    codes: list[str], centre: tuple[float, float], exclude: set[int]
) -> dict[int, tuple[int | None, float | None]]:
    ids = list(
        Service.objects.filter(categories__code__in=codes, modalites__icontains='"a_distance"')
        .exclude(pk__in=list(exclude)[:MAX_CANDIDATES])
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()[:REMOTE_MAX]
    )
    rows = Service.lieux.through.objects.filter(service_id__in=ids).values_list(
        "service_id", "lieu_id", "lieu__latitude", "lieu__longitude"
    )
    nearest: dict[int, tuple[int | None, float | None]] = {pk: (None, None) for pk in ids}
    nearest.update(_nearest(list(rows), centre))
    return nearest


def match(
    *,
    need: dict[str, float],
    profil: str,
    centre: tuple[float, float],
    commune_id: int,
    commune_nom: str,
    constraints: Constraints,
    today: date,
) -> MatchResult:
    codes = list(need)
    radius = constraints.rayon_km
    near = {
        pk: value
        for pk, value in _nearest(_bbox_rows(centre, radius, codes), centre).items()
        if value[1] <= radius
    }
    if len(near) > MAX_CANDIDATES:
        near = dict(sorted(near.items(), key=lambda item: item[1][1])[:MAX_CANDIDATES])
    serving = _serving(commune_id, codes)
    pool: dict[int, tuple[int | None, float | None]] = dict(near)
    for pk in serving - set(near):
        pool[pk] = (None, None)
    ranked = rank(_load(pool, serving), need, profil, constraints, today)
    if constraints.modalite == "a_distance":
        remote = _remote(codes, centre, set(pool))
        ranked += rank(_load(remote), need, profil, constraints, today, "a_distance")
        ranked.sort(key=lambda r: -r.score)
    proches = len(ranked)
    if ranked:
        return MatchResult(
            ranked[: constraints.limite],
            proches,
            f"{proches} service(s) à moins de {km(radius)} de {commune_nom} pour ce besoin.",
        )

    # Nothing within the radius: say so, then remote services and the nearest beyond it.
    remote = _remote(codes, centre, set(pool))
    remote_ranked = rank(_load(remote), need, profil, constraints, today, "a_distance")
    remote_ranked = [r for r in remote_ranked if "a_distance" in r.candidate.modalites]
    beyond: list[Ranked] = []
    wider = radius
    while not beyond and wider < FALLBACK_MAX_KM:
        wider = min(FALLBACK_MAX_KM, wider * 3)
        found = {
            pk: value
            for pk, value in _nearest(_bbox_rows(centre, wider, codes), centre).items()
            if radius < value[1] <= wider and pk not in remote
        }
        nearest = dict(sorted(found.items(), key=lambda item: item[1][1])[:50])
        wide = Constraints(
            rayon_km=wider,
            gratuit=constraints.gratuit,
            modalite=constraints.modalite,
            accessible=constraints.accessible,
            jour=constraints.jour,
        )
        beyond = rank(_load(dict(nearest)), need, profil, wide, today, "hors_rayon")
    beyond.sort(key=lambda r: (r.candidate.distance_km or 0.0, -r.score))
    for item in beyond:
        item.raisons.append(f"au-delà de votre rayon de {km(radius)}")
    results = remote_ranked[:FALLBACK_REMOTE] + beyond[:FALLBACK_BEYOND]
    message = f"Aucun service à moins de {km(radius)} de {commune_nom} pour ce besoin."
    if results:
        parts = []
        if remote_ranked:
            parts.append("des services qui accompagnent à distance")
        if beyond:
            parts.append("les plus proches au-delà de ce rayon")
        message += " Nous vous proposons " + " et ".join(parts) + "."
    else:
        message += " Aucun service de l'annuaire ne répond encore à ce besoin avec ces critères."
    return MatchResult(results, 0, message)
