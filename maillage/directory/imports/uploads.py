"""Files uploaded in the management space: kept on an ImportRun, imported by the worker."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import connections, transaction
from django.utils import timezone
from django.utils.text import slugify

from ..enums import ImportStatus
from ..models import ImportRun, Source
from .errors import FileFormatError
from .lieux import lieux_import
from .progress_file import ProgressFile, progress_clear

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

    from maillage.accounts.models import User

logger = logging.getLogger(__name__)


def source_for_upload(*, source: Source | None, nouvelle_source: str) -> Source:
    if source is not None:
        return source
    nom = nouvelle_source.strip()
    found, _ = Source.objects.get_or_create(
        slug=slugify(nom)[:100] or "source", defaults={"nom": nom}
    )
    return found


def import_run_queue(*, data: bytes, filename: str, source: Source, user: User) -> ImportRun:
    """Store the uploaded file on a new run waiting for the worker, and queue the task."""
    from ..tasks import import_run_task

    with transaction.atomic():
        run = ImportRun.objects.create(
            source=source,
            fichier=filename[:500],
            status=ImportStatus.PENDING,
            donnees=data,
            created_by=user,
        )
        transaction.on_commit(lambda: import_run_task.enqueue(run.pk))
    return run


class _ProgressWriter:
    """Writes an import's progress where the run page can read it while the import runs.

    `lieux_import` writes the valid rows in one transaction, so progress written through the
    same connection only shows at the commit. On PostgreSQL a second connection in autocommit
    makes it visible at once, to every app server. SQLite allows one writer at a time and the
    import holds the lock until the commit: there the progress goes to a small file beside the
    database (`progress_file`), read by the run page, and removed when the run ends.
    """

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.connection: BaseDatabaseWrapper | None = None
        self.file: ProgressFile | None = None
        if connections["default"].vendor == "sqlite":
            self.file = ProgressFile(run_id)
        else:
            self.connection = connections.create_connection("default")

    def __call__(self, done: int, total: int) -> None:
        if self.file is not None:
            self.file(done, total)
        if self.connection is None:
            return
        table = ImportRun._meta.db_table
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET progress_done = %s, progress_total = %s, "  # noqa: S608
                "progress_at = %s WHERE id = %s",
                [done, total, timezone.now(), self.run_id],
            )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        # The run has ended (done, failed or its worker stopped): its figures are in the row.
        progress_clear(self.run_id)


def import_run_restart(*, run: ImportRun, user: User) -> ImportRun:
    """Relaunch an import whose worker died: the stale run is closed as "interrompu" and a
    new run is queued with the same file. Nothing of the stale run was written (the rows go
    in with the run's final status, in one transaction), so starting over is safe."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        if not run.is_stale:
            raise ValueError("Cet import n'est pas interrompu : il ne peut pas être relancé.")
        if run.donnees is None:
            raise ValueError("Le fichier de cet import n'est plus conservé : déposez-le à nouveau.")
        data = bytes(run.donnees)
        run.status = ImportStatus.INTERRUPTED
        run.finished_at = timezone.now()
        run.donnees = None
        run.message = (
            "Import interrompu : il n'a plus donné signe de vie (le traitement en arrière-plan "
            "s'est arrêté). Rien n'en a été écrit dans l'annuaire ; il a été relancé."
        )
        run.save(update_fields=["status", "finished_at", "donnees", "message"])
        progress_clear(run.pk)  # left behind by the worker that died
        return import_run_queue(data=data, filename=run.fichier, source=run.source, user=user)


def import_run_execute(*, run_id: int) -> dict[str, int]:
    """Run a queued import, writing its progress on the run as it goes."""
    run = ImportRun.objects.get(pk=run_id)
    if run.status != ImportStatus.PENDING or run.donnees is None:
        logger.warning("import run %s is not waiting (status %s): skipped", run.pk, run.status)
        return dict(run.counts)
    data = bytes(run.donnees)

    writer = _ProgressWriter(run.pk)
    try:
        result = lieux_import(
            data=data,
            filename=run.fichier,
            source_name=run.source.nom,
            progress=writer,
            run=run,
        )
    except FileFormatError:
        # lieux_import has recorded the failure and its message on the run.
        ImportRun.objects.filter(pk=run.pk).update(donnees=None)
        return {}
    except Exception:
        logger.exception("import run %s failed", run.pk)
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportStatus.FAILED,
            finished_at=timezone.now(),
            donnees=None,
            message="Erreur inattendue pendant l'import : rien n'a été écrit. Réessayez ; si "
            "l'erreur revient, transmettez le fichier à l'équipe technique.",
        )
        raise
    finally:
        writer.close()
    total = result.run.counts.get("lignes", 0)
    ImportRun.objects.filter(pk=run.pk).update(
        donnees=None, progress_done=total, progress_total=total
    )
    return dict(result.run.counts)
