"""Indicators per commune: computed snapshots, CSV imports and the commune API."""

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from maillage.accounts.models import User
from maillage.core.geometry import haversine_km
from maillage.directory.imports import FileFormatError
from maillage.directory.imports.lieux import lieux_import
from maillage.directory.models import Categorie, Lieu
from maillage.directory.services.history import directory_object_update
from maillage.observatory.models import Indicateur, RecomputeRun, ValeurIndicateur
from maillage.observatory.services import (
    indicateur_import,
    indicators_recompute,
    snapshots_thin,
)
from maillage.observatory.tasks import indicators_recompute_task
from maillage.territories.models import Commune
from tests.observatory.factories import (
    CategorieFactory,
    IndicateurFactory,
    LieuFactory,
    RecomputeRunFactory,
    ServiceFactory,
    StructureFactory,
    ValeurIndicateurFactory,
)
from tests.territories.factories import BREST, MORLAIX, commune

pytestmark = pytest.mark.django_db

CATEGORIE = "demarches-administratives"
DAY = date(2026, 1, 15)


def place_lieu_at_mairie(code: str, identifiant: str = "1") -> None:
    """Import one lieu offering the category exactly at the commune's mairie point."""
    town = commune(code)
    row = {
        "id": identifiant,
        "nom": f"Espace numérique {town.nom}",
        "commune": town.nom,
        "code_postal": town.codes_postaux[0],
        "adresse": "Place de la Mairie",
        "latitude": town.mairie_latitude,
        "longitude": town.mairie_longitude,
        "date_maj": "2024-03-01",
        "services": "Aide aux démarches administratives",
    }
    lieux_import(data=json.dumps([row]).encode(), filename="l.json", source_name="Réseau test")


def value(code: str, insee: str, on: date = DAY) -> float:
    return ValeurIndicateur.objects.get(
        indicateur__code=code, commune=commune(insee), date=on
    ).valeur


def recompute(on: date = DAY) -> dict[str, int]:
    return indicators_recompute(
        communes=Commune.objects.communes().filter(code__in=[MORLAIX, BREST]), on=on
    )


def test_computed_indicators_on_real_relations():
    """A commune with a lieu of the category at its mairie is at 0 km and counts 1 lieu; the
    other's distance is the great-circle distance to the nearest lieu of the category."""
    place_lieu_at_mairie(MORLAIX)
    recompute()
    brest = commune(BREST)
    expected = min(
        haversine_km(brest.mairie_latitude, brest.mairie_longitude, lat, lon)
        for lat, lon in Lieu.objects.filter(services__categories__code=CATEGORIE)
        .distinct()
        .values_list("latitude", "longitude")
    )
    assert value(f"distance-plus-proche:{CATEGORIE}", MORLAIX) == pytest.approx(0, abs=1e-3)
    assert value(f"distance-plus-proche:{CATEGORIE}", BREST) == pytest.approx(expected, abs=1e-2)
    assert value(f"lieux:{CATEGORIE}", MORLAIX) >= 1
    assert value("population", BREST) == brest.population
    distance = Indicateur.objects.get(code=f"distance-plus-proche:{CATEGORIE}")
    assert distance.origine == "calcule"
    assert "vol d'oiseau" in distance.unite


def test_lieux_and_services_per_category_counted_by_hand():
    """In a category of its own: Morlaix has two lieux; service A is offered at both, B at
    one, C at one lieu of Brest. Morlaix counts 2 lieux and 2 services (A once, not twice),
    Brest 1 and 1; a service of another category changes neither count."""
    categorie = CategorieFactory(code="test-comptage", libelle="Comptage à la main")
    autre = CategorieFactory(code="test-autre", libelle="Autre besoin")
    structure = StructureFactory(nom="Réseau compté")

    def lieu(code: str, nom: str) -> Lieu:
        return LieuFactory(structure=structure, commune=commune(code), nom=nom)

    def service(nom: str, *lieux: Lieu, category: Categorie = categorie) -> None:
        ServiceFactory(structure=structure, nom=nom, categories=[category.code], lieux=lieux)

    gare, port, centre = lieu(MORLAIX, "Gare"), lieu(MORLAIX, "Port"), lieu(BREST, "Centre")
    service("A", gare, port)
    service("B", port)
    service("C", centre)
    service("D", gare, centre, category=autre)
    recompute()
    assert value("lieux:test-comptage", MORLAIX) == 2
    assert value("services:test-comptage", MORLAIX) == 2
    assert value("lieux:test-comptage", BREST) == 1
    assert value("services:test-comptage", BREST) == 1
    assert value("services:test-autre", MORLAIX) == 1
    assert value("services:test-autre", BREST) == 1
    indicateur = Indicateur.objects.get(code="services:test-comptage")
    assert (indicateur.origine, indicateur.unite) == ("calcule", "services")
    with pytest.raises(FileFormatError, match="réservé"):
        indicateur_import(
            data=CSV,
            filename="s.csv",
            code="services:maison",
            libelle="x",
            unite="",
            source="",
            on=DAY,
        )


