"""`maillage referrals_remind`: remind the structures of unanswered mises en relation.

Run it every hour from cron or a systemd timer (docs/referrals.md); `--queue` hands the
work to the background worker instead of doing it now.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from maillage.referrals.services import referrals_remind

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Relance par e-mail les structures dont une mise en relation reste « nouvelle » "
        "au-delà de MAILLAGE_REFERRAL_REMINDER_HOURS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue", action="store_true", help="Confier la relance au worker (tâche de fond)."
        )

    def handle(self, *args: Any, queue: bool = False, **options: Any) -> None:
        if queue:
            from maillage.referrals.tasks import referrals_remind_task

            result = referrals_remind_task.enqueue()
            self.stdout.write(f"Relance confiée au worker (tâche {result.id}).")
            return
        count = referrals_remind()
        self.stdout.write(
            f"{count} mise(s) en relation relancée(s) "
            f"(délai {settings.MAILLAGE_REFERRAL_REMINDER_HOURS} h, "
            f"{settings.MAILLAGE_REFERRAL_REMINDER_MAX} relance(s) au plus)."
        )
