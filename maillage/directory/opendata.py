"""Lieux as open data, in the national schema of lieux de médiation numérique (v1.0.x).

Pure module: it turns plain `LieuExport` values into rows of the schema and writes them as
CSV, JSON or GeoJSON. Multi-valued fields are joined by "|" as the schema's patterns
require, and only values of the schema's vocabularies are exported (a value the schema
would reject is left out rather than making the whole row invalid).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

FIELDS = [
    "id",
    "pivot",
    "nom",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "latitude",
    "longitude",
    "typologie",
    "telephone",
    "courriels",
    "site_web",
    "horaires",
    "presentation_resume",
    "presentation_detail",
    "source",
    "itinerance",
    "structure_parente",
    "date_maj",
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "modalites_acces",
    "modalites_accompagnement",
    "fiche_acces_libre",
    "prise_rdv",
]

# The schema's vocabularies (standard v1.0.2).
SERVICES = {
    "Aide aux démarches administratives",
    "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique",
    "Utilisation sécurisée du numérique",
    "Parentalité et éducation avec le numérique",
    "Loisirs et créations numériques",
    "Compréhension du monde numérique",
    "Accès internet et matériel informatique",
    "Acquisition de matériel informatique à prix solidaire",
}
PUBLICS = {"Jeunes", "Étudiants", "Familles et/ou enfants", "Seniors", "Femmes"}
PRISES_EN_CHARGE = {
    "Surdité",
    "Handicaps moteurs",
    "Handicaps mentaux",
    "Illettrisme",
    "Langues étrangères (anglais)",
    "Langues étrangères (autres)",
    "Déficience visuelle",
}
FRAIS = {"gratuit": "Gratuit", "sous_conditions": "Gratuit sous condition", "payant": "Payant"}
DISPOSITIFS = {
    "Aidants Connect",
    "Bibliothèques numérique de référence",
    "Certification PIX",
    "Conseillers numériques",
    "Emmaüs Connect",
    "France Services",
    "Grande école du numérique",
    "La Croix Rouge",
    "Point d'accès numérique CAF",
    "Promeneurs du net",
    "Relais numérique (Emmaüs Connect)",
}
# Older spellings of the same programmes.
DISPOSITIF_ALIASES = {
    "CNFS": "Conseillers numériques",
    "Conseiller numérique": "Conseillers numériques",
    "France services": "France Services",
    "PIX": "Certification PIX",
    "Aidants connect": "Aidants Connect",
}
FORMATIONS = {
    "Formé à « Mon Espace Santé »",
    "Formé à « DUPLEX » (illettrisme)",
    "Arnia/MedNum BFC (Bourgogne-Franche-Comté)",
    "Collectif ressources et acteurs réemploi (Normandie)",
    # The schema's pattern spells it without the space ("Étapes numériques(La Poste)"),
    # unlike its documentation: export what the schema validates.
    "Étapes numériques(La Poste)",
    "Fabriques de Territoire",
    "Les Éclaireurs du numérique (Drôme)",
    "Mes Papiers (Métropole de Lyon)",
    "ORDI 3.0",
    "SUD LABS (PACA)",
}
FORMATION_ALIASES = {"Étapes numériques (La Poste)": "Étapes numériques(La Poste)"}
MODALITES_ACCES = {
    "Se présenter",
    "Téléphoner",
    "Contacter par mail",
    "Prendre un RDV en ligne",
    "Ce lieu n'accueille pas de public",
    "Envoyer un mail avec une fiche de prescription",
}
MODALITES_ACCOMPAGNEMENT = {
    "En autonomie",
    "Accompagnement individuel",
    "Dans un atelier collectif",
    "À distance",
}
_PIVOT = re.compile(r"^[a-zA-Z0-9]{9,14}$")
_CODE_INSEE = re.compile(r"^([013-9]\d|2[AB1-9])\d{3}$")
_OVERSEAS = {"590", "594", "262", "596", "269", "687", "689", "508", "681"}


@dataclass
class LieuExport:
    """What the export needs of a lieu, read by the selector."""

    id: str
    pivot: str
    nom: str
    commune: str
    code_postal: str
    code_insee: str
    adresse: str
    latitude: float
    longitude: float
    date_maj: date
    complement_adresse: str = ""
    typologie: list[str] = field(default_factory=list)
    telephone: str = ""
    courriels: list[str] = field(default_factory=list)
    sites_web: list[str] = field(default_factory=list)
    horaires: str = ""
    presentation_resume: str = ""
    presentation_detail: str = ""
    source: str = ""
    itinerant: bool = False
    structure_parente: str = ""
    services: list[str] = field(default_factory=list)
    publics: list[str] = field(default_factory=list)
    prise_en_charge: list[str] = field(default_factory=list)
    frais: list[str] = field(default_factory=list)
    dispositifs: list[str] = field(default_factory=list)
    formations_labels: list[str] = field(default_factory=list)
    modalites_acces: list[str] = field(default_factory=list)
    modalites_accompagnement: list[str] = field(default_factory=list)
    fiche_acces_libre: str = ""
    prise_rdv: str = ""


def phone_e164(raw: str) -> str:
    """A French number in the schema's form (+33…), or "" when it cannot be."""
    digits = re.sub(r"\D", "", raw)
    if raw.strip().startswith("+"):
        candidate = "+" + digits
    elif digits.startswith("0") and len(digits) == 10:
        candidate = "+33" + digits[1:]
    elif digits.startswith("33") and len(digits) == 11:
        candidate = "+" + digits
    else:
        return ""
    prefix_ok = candidate.startswith("+33") or candidate[1:4] in _OVERSEAS
    rest = candidate[3:] if candidate.startswith("+33") else candidate[4:]
    return candidate if prefix_ok and 6 <= len(rest) <= 9 else ""


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;.") + "…"


