"""Column mappings: a producer's own file turned into rows of the lieux standard, without ORM.

A mapping is saved once per producer (`ColumnMapping`) and reused for each new file. It has
three parts, all plain JSON:

- `colonnes`: standard field → the producer's column (a dotted path inside JSON records,
  or a list of columns whose values are joined, e.g. to build a stable `id`);
- `valeurs`: per standard field, producer value → normalised value (a taxonomy code for
  `services`; a list for several; `null` to drop a value that is out of scope);
- `options`: reading and shaping options (see `OPTIONS`).

Mappings shipped with Maillage for known producers live in `data/mappings/<name>.json`
(`shipped_mappings`, `mapping_load`); saving one for a source is a write
(`services.mappings.column_mapping_save`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib.resources import files
from typing import Any

from django.utils.text import slugify

from . import french_hours, lambert93
from .errors import FileFormatError, RowError

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
    "ignorer_lignes": "lignes écartées selon la valeur d'une colonne ({colonne: [valeurs]}), "
    "comptées et listées au rapport comme « ignorée »",
    "projection": "« lambert93 » : les colonnes de latitude et de longitude portent Y et X en "
    "Lambert-93 (EPSG:2154), convertis en WGS 84",
    "drapeaux": "colonnes qui valent oui/non ou leur propre libellé : {champ: {colonne: "
    "valeur}} ajoute la valeur au champ quand la colonne est remplie (et ne dit pas non)",
    "modele_nom": "nom construit à partir d'autres colonnes (« {Type} de {Ville} ») quand "
    "le fichier n'a pas de colonne de nom ou qu'elle est vide",
    "commune_principale": "code postal partagé par plusieurs communes sans nom qui les "
    "départage : lieu placé à la plus peuplée, position approximative, avec un avertissement",
    "adresse_avant_code_postal": "garder de l'adresse la partie écrite avant le code postal",
    "colonnes_sans_entete": "CSV sans ligne d'en-tête : noms des colonnes, dans l'ordre",
}
_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_POSTAL = re.compile(r"\b(\d{5})\b")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
# Values of a flag column that mean "no" (anything else non-empty means yes).
_FLAG_NO = {"non", "no", "n", "-", "0", "false", "faux", "?", "nr"}


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
        problems.extend(_check_new_options(options))
        for day in options.get("horaires_par_jour") or {}:
            if day not in _DAYS:
                problems.append(f"Jour « {day} » inconnu (Mo, Tu, We, Th, Fr, Sa, Su).")
        if "id" not in colonnes and not options.get("regrouper_par"):
            problems.append("Champ « id » sans colonne : indiquez la colonne de l'identifiant.")
        if options.get("completer_source"):
            if "services" not in colonnes:
                problems.append("Champ « services » sans colonne : il complète les lieux.")
        elif "nom" not in colonnes and not options.get("modele_nom"):
            problems.append("Champ « nom » sans colonne ni « modele_nom » : il est obligatoire.")
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
        names.extend(self.options.get("ignorer_lignes") or {})
        for columns in (self.options.get("drapeaux") or {}).values():
            names.extend(columns)
        names.extend(_PLACEHOLDER.findall(self.options.get("modele_nom") or ""))
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


def shipped_mappings() -> list[str]:
    """Names of the mappings shipped with Maillage (`data/mappings/<name>.json`)."""
    folder = files("maillage.directory").joinpath("data/mappings")
    return sorted(
        p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json")
    )


def mapping_load(text_or_name: str) -> Mapping:
    """A mapping from its JSON text or the name of a shipped one; `MappingError` if invalid."""
    text = text_or_name
    if text_or_name in shipped_mappings():
        text = (
            files("maillage.directory")
            .joinpath(f"data/mappings/{text_or_name}.json")
            .read_text("utf-8")
        )
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MappingError(
            [f"Correspondance illisible ligne {exc.lineno}, colonne {exc.colno} ({exc.msg})."]
        ) from exc
    return Mapping.from_dict(data)


def _check_new_options(options: dict[str, Any]) -> list[str]:
    """Problems with the shapes of the row filter, projection, flags and name template."""
    problems = []
    skip = options.get("ignorer_lignes")
    if skip is not None and not (
        isinstance(skip, dict) and all(isinstance(v, list) for v in skip.values())
    ):
        problems.append("« ignorer_lignes » : un objet colonne → liste de valeurs à écarter.")
    projection = options.get("projection")
    if projection is not None and projection != "lambert93":
        problems.append(f"Projection « {projection} » inconnue (seule « lambert93 » est lue).")
    flags = options.get("drapeaux")
    if flags is not None:
        if not isinstance(flags, dict) or not all(isinstance(v, dict) for v in flags.values()):
            problems.append("« drapeaux » : un objet champ → {colonne: valeur}.")
        else:
            for name in flags:
                if name not in MULTI_VALUED:
                    problems.append(
                        f"« drapeaux » : le champ « {name} » n'a pas plusieurs valeurs."
                    )
    template = options.get("modele_nom")
    if template is not None and (
        not isinstance(template, str) or not _PLACEHOLDER.search(template)
    ):
        problems.append("« modele_nom » : un texte qui cite des colonnes entre accolades.")
    names = options.get("colonnes_sans_entete")
    if names is not None and not (
        isinstance(names, list) and names and all(isinstance(n, str) and n for n in names)
    ):
        problems.append("« colonnes_sans_entete » : la liste des noms de colonnes.")
    return problems


@dataclass
class MappedRows:
    rows: list[tuple[int, dict[str, Any]]]
    warnings: list[RowError]
    ignored_values: int = 0
    grouped_rows: int = 0
    # Rows left out by the mapping's row filter, and points converted from Lambert-93.
    skipped_rows: int = 0
    projected: int = 0


def _skip_reason(raw: dict[str, Any], rules: dict[str, list[Any]]) -> tuple[str, str] | None:
    for column, values in rules.items():
        value = _as_text(_get(raw, column))
        if value.casefold() in {_as_text(v).casefold() for v in values}:
            return column, value
    return None


def _is_set(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _as_text(value)
    return bool(text) and text.casefold() not in _FLAG_NO


def _fill_template(template: str, raw: dict[str, Any]) -> str:
    text = _PLACEHOLDER.sub(lambda m: _as_text(_get(raw, m.group(1))), template)
    return re.sub(r"\s+", " ", text).strip(" -–—,")


def _number(value: Any) -> float | None:
    text = _as_text(value).replace(" ", "").replace(",", ".")
    try:
        return float(text) if text else None
    except ValueError:
        return None


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
    skip_rules = options.get("ignorer_lignes") or {}
    group_by = options.get("regrouper_par") or []
    result = MappedRows(rows=[], warnings=[])
    groups: dict[tuple[str, ...], int] = {}
    for line, raw in rows:
        skipped = _skip_reason(raw, skip_rules)
        if skipped is not None:
            result.skipped_rows += 1
            result.warnings.append(
                RowError(
                    line,
                    skipped[0],
                    skipped[1],
                    f"ignorée : « {skipped[0]} » vaut « {skipped[1]} » (filtre de la "
                    "correspondance).",
                    blocking=False,
                )
            )
            continue
        out = _columns(mapping, raw)
        result.ignored_values += _translate(mapping, out)
        row_warnings = _hours(options, raw, out, line)
        _shape(options, out, result)
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


def _columns(mapping: Mapping, raw: dict[str, Any]) -> dict[str, Any]:
    """The standard's fields read from the producer's columns, flags and name template."""
    options = mapping.options
    separator = options.get("separateur_valeurs") or ""
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
    for name, columns in (options.get("drapeaux") or {}).items():
        found = [target for column, target in columns.items() if _is_set(_get(raw, column))]
        out[name] = list(out.get(name) or []) + [
            item for target in found for item in (target if isinstance(target, list) else [target])
        ]
    template = options.get("modele_nom") or ""
    if template and not out.get("nom"):
        out["nom"] = _fill_template(template, raw)
    return out


def _translate(mapping: Mapping, out: dict[str, Any]) -> int:
    """Producer values → normalised values (`valeurs`); returns how many were dropped as
    out of scope."""
    dropped = 0
    for name, table in mapping.valeurs.items():
        current = out.get(name)
        if isinstance(current, list):
            translated: list[str] = []
            for item in current:
                if item in table:
                    target = table[item]
                    if target is None or target == []:
                        dropped += 1
                        continue
                    translated.extend(target if isinstance(target, list) else [target])
                else:
                    translated.append(item)
            out[name] = list(dict.fromkeys(translated))
        elif isinstance(current, str) and current in table:
            out[name] = table[current] or ""
    return dropped


def _hours(
    options: dict[str, Any], raw: dict[str, Any], out: dict[str, Any], line: int
) -> list[RowError]:
    """Opening hours as OpenStreetMap; hours that cannot be read safely stay readable as a
    note in the presentation, never guessed (with a warning)."""
    day_columns = options.get("horaires_par_jour") or {}
    note = ""
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
    if not note:
        return []
    detail = out.get("presentation_detail") or ""
    out["presentation_detail"] = f"{detail}\nHoraires : {note}".strip()
    return [
        RowError(
            line,
            "horaires",
            note,
            "Horaires non convertis au format OpenStreetMap : gardés en note dans la présentation.",
            blocking=False,
        )
    ]


def _shape(options: dict[str, Any], out: dict[str, Any], result: MappedRows) -> None:
    """Defaults, the postal code and commune written in the address, Lambert-93 points."""
    for name, default in (options.get("valeurs_par_defaut") or {}).items():
        if out.get(name) in (None, "", []):
            out[name] = default
    if options.get("code_postal_dans_adresse") and not out.get("code_postal"):
        found = _POSTAL.findall(str(out.get("adresse") or ""))
        if found:
            out["code_postal"] = found[-1]
    if options.get("adresse_avant_code_postal") and out.get("adresse"):
        # "1 rue X, 51200, Épernay, Marne, FRA": the street part only; the commune is the
        # part after the postal code when the file has no commune of its own.
        parts = _POSTAL.split(str(out["adresse"]), maxsplit=1)
        head = parts[0].strip(" ,")
        if head and len(parts) == 3:
            out["adresse"] = head
            after = parts[2].strip(" ,\n").split(",")[0].strip()
            if after and not out.get("commune"):
                out["commune"] = after
    if options.get("projection") == "lambert93":
        x, y = _number(out.get("longitude")), _number(out.get("latitude"))
        if x is not None and y is not None:
            latitude, longitude = lambert93.to_wgs84(x, y)
            out["latitude"], out["longitude"] = round(latitude, 7), round(longitude, 7)
            result.projected += 1
