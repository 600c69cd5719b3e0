"""`maillage serve`: migrate if needed, load the reference data and the demo once, then serve
with a background-task worker beside the web server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from maillage.directory.models import Categorie, Source
from maillage.directory.services.demo import MAIRIES
from maillage.observatory.models import ValeurIndicateur
from maillage.observatory.services import indicators_recompute
from maillage.territories.models import Commune, Territoire

DEMO_SOURCE = MAIRIES["slug"]


class Command(BaseCommand):
    help = (
        "Prépare la base (migrations, référentiel, démonstration, au premier lancement "
        "seulement) puis sert Maillage, avec un worker pour les tâches de fond."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--no-serve", action="store_true", help="Prépare la base sans lancer le serveur."
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Sert sans lancer le worker des tâches de fond (s'il tourne ailleurs).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Base de données à jour.")
        if not Commune.objects.exists():
            self.stdout.write("Premier lancement : chargement du référentiel des territoires…")
            call_command("load_reference")
        if not Categorie.objects.exists():
            call_command("load_taxonomie")
        if not Territoire.objects.exists():
            call_command("load_demo")
        if not Source.objects.filter(slug=DEMO_SOURCE).exists():
            self.stdout.write("Annuaire de démonstration : mairies et structures des stratégies…")
            call_command("load_demo_annuaire")
        if not ValeurIndicateur.objects.exists():
            # First time only, and only on the demo territories' communes (a few seconds
            # instead of half a minute for all of France) so the observatory shows something at
            # once; the next full recompute (after an import, or `maillage
            # indicateurs_calcul`) covers every commune and the true national medians.
            self.stdout.write("Indicateurs de l'observatoire : premier calcul (territoires)…")
            counts = indicators_recompute(
                communes=Commune.objects.communes().filter(territoires__isnull=False).distinct()
            )
            self.stdout.write(
                f"Indicateurs : {counts['indicateurs']} pour {counts['communes']} communes."
            )
        if options["no_serve"]:
            return
        address = f"{options['host']}:{options['port']}"
        worker = None if options["no_worker"] else self._worker_start()
        # A SIGTERM (a service manager, a test) must stop the worker and the server too.
        signal.signal(signal.SIGTERM, _raise_system_exit)
        try:
            self.stdout.write(self.style.SUCCESS(f"Maillage est servi sur http://{address}/"))
            if settings.DEBUG:
                call_command("runserver", address, use_reloader=False)
            else:
                call_command("collectstatic", interactive=False, verbosity=0)
                gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
                server = subprocess.Popen(  # noqa: S603 - our own server
                    [gunicorn, "-c", "python:config.gunicorn", "config.wsgi"]
                    + ["--bind", address, "--workers", "2"]
                )
                try:
                    if server.wait():  # gunicorn could not start (a port taken…): say so
                        raise SystemExit(server.returncode)
                finally:
                    _stop(server)
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                _stop(worker)
                self.stdout.write("Worker des tâches de fond arrêté.")

    def _worker_start(self) -> subprocess.Popen:
        """`maillage worker` beside the server, so that imports sent from the web, indicator
        recomputes and reminders run without a second terminal."""
        worker = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-c", "from maillage.cli import main; main()", "worker"]
        )
        self.stdout.write(
            f"Worker des tâches de fond lancé (processus {worker.pid}) : imports, recalcul des "
            "indicateurs, relances."
        )
        return worker


def _raise_system_exit(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _stop(process: subprocess.Popen, timeout: float = 20) -> None:
    """Ask a child to stop (a worker finishes its current task), then force it."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
