"""Mapping options for the raw partner files: row filter, Lambert-93, nested fields, flag
columns, postal code alone, name template, headerless CSV."""

import json

import pytest

from maillage.directory.enums import Placement
from maillage.directory.imports import lambert93
from maillage.directory.imports.lieux import lieux_import
from maillage.directory.imports.mapping import Mapping, MappingError, apply_mapping, mapping_load
from maillage.directory.models import Lieu

MORLAIX = (48.5776, -3.8283)  # place des Otages


def _mapping(colonnes, **options):
    options.setdefault("valeurs_par_defaut", {"date_maj": "2024-01-01"})
    return Mapping.from_dict({"colonnes": colonnes, "options": options})


def _import(tmp_path, rows, mapping, name="lieux.json"):
    path = tmp_path / name
    path.write_text(json.dumps(rows), encoding="utf-8")
    return lieux_import(
        data=path.read_bytes(), filename=path.name, source_name="Partenaire", mapping=mapping
    )


BASE = {"id": "id", "nom": "nom", "adresse": "adresse", "code_postal": "cp", "commune": "ville"}


def _row(**extra):
    row = {"id": "1", "nom": "EPN", "adresse": "Place des Otages", "cp": "29600"}
    row["ville"] = "Morlaix"
    row.update(extra)
    return row


@pytest.mark.django_db
def test_filtered_rows_are_counted_and_reported_as_ignored_not_as_errors(tmp_path):
    mapping = _mapping(BASE, ignorer_lignes={"statut": ["INACTIF"]})
    rows = [_row(statut="OUVERT"), _row(id="2", nom="Fermé", statut="inactif")]
    result = _import(tmp_path, rows, mapping)
    assert (result.created, result.rejected) == (1, 0)
    assert result.run.counts["lignes_ignorees"] == 1
    (line,) = [r for r in result.run.rapport if r["champ"] == "statut"]
    assert line["ligne"] == 2 and line["bloquant"] is False
    assert line["message"].startswith("ignorée : « statut » vaut « inactif »")
    assert not Lieu.objects.filter(nom="Fermé").exists()


@pytest.mark.django_db
def test_lambert93_columns_become_wgs84_points(tmp_path):
    x, y = lambert93.from_wgs84(*MORLAIX)
    mapping = _mapping({**BASE, "latitude": "y", "longitude": "x"}, projection="lambert93")
    # The producer writes metres with a decimal comma.
    row = _row(x=f"{x:.3f}".replace(".", ","), y=f"{y:.3f}".replace(".", ","))
    result = _import(tmp_path, [row], mapping)
    lieu = Lieu.objects.get()
    assert (lieu.latitude, lieu.longitude) == (
        pytest.approx(MORLAIX[0], abs=1e-5),
        pytest.approx(MORLAIX[1], abs=1e-5),
    )
    assert lieu.placement == Placement.SOURCE
    assert result.run.counts["coordonnees_lambert93"] == 1


@pytest.mark.django_db
def test_lambert93_values_given_as_latitude_and_longitude_are_detected_and_reported():
    x, y = lambert93.from_wgs84(*MORLAIX)
    row = {
        "id": "1",
        "nom": "EPN",
        "adresse": "Place des Otages",
        "code_postal": "29600",
        "commune": "Morlaix",
        "latitude": y,
        "longitude": x,
        "date_maj": "2024-01-01",
    }
    result = lieux_import(data=json.dumps([row]).encode(), filename="l.json", source_name="S")
    lieu = Lieu.objects.get()
    assert lieu.placement == Placement.SOURCE
    assert lieu.latitude == pytest.approx(MORLAIX[0], abs=1e-5)
    assert any("Lambert-93 (EPSG:2154)" in e.message for e in result.errors)


@pytest.mark.django_db
def test_nested_fields_and_list_items_are_read_by_dotted_path(tmp_path):
    """The Res'in prototype: address as an object, position as [longitude, latitude]."""
    mapping = _mapping(
        {
            "id": "_id",
            "nom": "nom",
            "adresse": ["address.numero", "address.street"],
            "commune": "address.commune",
            "latitude": "coord.1",
            "longitude": "coord.0",
        },
        departements=["29"],
    )
    row = {
        "_id": "a1",
        "nom": "EPN",
        "address": {"numero": "2", "street": "Place des Otages", "commune": "Morlaix"},
        "coord": [MORLAIX[1], MORLAIX[0]],
    }
    _import(tmp_path, [row], mapping)
    lieu = Lieu.objects.get()
    assert (lieu.adresse, lieu.commune.nom) == ("2 Place des Otages", "Morlaix")
    assert (lieu.latitude, lieu.longitude) == MORLAIX