def _keep(values: Iterable[str], allowed: set[str], aliases: dict[str, str] | None = None) -> str:
    kept: list[str] = []
    for value in values:
        value = (aliases or {}).get(value, value)
        if value in allowed and value not in kept:
            kept.append(value)
    return "|".join(kept)


def _clean(values: Iterable[str]) -> str:
    return "|".join(v.replace("|", " ") for v in values if v)


def to_row(lieu: LieuExport) -> dict[str, str | float]:
    """One lieu as a row of the national schema."""
    formations = [FORMATION_ALIASES.get(v, v) for v in lieu.formations_labels]
    return {
        "id": lieu.id,
        "pivot": lieu.pivot if _PIVOT.match(lieu.pivot) else "00000000000000",
        "nom": lieu.nom,
        "commune": lieu.commune,
        "code_postal": lieu.code_postal,
        "code_insee": lieu.code_insee if _CODE_INSEE.match(lieu.code_insee) else "",
        "adresse": lieu.adresse,
        "complement_adresse": lieu.complement_adresse,
        "latitude": round(lieu.latitude, 6),
        "longitude": round(lieu.longitude, 6),
        "typologie": _clean(lieu.typologie),
        "telephone": phone_e164(lieu.telephone),
        "courriels": _clean(lieu.courriels),
        "site_web": _clean(lieu.sites_web),
        "horaires": lieu.horaires,
        "presentation_resume": shorten(lieu.presentation_resume, 280),
        "presentation_detail": lieu.presentation_detail,
        "source": lieu.source,
        "itinerance": "Itinérant" if lieu.itinerant else "Fixe",
        "structure_parente": lieu.structure_parente,
        "date_maj": lieu.date_maj.isoformat(),
        "services": _keep(lieu.services, SERVICES),
        "publics_specifiquement_adresses": _keep(lieu.publics, PUBLICS),
        "prise_en_charge_specifique": _keep(lieu.prise_en_charge, PRISES_EN_CHARGE),
        "frais_a_charge": "|".join(FRAIS[f] for f in lieu.frais if f in FRAIS),
        "dispositif_programmes_nationaux": _keep(lieu.dispositifs, DISPOSITIFS, DISPOSITIF_ALIASES),
        "formations_labels": _keep(formations, FORMATIONS),
        "autres_formations_labels": _clean(v for v in formations if v not in FORMATIONS),
        "modalites_acces": _keep(lieu.modalites_acces, MODALITES_ACCES),
        "modalites_accompagnement": _keep(lieu.modalites_accompagnement, MODALITES_ACCOMPAGNEMENT),
        "fiche_acces_libre": lieu.fiche_acces_libre,
        "prise_rdv": lieu.prise_rdv,
    }


def write_csv(rows: Iterable[dict[str, str | float]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_json(rows: Iterable[dict[str, str | float]]) -> str:
    return json.dumps(
        [{k: v for k, v in row.items() if v != ""} for row in rows], ensure_ascii=False, indent=1
    )


def write_geojson(rows: Iterable[dict[str, str | float]]) -> str:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
            "properties": {k: v for k, v in row.items() if v != ""},
        }
        for row in rows
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


WRITERS = {"csv": write_csv, "json": write_json, "geojson": write_geojson}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "geojson": "application/geo+json",
}
