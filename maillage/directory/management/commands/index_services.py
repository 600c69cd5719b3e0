"""`maillage index_services`: rebuild the full-text index of every service."""

from typing import Any

from django.core.management.base import BaseCommand

from maillage.directory.services import services_reindex


class Command(BaseCommand):
    help = "Reconstruit l'index de recherche plein texte de tous les services."

    def handle(self, *args: Any, **options: Any) -> None:
        count = services_reindex()
        self.stdout.write(self.style.SUCCESS(f"{count} services indexés."))
