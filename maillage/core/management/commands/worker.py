"""`maillage worker`: run background tasks from the configured queue."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Exécute les tâches de fond : file en base de données par défaut, "
        "Redis/RQ quand REDIS_URL est défini."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--burst",
            action="store_true",
            help="Traite les tâches en attente puis s'arrête (cron, tests).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASKS["default"]["BACKEND"]
        if backend == "django_tasks_rq.RQBackend":
            self.stdout.write("Worker RQ sur Redis, file « default ».")
            extra = ["--burst"] if options["burst"] else []
            call_command("rqworker", "default", "--job-class", "django_tasks_rq.Job", *extra)
        else:
            self.stdout.write("Worker sur la file en base de données.")
            extra = ["--batch"] if options["burst"] else []
            # Never the autoreloader (db_worker's default under DEBUG): it re-executes
            # sys.argv, which is `-c` when `maillage serve` starts us, and dies at once.
            call_command("db_worker", "--interval", "1", "--no-reload", *extra)
