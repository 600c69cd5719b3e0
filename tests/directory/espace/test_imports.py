"""Uploading a file in the management space: queued, imported by the worker, reported."""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.enums import Role
from maillage.accounts.services import role_grant
from maillage.directory.enums import ImportStatus
from maillage.directory.models import ImportRun, Lieu, Source
from tests.directory.factories import LieuRowFactory

pytestmark = pytest.mark.django_db

ROWS = [
    LieuRowFactory(id="1"),
    LieuRowFactory(
        id="2",
        nom="Lieu sans commune",
        commune="Atlantide",
        code_postal="00000",
        adresse="1 rue de nulle part",
        without_point=True,
    ),
]


@pytest.fixture
def admin(make_user):
    return make_user("admin@example.fr", is_superuser=True, is_staff=True)


@pytest.fixture
def run_worker(monkeypatch):
    def run() -> None:
        # The worker closes connections it finds in a transaction; the test holds one.
        monkeypatch.setattr(
            "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
        )
        call_command("worker", burst=True, verbosity=0)

    return run


def _upload(client, content: bytes, name: str = "lieux.json", **extra):
    data = {"fichier": SimpleUploadedFile(name, content), "nouvelle_source": "Réseau test"}
    data.update(extra)
    return client.post(reverse("directory_espace:import_list"), data)


def test_only_curators_upload(client, make_user):
    client.force_login(make_user("gestion@example.fr"))
    assert client.get(reverse("directory_espace:import_list")).status_code == 403


def test_upload_is_queued_then_imported_by_the_worker(
    client, admin, run_worker, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, json.dumps(ROWS).encode())
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("directory_espace:import_detail", args=[run.pk])
    assert run.status == ImportStatus.PENDING and bytes(run.donnees) == json.dumps(ROWS).encode()
    assert run.created_by == admin and run.source.nom == "Réseau test"
    page = client.get(response.url).content.decode()
    assert "En attente" in page and 'http-equiv="refresh"' in page
    assert (
        client.get(reverse("directory_espace:import_progress", args=[run.pk])).json()["finished"]
        is False
    )

    run_worker()

    run.refresh_from_db()
    assert run.status == ImportStatus.DONE and run.donnees is None
    assert run.counts["crees"] == 1 and run.counts["rejetes"] == 1
    assert run.progress_done == run.progress_total == 2
    assert Lieu.objects.filter(nom="Espace numérique de Morlaix").exists()
    progress = client.get(reverse("directory_espace:import_progress", args=[run.pk])).json()
    assert progress == {
        "status": "termine",
        "status_label": "Terminé",
        "done": 2,
        "total": 2,
        "percent": 100,
        "stale": False,
        "finished": True,
    }
    page = client.get(reverse("directory_espace:import_detail", args=[run.pk])).content.decode()
    assert "Lieux créés : 1" in page and "Lignes rejetées : 1" in page
    assert "Commune introuvable" in page and 'http-equiv="refresh"' not in page
    report = client.get(reverse("directory_espace:import_report_csv", args=[run.pk]))
    text = report.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "ligne;champ;valeur;message;bloquant"
    assert "Commune introuvable" in text and "commune" in text
    listing = client.get(reverse("directory_espace:import_list")).content.decode()
    assert "lieux.json" in listing


def test_a_bad_file_fails_clearly_and_writes_nothing(
    client, admin, run_worker, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    before = Lieu.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, b"\x00\x01\x02 pas un fichier", name="lieux.csv")
    run_worker()
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED and run.message
    assert Lieu.objects.count() == before
    page = client.get(reverse("directory_espace:import_detail", args=[run.pk])).content.decode()
    assert "rien n’a été écrit" in page and "déposez-le à nouveau" in page


def test_upload_form_errors_are_explained(client, admin):
    client.force_login(admin)
    response = _upload(client, b"a;b", name="lieux.pdf", nouvelle_source="")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Format non reconnu" in html and "Choisissez la source" in html
    with override_settings(MAILLAGE_IMPORT_MAX_BYTES=10):
        response = _upload(client, b"x" * 2_000_000)
    assert "Fichier trop lourd" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_an_existing_source_can_be_picked(
    client, admin, run_worker, django_capture_on_commit_callbacks
):
    source = Source.objects.create(slug="partenaire", nom="Partenaire")
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, json.dumps(ROWS[:1]).encode(), source=source.pk, nouvelle_source="")
    assert ImportRun.objects.get().source == source


def test_territorial_administrator_uploads(client, make_user):
    from maillage.territories.models import Territoire

    user = make_user("territoire@example.fr")
    role_grant(user=user, role=Role.TERRITORY_ADMIN, territoire=Territoire.objects.first())
    client.force_login(user)
    assert client.get(reverse("directory_espace:import_list")).status_code == 200


