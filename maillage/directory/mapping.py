"""Column mappings: a producer's own file turned into rows of the lieux standard, without ORM.

A mapping is saved once per producer (`ColumnMapping`) and reused for each new file. It has
three parts, all plain JSON:

- `colonnes`: standard field → the producer's column (a dotted path inside JSON records,
  or a list of columns whose values are joined, e.g. to build a stable `id`);
- `valeurs`: per standard field, producer value → normalised value (a taxonomy code for
  `services`; a list for several; `null` to drop a value that is out of scope);
- `options`: reading and shaping options (see `OPTIONS`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.text import slugify

from . import french_hours
from .lieux_standard import FileFormatError, RowError

# Fields of the national standard (v1.0.2 names) a mapping may fill.
STANDARD_FIELDS: dict[str, str] = {
    "id": "Identifiant du lieu chez le producteur",
    "nom": "Nom du lieu",
    "pivot": "SIRET, SIREN ou RNA",
    "adresse": "Adresse (numéro et voie)",
    "complement_adresse": "Complément d'adresse",
    "code_postal": "Code postal",
    "commune": "Commune",
    "code_insee": "Code INSEE de la commune",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "date_maj": "Date de mise à jour",
    "typologie": "Typologie de la structure",
    "structure_parente": "Structure parente",
    "telephone": "Téléphone",
    "courriels": "Courriels",
    "site_web": "Site web",
    "horaires": "Horaires",
    "presentation_resume": "Présentation courte",
    "presentation_detail": "Présentation détaillée",
    "services": "Services (taxonomie)",
    "publics_specifiquement_adresses": "Publics",
    "prise_en_charge_specifique": "Prise en charge spécifique",
    "frais_a_charge": "Frais",
    "modalites_acces": "Modalités d'accès",
    "modalites_accompagnement": "Modalités d'accompagnement",
    "dispositif_programmes_nationaux": "Dispositifs nationaux",
    "formations_labels": "Formations et labels",
    "itinerance": "Itinérance",
    "fiche_acces_libre": "Fiche Acceslibre",
    "prise_rdv": "Prise de rendez-vous",
}
MULTI_VALUED = {
    "typologie",
    "courriels",
    "site_web",
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "modalites_acces",
    "modalites_accompagnement",
    "dispositif_programmes_nationaux",
    "formations_labels",
}
OPTIONS = {
    "encodage": "encodage du CSV (utf-8, cp1252…), détecté sinon",
    "separateur": "séparateur du CSV (« ; » ou « , »), détecté sinon",
    "feuille": "nom de la feuille d'un classeur XLSX (la première sinon)",
    "chemin_enregistrements": "chemin des enregistrements dans le JSON (« data.lieux »)",
    "separateur_valeurs": "séparateur des valeurs multiples chez le producteur (« / »)",
    "valeurs_par_defaut": "valeur d'un champ quand la colonne est absente ou vide",
    "regrouper_par": "colonnes qui désignent un même lieu (une ligne par service)",
    "departements": "départements couverts : commune cherchée par son nom sans code postal",
    "code_postal_dans_adresse": "lire le code postal écrit dans l'adresse",
    "horaires_par_jour": "colonne des horaires de chaque jour (Mo, Tu… → colonne)",
    "completer_source": "fichier de services qui complète les lieux déjà importés d'une "
    "autre source (« id » = identifiant du lieu dans cette source)",
}
_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_POSTAL = re.compile(r"\b(\d{5})\b")


class MappingError(FileFormatError):
    """The mapping does not fit the file (or itself): nothing is imported."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass
class Mapping:
    colonnes: dict[str, str | list[str]] = field(default_factory=dict)
    valeurs: dict[str, dict[str, Any]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Any) -> Mapping:
        """A mapping from its JSON form; `MappingError` listing every problem found."""
        if not isinstance(data, dict):
            raise MappingError(["La correspondance doit être un objet JSON."])
        problems = []
        unknown_keys = set(data) - {"colonnes", "valeurs", "options", "description"}
        if unknown_keys:
            problems.append(f"Clés inconnues : {', '.join(sorted(unknown_keys))}.")
        colonnes = data.get("colonnes") or {}
        valeurs = data.get("valeurs") or {}
        options = data.get("options") or {}
        if not isinstance(colonnes, dict) or not isinstance(valeurs, dict):
            raise MappingError(["« colonnes » et « valeurs » doivent être des objets JSON."])
        if not isinstance(options, dict):
            raise MappingError(["« options » doit être un objet JSON."])
        for name, column in colonnes.items():
            if name not in STANDARD_FIELDS:
                problems.append(f"Champ « {name} » inconnu du schéma des lieux.")
            if not (
                isinstance(column, str)
                or (isinstance(column, list) and column and all(isinstance(c, str) for c in column))
            ):
                problems.append(f"Colonne du champ « {name} » : un nom ou une liste de noms.")
        for name, table in valeurs.items():
            if name not in STANDARD_FIELDS:
                problems.append(f"Valeurs du champ « {name} » inconnu du schéma des lieux.")
            elif not isinstance(table, dict):
                problems.append(f"Valeurs du champ « {name} » : un objet valeur → valeur.")
        for name in options:
            if name not in OPTIONS:
                problems.append(f"Option « {name} » inconnue.")
        for name in options.get("valeurs_par_defaut") or {}:
            if name not in STANDARD_FIELDS:
                problems.append(f"Valeur par défaut du champ « {name} » inconnu du schéma.")
        for day in options.get("horaires_par_jour") or {}:
            if day not in _DAYS:
                problems.append(f"Jour « {day} » inconnu (Mo, Tu, We, Th, Fr, Sa, Su).")
        if "id" not in colonnes and not options.get("regrouper_par"):
            problems.append("Champ « id » sans colonne : indiquez la colonne de l'identifiant.")
        if options.get("completer_source"):
            if "services" not in colonnes:
                problems.append("Champ « services » sans colonne : il complète les lieux.")
        elif "nom" not in colonnes:
            problems.append("Champ « nom » sans colonne : il est obligatoire.")
        if problems:
            raise MappingError(problems)
        return cls(colonnes=colonnes, valeurs=valeurs, options=options)

    def as_dict(self) -> dict[str, Any]:
        return {"colonnes": self.colonnes, "valeurs": self.valeurs, "options": self.options}

    def referenced_columns(self) -> list[str]:
        names: list[str] = []
        for column in self.colonnes.values():
            names.extend([column] if isinstance(column, str) else column)
        names.extend(self.options.get("regrouper_par") or [])
        names.extend((self.options.get("horaires_par_jour") or {}).values())
        return names

    def check_columns(self, columns: Iterable[str]) -> None:
        """`MappingError` naming the columns of the mapping the file does not have."""
        present = set(columns)
        missing = [
            name
            for name in dict.fromkeys(self.referenced_columns())
            if name not in present and name.split(".")[0] not in present
        ]
        if missing:
            raise MappingError(
                [
                    f"Colonnes de la correspondance absentes du fichier : {', '.join(missing)}. "
                    f"Colonnes du fichier : {', '.join(sorted(present)[:60])}."
                ]
            )