def test_recompute_keeps_earlier_snapshots_and_replaces_the_same_day():
    """Each date is a snapshot: recomputing the same day replaces it, other days stay."""
    place_lieu_at_mairie(MORLAIX)
    first = recompute(on=date(2025, 6, 1))
    recompute()
    again = recompute()
    assert again == first
    population = Indicateur.objects.get(code="population")
    assert population.valeurs.filter(date=date(2025, 6, 1)).count() == 2
    assert population.valeurs.filter(date=DAY).count() == 2
    assert population.date == DAY


CSV = (
    "codgeo;libgeo;taux\n"  # line 1
    f"{MORLAIX};Morlaix;87,5\n"  # 2: good, French decimal comma
    "99999;Nulle part;12\n"  # 3: unknown commune
    f"{BREST};Brest;\n"  # 4: empty value
    f"{BREST};Brest;beaucoup\n"  # 5: not a number
    f"{MORLAIX};Morlaix;3\n"  # 6: duplicate commune
    "1004;Ambérieu-en-Bugey;64.25\n"  # 7: good, leading zero lost by a spreadsheet
).encode("cp1252")


def import_thd(data: bytes = CSV, on: date = DAY, **extra):
    return indicateur_import(
        data=data,
        filename="thd.csv",
        code="thd",
        libelle="Locaux raccordables à la fibre",
        unite="%",
        source="Arcep",
        on=on,
        colonne_valeur="taux",
        **extra,
    )


def test_import_reports_each_bad_line_and_loads_the_good_ones():
    """Unknown code, empty value, non-numeric value and duplicate commune are reported with
    line, column, value and a French message; the good lines are loaded."""
    result = import_thd()
    assert [(e.line, e.field, e.value) for e in result.errors] == [
        (3, "codgeo", "99999"),
        (4, "taux", ""),
        (5, "taux", "beaucoup"),
        (6, "codgeo", MORLAIX),
    ]
    messages = [e.message for e in result.errors]
    assert messages[0] == "Code commune inconnu du référentiel."
    assert messages[1] == "Valeur vide."
    assert messages[2].startswith("Valeur non numérique")
    assert messages[3] == "Commune déjà présente ligne 2 : cette ligne est ignorée."
    assert result.loaded == 2
    assert value("thd", MORLAIX) == 87.5
    assert value("thd", "01004") == 64.25
    assert Indicateur.objects.get(code="thd").mediane_nationale == pytest.approx(75.875)


def test_reimport_replaces_that_date_only():
    """A new file for the same date replaces its values; another date is kept."""
    import_thd(on=date(2025, 1, 1))
    import_thd()
    import_thd(data=f"codgeo;taux\n{BREST};50\n".encode())
    thd = Indicateur.objects.get(code="thd")
    assert thd.valeurs.filter(date=DAY).count() == 1
    assert value("thd", BREST) == 50
    assert thd.valeurs.filter(date=date(2025, 1, 1)).count() == 2


def test_import_fatal_errors_write_nothing():
    """A missing column, a file without a good line or a reserved code write nothing."""
    with pytest.raises(FileFormatError, match="Colonne des valeurs « taux » absente"):
        import_thd(data=b"codgeo;valeur_thd\n29151;3\n")
    with pytest.raises(FileFormatError, match="Aucune ligne valide"):
        import_thd(data=b"codgeo;taux\n99999;3\n")
    with pytest.raises(FileFormatError, match="réservé"):
        indicateur_import(
            data=CSV, filename="x.csv", code="population", libelle="x", unite="", source="x", on=DAY
        )
    assert not Indicateur.objects.exists()


def test_import_command_prints_the_line_report(tmp_path):
    """The command prints each bad line and the count of loaded values."""
    path = tmp_path / "thd.csv"
    path.write_bytes(CSV)
    out, err = StringIO(), StringIO()
    call_command(
        "indicateurs_import",
        str(path),
        "--code=thd",
        "--libelle=Fibre",
        "--source=Arcep",
        "--date=2026-01-15",
        "--colonne-commune=codgeo",
        "--colonne-valeur=taux",
        stdout=out,
        stderr=err,
    )
    assert "Ligne 3, colonne « codgeo », valeur « 99999 » : Code commune inconnu" in err.getvalue()
    assert "2 valeurs chargées" in out.getvalue()
    with pytest.raises(CommandError, match="Date invalide"):
        call_command(
            "indicateurs_import", str(path), "--code=t", "--libelle=T", "--source=S", "--date=15/01"
        )