def test_a_run_whose_worker_died_wrote_nothing_shows_interrupted_and_is_relaunched(
    client, admin, make_user, run_worker, django_capture_on_commit_callbacks
):
    """The worker dies in the middle of the import (here: an error raised from its progress
    callback, after the rows were written in the transaction): nothing is left in the
    directory; once silent past MAILLAGE_IMPORT_STALE_MINUTES the run shows "Interrompu" with
    an explanation, and a curator relaunches it with the same file."""
    from maillage.directory.imports.lieux import lieux_import
    from maillage.directory.imports.uploads import import_run_queue

    class WorkerKilled(BaseException):
        pass

    def die(done, total):
        raise WorkerKilled

    source = Source.objects.create(slug="reseau", nom="Réseau")
    run = import_run_queue(
        data=json.dumps(ROWS).encode(), filename="l.json", source=source, user=admin
    )
    with pytest.raises(WorkerKilled):
        lieux_import(
            data=json.dumps(ROWS).encode(), filename="l.json", source_name="", run=run, progress=die
        )
    run.refresh_from_db()
    assert (
        run.status == ImportStatus.RUNNING
        and not Lieu.objects.filter(nom__contains="Morlaix").exists()
    )

    client.force_login(admin)
    detail = reverse("directory_espace:import_detail", args=[run.pk])
    with override_settings(MAILLAGE_IMPORT_STALE_MINUTES=30):
        assert "import-stale" not in client.get(detail).content.decode()  # just started
        ImportRun.objects.filter(pk=run.pk).update(
            progress_at=timezone.now() - timedelta(minutes=31)
        )
        page = client.get(detail).content.decode()
        progress = client.get(reverse("directory_espace:import_progress", args=[run.pk])).json()
        assert progress["status_label"] == "Interrompu" and progress["finished"] is True
        assert "L’import a été interrompu : rien n’a été écrit" in page
        assert "Relancer l’import" in page and 'http-equiv="refresh"' not in page
        assert "Interrompu" in client.get(reverse("directory_espace:import_list")).content.decode()

        client.force_login(make_user("gestion@example.fr"))
        restart = reverse("directory_espace:import_restart", args=[run.pk])
        assert client.post(restart).status_code == 403  # curators only
        client.force_login(admin)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(restart)
    new_run = ImportRun.objects.exclude(pk=run.pk).get()
    assert response.url == reverse("directory_espace:import_detail", args=[new_run.pk])
    run.refresh_from_db()
    assert run.status == ImportStatus.INTERRUPTED and run.donnees is None
    run_worker()
    new_run.refresh_from_db()
    assert new_run.status == ImportStatus.DONE and new_run.counts["crees"] == 1
    assert Lieu.objects.filter(nom="Espace numérique de Morlaix").count() == 1


def _many_rows(count: int) -> list[dict]:
    return [
        {**ROWS[0], "id": f"n{i}", "nom": f"Point numérique {i}", "adresse": f"{i} rue de Brest"}
        for i in range(count)
    ]


def test_progress_shows_while_the_one_transaction_is_open(
    client, admin, run_worker, monkeypatch, tmp_path, settings, django_capture_on_commit_callbacks
):
    """On SQLite the import holds the only write lock until its commit: the worker writes its
    progress to a file beside the database, which the page reads while the run is running, and
    which is gone once the run ends."""
    from django.db import connection

    from maillage.directory.imports import progress_file, uploads

    if connection.vendor != "sqlite":
        pytest.skip(
            "PostgreSQL writes progress through a second connection, which cannot see a run "
            "created inside the test's transaction"
        )
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(progress_file, "MIN_INTERVAL_S", 0)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, json.dumps(_many_rows(450)).encode())
    run = ImportRun.objects.get()
    url = reverse("directory_espace:import_progress", args=[run.pk])
    seen: list[dict] = []
    real_import = uploads.lieux_import

    def lieux_import(**kwargs):
        writer = kwargs["progress"]

        def progress(done: int, total: int) -> None:
            writer(done, total)
            # What the run page asks for, in the middle of the import's transaction.
            seen.append(client.get(url).json())

        return real_import(**{**kwargs, "progress": progress})

    monkeypatch.setattr(uploads, "lieux_import", lieux_import)
    run_worker()

    first = seen[0]
    assert first["status"] == "en_cours" and first["finished"] is False
    assert first["done"] == 200 and first["total"] == 450 and 0 < first["percent"] < 100
    assert not progress_file.progress_path(run.pk).exists()
    final = client.get(url).json()
    assert final["finished"] is True and final["done"] == final["total"] == 450


def test_a_recent_progress_file_keeps_an_old_run_alive(admin, tmp_path, settings):
    from maillage.directory.imports.progress_file import progress_clear, progress_write

    settings.VAR_DIR = tmp_path
    settings.MAILLAGE_IMPORT_STALE_MINUTES = 30
    source = Source.objects.create(slug="vieux", nom="Vieux")
    run = ImportRun.objects.create(
        source=source,
        fichier="gros.csv",
        status=ImportStatus.RUNNING,
        progress_at=timezone.now() - timedelta(minutes=45),
    )
    assert run.is_stale and run.status_label == "Interrompu"
    progress_write(run.pk, phase="ecriture", done=5000, total=20000)
    assert not run.is_stale and run.status_label == "En cours"
    progress_clear(run.pk)
    assert run.is_stale
