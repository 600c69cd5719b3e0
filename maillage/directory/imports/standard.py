"""Read files of lieux de médiation numérique in every generation of the national standard.

Pure module (no ORM). It turns bytes into `LieuRecord`s and row-level errors:

- the pre-standard files of 2022 (JSON, values joined by ", " or ",", labels such as
  "Prendre en main un ordinateur"),
- standard v0.1 (values joined by ";", `conditions_acces`, `labels_nationaux`),
- the 2024 "v1 migration" hybrids (values joined by "|", some old column names),
- standard v1.0.x (CSV or JSON, values joined by "|").

Files are CSV (UTF-8 with or without BOM, or cp1252; ";" or "," separated) or JSON (an
array of objects), read by the one reader (`reader.read_table`); this module checks the
columns, renames the old ones and normalises each row. Every message is in French and names
the line (CSV) or the record number (JSON), the field and the value.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from maillage.core.text import fold
from maillage.core.weburl import http_url

from . import lambert93
from .errors import FileFormatError, RowError
from .reader import Table, is_workbook, read_table

SIRET_PLACEHOLDERS = {"00000000000000", "0" * 9, ""}

# Column names across generations → the v1.0.2 name.
ALIASES = {
    "courriel": "courriels",
    "conditions_acces": "frais_a_charge",
    "conditions_access": "frais_a_charge",
    "labels_nationaux": "dispositif_programmes_nationaux",
    "labels_autres": "autres_formations_labels",
    "publics_accueillis": "publics_specifiquement_adresses",
    "presentation_resumee": "presentation_resume",
    "accessibilite": "fiche_acces_libre",
}
REQUIRED_COLUMNS = ("id", "nom", "adresse")

# Service labels of the pre-standard and v0.1 files → taxonomy codes. The v1 labels are
# the taxonomy's own `libelle` for the family "inclusion" and need no table.
LEGACY_SERVICES = {
    "prendre en main un smartphone ou une tablette": "outils-numeriques-quotidien",
    "prendre en main un ordinateur": "outils-numeriques-quotidien",
    "utiliser le numerique au quotidien": "outils-numeriques-quotidien",
    "approfondir ma culture numerique": "culture-numerique",
    "promouvoir la citoyennete numerique": "culture-numerique",
    "acceder a du materiel": "acces-internet-materiel",
    "acceder a une connexion internet": "acces-internet-materiel",
    "realiser des demarches administratives avec un accompagnement": "demarches-administratives",
    "devenir autonome dans les demarches administratives": "demarches-administratives",
    "accompagner les demarches de sante": "demarches-administratives",
    "favoriser mon insertion professionnelle": "insertion-professionnelle",
    "creer avec le numerique": "loisirs-creations",
    "creer et developper mon entreprise": "creation-entreprise",
    "soutenir la parentalite et l education avec le numerique": "parentalite-education",
    "s equiper en materiel informatique": "materiel-solidaire",
}

FRAIS = {
    "gratuit sous condition": "Gratuit sous condition",
    "gratuit": "Gratuit",
    "payant": "Payant",
}
MODALITES_ACCOMPAGNEMENT = {
    "en autonomie": "En autonomie",
    "seul": "En autonomie",
    "accompagnement individuel": "Accompagnement individuel",
    "avec de l aide": "Accompagnement individuel",
    "a ma place": "Accompagnement individuel",
    "dans un atelier collectif": "Dans un atelier collectif",
    "dans un atelier": "Dans un atelier collectif",
    "a distance": "À distance",
}
_SPLIT_ENUM = re.compile(r"\s*[|;]\s*|\s*,\s*")
_SPLIT_TEXT = re.compile(r"\s*[|;]\s*|,\s+")
_DIGITS = re.compile(r"\D")


@dataclass
class LieuRecord:
    line: int
    source_id: str
    nom: str
    adresse: str
    code_postal: str
    commune_nom: str
    date_maj: date
    pivot: str = ""
    code_insee: str = ""
    complement_adresse: str = ""
    latitude: float | None = None
    longitude: float | None = None
    typologie: list[str] = field(default_factory=list)
    telephone: str = ""
    courriels: list[str] = field(default_factory=list)
    sites_web: list[str] = field(default_factory=list)
    horaires: str = ""
    presentation_resume: str = ""
    presentation_detail: str = ""
    itinerant: bool = False
    structure_parente: str = ""
    categories: list[str] = field(default_factory=list)
    publics: list[str] = field(default_factory=list)
    prise_en_charge: list[str] = field(default_factory=list)
    frais: list[str] = field(default_factory=list)
    dispositifs: list[str] = field(default_factory=list)
    formations_labels: list[str] = field(default_factory=list)
    modalites_acces: list[str] = field(default_factory=list)
    modalites_accompagnement: list[str] = field(default_factory=list)
    fiche_acces_libre: str = ""
    prise_rdv: str = ""

    def fingerprint(self) -> str:
        """Stable text of the content (not the line): equal for an unchanged record."""
        data = {k: v for k, v in self.__dict__.items() if k != "line"}
        data["date_maj"] = self.date_maj.isoformat()
        return json.dumps(data, sort_keys=True, ensure_ascii=False)


def read_standard(data: bytes, filename: str = "") -> Table:
    """The file as a table, for the national standard (a workbook needs a column mapping)."""
    if is_workbook(data, filename):
        raise FileFormatError(
            "Ce fichier est un classeur (XLSX ou ZIP) : enregistrez la feuille en CSV, "
            "ou importez-le avec une correspondance de colonnes."
        )
    return read_table(data, filename)


def rows_of(table: Table) -> list[tuple[int, dict[str, object]]]:
    """(line or record number, row) for each row of a table of the standard, old column
    names renamed; `FileFormatError` when a required column is missing."""
    _check_columns(set(table.columns))
    return [(line, {ALIASES.get(k, k): v for k, v in row.items()}) for line, row in table.rows]


def read_rows(data: bytes, filename: str = "") -> list[tuple[int, dict[str, object]]]:
    """The rows of a file of the standard; `FileFormatError` when it cannot be read."""
    return rows_of(read_standard(data, filename))


def _check_columns(columns: set[str]) -> None:
    columns = {ALIASES.get(c, c) for c in columns}
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if "commune" not in columns and "code_postal" not in columns:
        missing.append("commune ou code_postal")
    if missing:
        raise FileFormatError(
            f"Colonnes obligatoires absentes : {', '.join(missing)}. Ce fichier ne suit pas "
            "le schéma des lieux de médiation numérique : enregistrez une correspondance de "
            "colonnes pour ce producteur."
        )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(_text(item) for item in value)
    return str(value).strip()


def _split(value: object, pattern: re.Pattern[str] = _SPLIT_ENUM) -> list[str]:
    if isinstance(value, list):
        return [_text(item) for item in value if _text(item)]
    return [part for part in pattern.split(_text(value)) if part]


def _parse_date(raw: str) -> date | None:
    raw = raw.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(raw[:10], pattern).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    return None


def _parse_float(value: object) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(str(value).replace(",", ".").strip())
    except ValueError:
        return None


class _Checks:
    """The errors found on one row, in the order the checks run."""

    def __init__(self, line: int, row: dict[str, object]) -> None:
        self.line = line
        self.row = row
        self.errors: list[RowError] = []

    def blocking(self, name: str, message: str) -> None:
        self.errors.append(RowError(self.line, name, _text(self.row.get(name)), message))

    def warning(self, name: str, message: str) -> None:
        self.errors.append(
            RowError(self.line, name, _text(self.row.get(name)), message, blocking=False)
        )


def normalize_row(
    line: int, row: dict[str, object], services_by_label: dict[str, str]
) -> tuple[LieuRecord | None, list[RowError]]:
    """One row as a LieuRecord, or None with the blocking errors that reject it.

    `services_by_label` maps folded taxonomy labels to codes.
    """
    checks = _Checks(line, row)
    code_postal = _postal_code(checks)
    date_maj = _parse_date(_text(row.get("date_maj")))
    if date_maj is None:
        checks.blocking(
            "date_maj", "Date de mise à jour absente ou illisible (AAAA-MM-JJ attendu)."
        )
    latitude, longitude = _coordinates(checks)
    pivot = _pivot(checks)
    categories = _categories(checks, services_by_label)
    if any(e.blocking for e in checks.errors) or date_maj is None:
        return None, checks.errors
    record = LieuRecord(
        line=line,
        source_id=_text(row.get("id")),
        nom=_text(row.get("nom")),
        adresse=_text(row.get("adresse")),
        code_postal=code_postal,
        commune_nom=_text(row.get("commune")),
        date_maj=date_maj,
        pivot=pivot,
        code_insee=_text(row.get("code_insee")).upper(),
        complement_adresse=_text(row.get("complement_adresse")),
        latitude=latitude,
        longitude=longitude,
        typologie=_split(row.get("typologie")),
        telephone=_text(row.get("telephone")),
        courriels=_split(row.get("courriels"), _SPLIT_TEXT),
        sites_web=_web_urls(checks, "site_web", _split(row.get("site_web"), _SPLIT_TEXT)),
        horaires=_text(row.get("horaires")),
        presentation_resume=_text(row.get("presentation_resume")),
        presentation_detail=_text(row.get("presentation_detail")),
        itinerant="itinerant" in fold(_text(row.get("itinerance"))),
        structure_parente=_text(row.get("structure_parente")),
        categories=categories,
        publics=_split(row.get("publics_specifiquement_adresses"), _SPLIT_TEXT),
        prise_en_charge=_split(row.get("prise_en_charge_specifique"), _SPLIT_TEXT),
        frais=_vocabulary(row.get("frais_a_charge"), FRAIS, prefix=True),
        dispositifs=_split(row.get("dispositif_programmes_nationaux"), _SPLIT_TEXT),
        formations_labels=_split(row.get("formations_labels"), _SPLIT_TEXT),
        modalites_acces=_split(row.get("modalites_acces"), _SPLIT_TEXT),
        modalites_accompagnement=_vocabulary(
            row.get("modalites_accompagnement"), MODALITES_ACCOMPAGNEMENT
        ),
        fiche_acces_libre="".join(
            _web_urls(checks, "fiche_acces_libre", [_text(row.get("fiche_acces_libre"))])
        ),
        prise_rdv="".join(_web_urls(checks, "prise_rdv", [_text(row.get("prise_rdv"))])),
    )
    return record, checks.errors


def _web_urls(checks: _Checks, name: str, values: list[str]) -> list[str]:
    """The http(s) URLs of `values`; any other (javascript:, data:…) is dropped, with a warning."""
    kept = []
    for value in filter(None, values):
        url = http_url(value)
        if url:
            kept.append(url)
        else:
            checks.warning(
                name,
                f"Adresse « {value[:80]} » ignorée : seules les adresses http:// ou https:// "
                "complètes deviennent des liens.",
            )
    return kept


def _postal_code(checks: _Checks) -> str:
    """Checks the id, name, address and place of the row; returns its postal code."""
    row = checks.row
    code_postal = _DIGITS.sub("", _text(row.get("code_postal")))
    if not _text(row.get("id")):
        checks.blocking(
            "id", "Identifiant absent : chaque lieu doit avoir un id stable dans sa source."
        )
    if not _text(row.get("nom")):
        checks.blocking("nom", "Nom du lieu absent.")
    if not _text(row.get("adresse")):
        checks.blocking("adresse", "Adresse absente.")
    if len(code_postal) == 4:
        checks.warning("code_postal", "Code postal sur 4 chiffres : un zéro initial a été rétabli.")
        code_postal = "0" + code_postal
    if code_postal and len(code_postal) != 5:
        checks.blocking("code_postal", "Code postal invalide : 5 chiffres attendus.")
    if not code_postal and not _text(row.get("commune")):
        checks.blocking("commune", "Ni commune ni code postal : impossible de situer le lieu.")
    return code_postal


def _coordinates(checks: _Checks) -> tuple[float | None, float | None]:
    """The point in WGS 84 (Lambert-93 metres converted), or None when unusable."""
    latitude = _parse_float(checks.row.get("latitude"))
    longitude = _parse_float(checks.row.get("longitude"))
    if (latitude is None) != (longitude is None):
        checks.warning(
            "latitude", "Une seule des deux coordonnées est fournie : elles sont ignorées."
        )
        return None, None
    if latitude is None or longitude is None or (abs(latitude) <= 90 and abs(longitude) <= 180):
        return latitude, longitude
    projected = lambert93.detect(longitude, latitude)
    if projected is None:
        checks.warning(
            "latitude",
            "Coordonnées hors des bornes du WGS 84 et d'aucune projection reconnue : "
            "ignorées, le lieu est placé à la mairie de sa commune.",
        )
        return None, None
    # Lambert-93 metres written as "latitude/longitude" (a GIS export).
    latitude, longitude = lambert93.to_wgs84(*projected)
    checks.warning(
        "latitude",
        "Coordonnées en Lambert-93 (EPSG:2154) données comme latitude et "
        "longitude : converties en WGS 84.",
    )
    return round(latitude, 7), round(longitude, 7)


def _pivot(checks: _Checks) -> str:
    """The SIRET, SIREN or RNA; empty for a placeholder or an invalid value (warned)."""
    # A SIRET read as a number by a spreadsheet comes as "13002603200016.0".
    raw_pivot = re.sub(r"\.0$", "", _text(checks.row.get("pivot")))
    pivot = _DIGITS.sub("", raw_pivot)
    if raw_pivot.upper().startswith("W") and re.fullmatch(r"W\d{9}", raw_pivot.upper()):
        return raw_pivot.upper()
    if pivot in SIRET_PLACEHOLDERS:
        return ""
    if len(pivot) not in (9, 14):
        checks.warning("pivot", "SIRET/SIREN/RNA invalide : ignoré.")
        return ""
    return pivot


def _categories(checks: _Checks, services_by_label: dict[str, str]) -> list[str]:
    categories: list[str] = []
    for label in _split(checks.row.get("services")):
        # data-inclusion writes "numerique--utiliser-le-numerique-au-quotidien".
        key = fold(label).removeprefix("numerique ")
        code = services_by_label.get(key) or LEGACY_SERVICES.get(key)
        if code is None:
            checks.warning("services", f"Service « {label} » inconnu de la taxonomie : ignoré.")
        elif code not in categories:
            categories.append(code)
    return categories


def _vocabulary(value: object, labels: dict[str, str], *, prefix: bool = False) -> list[str]:
    """The values of a closed vocabulary (fees, support modes), from their folded label
    before any ":" explanation (`prefix`: a label that starts with the key matches)."""
    found: list[str] = []
    for item in _split(value, _SPLIT_TEXT):
        key = fold(item.split(":")[0])
        if prefix:
            match = next((label for start, label in labels.items() if key.startswith(start)), None)
        else:
            match = labels.get(key)
        if match and match not in found:
            found.append(match)
    return found


def place(
    latitude: float | None,
    longitude: float | None,
    bbox: tuple[float, float, float, float] | None,
    tolerance: float = 0.05,
) -> tuple[float | None, float | None, str]:
    """Check a point against its commune's bounding box (min_lon, min_lat, max_lon, max_lat).

    Returns the point to keep and a status: "ok", "inversees" (latitude and longitude
    swapped, put back), "hors_commune" or "absentes" (the caller places the lieu at the
    mairie and flags it as approximate).
    """
    if latitude is None or longitude is None:
        return None, None, "absentes"
    if bbox is None:
        return latitude, longitude, "ok"
    min_lon, min_lat, max_lon, max_lat = bbox

    def inside(lat: float, lon: float) -> bool:
        return (
            min_lat - tolerance <= lat <= max_lat + tolerance
            and min_lon - tolerance <= lon <= max_lon + tolerance
        )

    if inside(latitude, longitude):
        return latitude, longitude, "ok"
    if inside(longitude, latitude):
        return longitude, latitude, "inversees"
    return None, None, "hors_commune"