def test_api_shape_and_404(client):
    """The commune block and every indicator with the contract's fields; 404 in French."""
    place_lieu_at_mairie(MORLAIX)
    recompute()
    import_thd()
    body = client.get(f"/api/v1/communes/{MORLAIX}/indicateurs").json()
    assert body["commune"]["code"] == MORLAIX
    assert body["commune"]["nom"] == "Morlaix"
    by_code = {row["code"]: row for row in body["indicateurs"]}
    assert {"population", f"distance-plus-proche:{CATEGORIE}", f"lieux:{CATEGORIE}", "thd"} <= set(
        by_code
    )
    for row in body["indicateurs"]:
        assert {"code", "libelle", "valeur", "unite", "source", "date"} <= set(row)
    assert by_code[f"distance-plus-proche:{CATEGORIE}"]["valeur"] == pytest.approx(0, abs=1e-3)
    assert by_code["thd"] == {
        "code": "thd",
        "libelle": "Locaux raccordables à la fibre",
        "valeur": 87.5,
        "unite": "%",
        "source": "Arcep",
        "date": "2026-01-15",
        "origine": "importe",
        "mediane_nationale": 75.875,
        "mediane_territoire": None,
    }
    missing = client.get("/api/v1/communes/00000/indicateurs")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Commune inconnue : « 00000 »."}


def test_import_of_lieux_queues_a_recompute_and_the_recompute_sees_the_new_lieu(
    client, django_capture_on_commit_callbacks
):
    """A lieux import that changes the directory queues the recompute task on commit; once
    recomputed, the commune of the new lieu is at 0 km of the category."""
    place_lieu_at_mairie(MORLAIX)
    recompute()
    before = value(f"distance-plus-proche:{CATEGORIE}", BREST)
    with django_capture_on_commit_callbacks(execute=True):
        place_lieu_at_mairie(BREST, identifiant="brest")
    assert queued_recomputes() == 1
    call_command("indicateurs_calcul", f"--communes={MORLAIX},{BREST}", stdout=StringIO())
    after = client.get(f"/api/v1/communes/{BREST}/indicateurs").json()
    distance = {row["code"]: row["valeur"] for row in after["indicateurs"]}
    assert before > 0
    assert distance[f"distance-plus-proche:{CATEGORIE}"] == pytest.approx(0, abs=1e-3)


def queued_recomputes() -> int:
    return DBTaskResult.objects.filter(
        task_path__endswith="indicators_recompute_task", status="READY"
    ).count()


def test_a_manual_edit_that_moves_counts_queues_a_recompute(django_capture_on_commit_callbacks):
    """Moving a lieu or changing a service's categories queues a recompute once committed;
    an edit of the phone number, which no indicator reads, does not."""
    place_lieu_at_mairie(MORLAIX)
    lieu = Lieu.objects.get(commune__code=MORLAIX, nom__startswith="Espace numérique")
    service = lieu.services.get()
    manager = User.objects.create_user(email="gestion@example.org", password="x" * 12)
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        directory_object_update(obj=lieu, user=manager, data={"telephone": "02 98 00 00 00"})
    assert queued_recomputes() == 0
    with django_capture_on_commit_callbacks(execute=True):
        directory_object_update(obj=lieu, user=manager, data={"latitude": lieu.latitude + 0.01})
    assert queued_recomputes() == 1
    with django_capture_on_commit_callbacks(execute=True):
        directory_object_update(
            obj=service,
            user=manager,
            data={"categories": Categorie.objects.filter(code="lieux-coworking")},
        )
    assert queued_recomputes() == 2


def test_deleting_a_lieu_in_the_admin_queues_a_recompute(
    client, django_capture_on_commit_callbacks
):
    """The Django admin is another way to change the directory: a deletion there queues a
    recompute too."""
    place_lieu_at_mairie(MORLAIX)
    lieu = Lieu.objects.get(commune__code=MORLAIX, nom__startswith="Espace numérique")
    admin = User.objects.create_superuser("racine@example.org", "x" * 12)
    client.force_login(admin)
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/directory/lieu/{lieu.pk}/delete/", {"post": "yes"}, secure=True
        )
    assert response.status_code == 302
    assert not Lieu.objects.filter(pk=lieu.pk).exists()
    assert queued_recomputes() == 1