@dataclass
class MappedRows:
    rows: list[tuple[int, dict[str, Any]]]
    warnings: list[RowError]
    ignored_values: int = 0
    grouped_rows: int = 0


def _get(row: dict[str, Any], path: str) -> Any:
    if path in row:
        return row[path]
    value: Any = row
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def apply_mapping(mapping: Mapping, rows: list[tuple[int, dict[str, Any]]]) -> MappedRows:
    """Producer rows → rows of the standard that `normalize_row` reads."""
    options = mapping.options
    separator = options.get("separateur_valeurs") or ""
    defaults = options.get("valeurs_par_defaut") or {}
    group_by = options.get("regrouper_par") or []
    day_columns = options.get("horaires_par_jour") or {}
    result = MappedRows(rows=[], warnings=[])
    groups: dict[tuple[str, ...], int] = {}

    for line, raw in rows:
        out: dict[str, Any] = {}
        for name, column in mapping.colonnes.items():
            if isinstance(column, list):
                parts = [_as_text(_get(raw, c)) for c in column]
                value: Any = " ".join(p for p in parts if p)
                if name == "id" and value:
                    value = slugify(value)[:150]
            else:
                value = _get(raw, column)
            if name in MULTI_VALUED:
                items = value if isinstance(value, list) else [value]
                values: list[str] = []
                for item in items:
                    text = _as_text(item)
                    if text.startswith("{") and text.endswith("}"):  # a PostgreSQL array
                        text = text[1:-1]
                    pieces = text.split(separator) if separator else [text]
                    values.extend(p.strip() for p in pieces if p.strip())
                out[name] = values
            else:
                out[name] = _as_text(value) if not isinstance(value, list) else value
        for name, table in mapping.valeurs.items():
            current = out.get(name)
            if isinstance(current, list):
                translated: list[str] = []
                for item in current:
                    if item in table:
                        target = table[item]
                        if target is None or target == []:
                            result.ignored_values += 1
                            continue
                        translated.extend(target if isinstance(target, list) else [target])
                    else:
                        translated.append(item)
                out[name] = list(dict.fromkeys(translated))
            elif isinstance(current, str) and current in table:
                out[name] = table[current] or ""
        note = ""
        row_warnings: list[RowError] = []
        if day_columns:
            spans = {day: _as_text(_get(raw, column)) for day, column in day_columns.items()}
            converted = french_hours.from_day_columns(spans)
            if converted is None:
                note = " ; ".join(f"{french_hours.DAY_NAMES[d]} {t}" for d, t in spans.items() if t)
            out["horaires"] = converted or ""
        elif out.get("horaires"):
            converted = french_hours.to_osm(out["horaires"])
            if converted is None:
                note = out["horaires"]
            out["horaires"] = converted or ""
        if note:
            # Hours that cannot be read safely stay readable as a note, never guessed.
            detail = out.get("presentation_detail") or ""
            out["presentation_detail"] = f"{detail}\nHoraires : {note}".strip()
            row_warnings.append(
                RowError(
                    line,
                    "horaires",
                    note,
                    "Horaires non convertis au format OpenStreetMap : gardés en note dans la "
                    "présentation.",
                    blocking=False,
                )
            )
        for name, default in defaults.items():
            if out.get(name) in (None, "", []):
                out[name] = default
        if options.get("code_postal_dans_adresse") and not out.get("code_postal"):
            found = _POSTAL.findall(str(out.get("adresse") or ""))
            if found:
                out["code_postal"] = found[-1]
        if group_by:
            key = tuple(_as_text(_get(raw, c)).casefold() for c in group_by)
            if "id" not in mapping.colonnes:
                out["id"] = slugify(" ".join(k for k in key if k))[:150]
            if key in groups:
                first = result.rows[groups[key]][1]
                for name in MULTI_VALUED:
                    merged = list(first.get(name) or []) + list(out.get(name) or [])
                    first[name] = list(dict.fromkeys(merged))
                # The lieu was read on its first line; its notes were reported there.
                result.grouped_rows += 1
                continue
            groups[key] = len(result.rows)
        result.warnings.extend(row_warnings)
        result.rows.append((line, out))
    return result