def test_flag_columns_add_their_value_when_set():
    mapping = _mapping(
        {"id": "id", "nom": "nom"},
        drapeaux={
            "services": {"WIFI": "acces-internet-materiel", "AIDE": "demarches-administratives"}
        },
    )
    rows = [
        (1, {"id": "1", "nom": "A", "WIFI": "Accès WIFI", "AIDE": "-"}),
        (2, {"id": "2", "nom": "B", "WIFI": "non", "AIDE": "Oui"}),
    ]
    mapped = apply_mapping(mapping, rows).rows
    assert mapped[0][1]["services"] == ["acces-internet-materiel"]
    assert mapped[1][1]["services"] == ["demarches-administratives"]


def test_the_address_is_cut_at_the_postal_code_which_also_gives_the_commune():
    mapping = _mapping(
        {"id": "id", "nom": "nom", "adresse": "adresse"},
        code_postal_dans_adresse=True,
        adresse_avant_code_postal=True,
    )
    row = {"id": "1", "nom": "A", "adresse": "1 Rue Langevin, 51200, Épernay, Marne, FRA"}
    out = apply_mapping(mapping, [(1, row)]).rows[0][1]
    assert (out["adresse"], out["code_postal"], out["commune"]) == (
        "1 Rue Langevin",
        "51200",
        "Épernay",
    )


@pytest.mark.django_db
def test_a_shared_postal_code_alone_places_the_lieu_at_its_main_commune_approximately(tmp_path):
    """29600 is shared by Morlaix and its neighbours: without a commune name the lieu goes to
    the most populated one, at its mairie, flagged approximate, with a warning; a name still
    chooses; without the option the row is refused."""
    colonnes = {"id": "id", "nom": "nom", "adresse": "adresse", "code_postal": "cp"}
    rows = [
        {"id": "1", "nom": "A", "adresse": "1 rue X", "cp": "29600"},
        {"id": "2", "nom": "B", "adresse": "2 rue Y", "cp": "29600", "ville": "Sainte-Sève"},
    ]
    refused = _import(tmp_path, rows[:1], _mapping(colonnes))
    assert refused.rejected == 1

    mapping = _mapping({**colonnes, "commune": "ville"}, commune_principale=True)
    result = _import(tmp_path, rows, mapping)
    a, b = Lieu.objects.get(nom="A"), Lieu.objects.get(nom="B")
    assert a.commune.nom == "Morlaix" and a.placement == Placement.MAIRIE
    assert b.commune.nom == "Sainte-Sève"
    (warning,) = [e for e in result.errors if e.field == "commune"]
    assert not warning.blocking and "Code postal partagé par" in warning.message
    assert "la plus peuplée" in warning.message and "approximative" in warning.message


@pytest.mark.django_db
def test_a_name_is_built_from_a_template_when_the_file_has_none(tmp_path):
    mapping = _mapping(
        {"id": "id", "adresse": "adresse", "code_postal": "cp", "commune": "ville"},
        modele_nom="{type} de {ville}",
    )
    _import(tmp_path, [_row(type="Médiathèque")], mapping)
    assert Lieu.objects.get().nom == "Médiathèque de Morlaix"
    with pytest.raises(MappingError, match="modele_nom"):
        _mapping({"id": "id"}, modele_nom="sans colonne")


@pytest.mark.django_db
def test_a_headerless_csv_reads_with_the_column_names_of_its_mapping(tmp_path):
    """The 2016 Occitanie tiers-lieux layout: no header, postal code without its leading
    zero, a contact person that is not kept."""
    path = tmp_path / "database.csv"
    path.write_text(
        "La Cordée,12 rue du Palais,9000,Foix,https://cordee.example,bonjour@cordee.example,"
        "Jeanne Exemple,05 61 00 00 00\n"
        "Le Hangar,1 place de la Mairie,31000,Toulouse,,,,\n",
        encoding="utf-8",
    )
    result = lieux_import(
        data=path.read_bytes(),
        filename=path.name,
        source_name="Tiers-lieux Occitanie",
        mapping=mapping_load("tiers-lieux-occitanie-2016"),
    )
    assert (result.run.counts["lignes"], result.created) == (2, 2)
    lieu = Lieu.objects.get(nom="La Cordée")
    assert (lieu.code_postal, lieu.commune.nom, lieu.telephone) == (
        "09000",
        "Foix",
        "05 61 00 00 00",
    )
    assert "Jeanne" not in json.dumps(
        [lieu.presentation_detail, lieu.presentation_resume, lieu.courriels, lieu.structure.nom]
    )
    assert lieu.services.get().categories.get().code == "lieux-coworking"