def test_an_admin_edit_queues_a_recompute_only_for_what_indicators_read(
    client, django_capture_on_commit_callbacks
):
    """In the Django admin as in the management space: a new phone number queues nothing, a
    moved lieu queues a recompute."""
    place_lieu_at_mairie(MORLAIX)
    lieu = Lieu.objects.get(commune__code=MORLAIX, nom__startswith="Espace numérique")
    client.force_login(User.objects.create_superuser("racine@example.org", "x" * 12))
    url = f"/admin/directory/lieu/{lieu.pk}/change/"
    form = client.get(url, secure=True).context["adminform"].form
    data = {
        name: form[name].value() if form[name].value() is not None else "" for name in form.fields
    }
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**data, "telephone": "02 98 00 00 00"}, secure=True)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert queued_recomputes() == 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**data, "latitude": str(lieu.latitude + 0.01)}, secure=True)
    assert queued_recomputes() == 1


def test_a_recompute_asked_before_a_finished_whole_run_is_skipped():
    """A change committed before a run of every commune started is in that run's snapshot:
    the task queued for it computes nothing. A run of a few communes does not count, and a
    change after the last run is computed."""
    asked = timezone.now()
    RecomputeRunFactory(termine=True, debut=asked + timedelta(seconds=1))
    pair = Commune.objects.communes().filter(code__in=[MORLAIX, BREST])
    counts = indicators_recompute(communes=pair, on=DAY, requested_at=asked)
    assert counts["communes"] == 2  # the earlier run was partial: computed
    RecomputeRunFactory(
        complet=True, debut=asked + timedelta(seconds=100), fin=asked + timedelta(seconds=200)
    )
    runs = RecomputeRun.objects.count()
    ValeurIndicateur.objects.all().delete()
    assert indicators_recompute_task.call(requested_at=asked.isoformat()) == {
        "communes": 0,
        "indicateurs": 0,
        "valeurs": 0,
        "deja_a_jour": 1,
    }
    assert not ValeurIndicateur.objects.exists()
    assert RecomputeRun.objects.count() == runs  # the skipped run leaves no row
    later = asked + timedelta(seconds=150)  # committed while the whole run was reading
    counts = indicators_recompute(communes=pair, on=DAY, requested_at=later)
    assert counts["communes"] == 2


def test_old_snapshots_of_computed_indicators_are_thinned_to_one_per_month(settings):
    """The last 7 days stay whole; before, only each month's last snapshot of each computed
    indicator. An imported indicator keeps every date."""
    settings.OBSERVATORY_SNAPSHOT_DAYS = 7
    computed = IndicateurFactory(population=True, libelle="P", date=None)
    imported = IndicateurFactory(importe=True, code="thd", libelle="T", date=None)
    morlaix = commune(MORLAIX)
    dates = [
        date(2026, 1, 5),
        date(2026, 1, 20),
        date(2026, 1, 31),  # last of January: kept
        date(2026, 2, 10),
        date(2026, 2, 11),  # last of February before the 7 days: kept
        date(2026, 3, 2),  # last of March before the 7 days: kept for now
        date(2026, 3, 9),  # within the 7 days before 15 March: kept
        date(2026, 3, 14),
    ]
    for indicateur in (computed, imported):
        for day in dates:
            ValeurIndicateurFactory(indicateur=indicateur, commune=morlaix, date=day)
    assert snapshots_thin(today=date(2026, 3, 15)) == 3
    kept = set(computed.valeurs.values_list("date", flat=True))
    assert kept == {
        date(2026, 1, 31),
        date(2026, 2, 11),
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 14),
    }
    assert set(imported.valeurs.values_list("date", flat=True)) == set(dates)
    # A month later, March keeps only its last snapshot.
    assert snapshots_thin(today=date(2026, 4, 20)) == 2
    assert set(computed.valeurs.values_list("date", flat=True)) == {
        date(2026, 1, 31),
        date(2026, 2, 11),
        date(2026, 3, 14),
    }


def test_api_territory_median(client):
    """With `?territoire=`, each indicator carries the median of the territory's communes;
    an unknown territory is a 404 in French."""
    recompute()
    url = f"/api/v1/communes/{MORLAIX}/indicateurs"
    body = client.get(url, {"territoire": "pays-de-morlaix"}).json()
    population = next(r for r in body["indicateurs"] if r["code"] == "population")
    # Only Morlaix and Brest were computed, and Brest is not in the Pays de Morlaix.
    assert population["mediane_territoire"] == commune(MORLAIX).population
    assert population["mediane_nationale"] == pytest.approx(
        (commune(MORLAIX).population + commune(BREST).population) / 2
    )
    missing = client.get(url, {"territoire": "atlantide"})
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Territoire inconnu : « atlantide »."}
