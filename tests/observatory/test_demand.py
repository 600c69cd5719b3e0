"""Demand from orientations: anonymous counters, and `demande:<categorie>` indicators
published per commune only from 5 requests up (k-anonymity)."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import models

from maillage.directory.imports import FileFormatError
from maillage.observatory.models import Indicateur, ValeurIndicateur
from maillage.observatory.selectors import demand_territoire_total
from maillage.observatory.services import demand_window, indicateur_import, indicators_recompute
from maillage.orientation.models import OrientationDemand
from maillage.orientation.services import record_demand
from maillage.territories.models import Commune

pytestmark = pytest.mark.django_db

CATEGORIE = "demarches-administratives"
MORLAIX, BREST = "29151", "29019"
DAY = date(2026, 3, 2)  # the snapshot day
ASKED = date(2026, 2, 10)  # a day of the last closed month before it
BESOIN = "jvoudrai de l'aide pour ma declaration dimpot"


def ask(commune: str, times: int, *, day: date = ASKED, categorie: str = CATEGORIE) -> None:
    for _ in range(times):
        record_demand(
            categorie=categorie, commune_code=commune, profil="particulier", channel="web", day=day
        )


def demand(insee: str, on: date = DAY) -> float | None:
    value = ValeurIndicateur.objects.filter(
        indicateur__code=f"demande:{CATEGORIE}", commune__code=insee, date=on
    ).first()
    return None if value is None else value.valeur


def recompute(on: date = DAY) -> None:
    indicators_recompute(
        communes=Commune.objects.communes().filter(code__in=[MORLAIX, BREST]), on=on, wait_s=0
    )


def test_api_call_records_one_anonymous_count(client):
    """A successful `POST /api/v1/orientations` adds one to today's counter for the commune,
    profile, top category and channel; nothing of the text is kept."""
    response = client.post(
        "/api/v1/orientations",
        {"besoin": BESOIN, "profil": "particulier", "commune": MORLAIX},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    top = response.json()["categories"][0]["code"]
    row = OrientationDemand.objects.get()
    assert (row.commune.code, row.profil, row.categorie_id, row.canal, row.nombre) == (
        MORLAIX,
        "particulier",
        top,
        "api",
        1,
    )
    stored = [str(getattr(row, f.attname)) for f in OrientationDemand._meta.concrete_fields]
    assert not any("impot" in value or "declaration" in value for value in stored)


def test_no_free_text_field_can_hold_the_need():
    """Every field is a date, a number, a foreign key or a closed list of choices."""
    for field in OrientationDemand._meta.concrete_fields:
        if isinstance(field, models.CharField):
            assert field.choices, f"{field.name} would accept free text"
        else:
            assert isinstance(
                field,
                models.DateField
                | models.ForeignKey
                | models.PositiveIntegerField
                | models.AutoField,
            ), field.name
        assert not isinstance(field, models.DateTimeField), "no time of day is kept"


@pytest.mark.parametrize(
    "payload",
    [
        {"besoin": "", "commune": MORLAIX},
        {"besoin": "imprimer", "commune": "99999"},
        {"besoin": "imprimer", "commune": MORLAIX, "profil": "martien"},
        {"besoin": "😀🙏😀", "commune": MORLAIX},
    ],
)
def test_refused_or_unrecognised_requests_count_nothing(client, payload):
    """An error answer, or a text where no need was recognised, records no demand."""
    client.post("/api/v1/orientations", payload, content_type="application/json")
    assert not OrientationDemand.objects.exists()


def test_command_line_does_not_count():
    """`maillage orient` is a tool for testing the engine: it records no demand."""
    call_command("orient", BESOIN, commune=MORLAIX, json=True, stdout=io.StringIO())
    assert not OrientationDemand.objects.exists()


def test_requests_are_summed_in_one_counter():
    """Repeated requests on the same day and cell increment one row."""
    ask(MORLAIX, 3)
    row = OrientationDemand.objects.get()
    assert row.nombre == 3


def test_four_requests_publish_nothing_five_publish_five():
    """k ≥ 5: a commune with 4 requests gets no value (not 0); with 5 it gets 5."""
    ask(MORLAIX, 4)
    ask(BREST, 5, day=DAY - timedelta(days=10))
    recompute()
    assert demand(MORLAIX) is None
    assert demand(BREST) == 5.0
    ask(MORLAIX, 1)
    recompute()  # same day: replaces the snapshot
    assert demand(MORLAIX) == 5.0
    assert ValeurIndicateur.objects.filter(indicateur__code=f"demande:{CATEGORIE}").count() == 2


def test_the_window_is_made_of_closed_months(settings):
    """Only the last OBSERVATORY_DEMAND_MONTHS complete months count; the current month
    counts once it is over, so two snapshots of one month hold the same values."""
    settings.OBSERVATORY_DEMAND_MONTHS = 2
    ask(BREST, 3, day=date(2026, 1, 1))  # first day of the window
    ask(BREST, 3, day=date(2025, 12, 31))  # just before it
    recompute()
    assert demand(BREST) is None
    ask(BREST, 2, day=date(2026, 2, 28))
    ask(BREST, 4, day=DAY)  # this month: not yet
    recompute()
    assert demand(BREST) == 5.0
    ask(BREST, 1, day=date(2026, 3, 20))
    later = date(2026, 3, 25)
    recompute(later)
    assert demand(BREST, later) == 5.0  # a request arrived this month: nothing shows
    first_of_april = date(2026, 4, 1)
    recompute(first_of_april)
    assert demand(BREST, first_of_april) == 7.0  # February and March: 2 + 5


def test_demand_window_bounds():
    assert demand_window(date(2026, 3, 2), 12) == (date(2025, 3, 1), date(2026, 2, 28))
    assert demand_window(date(2026, 1, 31), 1) == (date(2025, 12, 1), date(2025, 12, 31))


def test_a_cell_falling_below_the_threshold_loses_its_value_that_day():
    """When a category has no cell left at 5 or more, today's values of it are removed."""
    ask(BREST, 5)
    recompute()
    assert demand(BREST) == 5.0
    OrientationDemand.objects.update(nombre=4)
    recompute()
    assert demand(BREST) is None


def test_territory_total_counts_only_published_communes():
    """The territory total sums published cells: a hidden cell cannot be recomputed from it."""
    ask(MORLAIX, 4)
    ask(BREST, 6)
    recompute()
    total = demand_territoire_total(
        Commune.objects.communes().filter(code__in=[MORLAIX, BREST]), CATEGORIE
    )
    assert total == {"categorie": CATEGORIE, "date": DAY, "au_moins": 6, "communes": 1}


def test_demand_codes_are_reserved_for_computed_indicators():
    """An imported file cannot take a `demande:` code."""
    with pytest.raises(FileFormatError, match="réservé"):
        indicateur_import(
            data=b"code_insee;valeur\n29151;3\n",
            filename="d.csv",
            code=f"demande:{CATEGORIE}",
            libelle="x",
            unite="",
            source="x",
            on=DAY,
        )
    assert not Indicateur.objects.filter(code__startswith="demande:").exists()
