"""Observatory benchmark, on real data (`benchmarks.run --only observatoire`).

In a fresh database (reference and demo loaded, then every real lieux file of
../shared/data that follows the national standard, as the directory benchmark does):
1. `indicators_recompute` for every French commune with the real lieux, median of 3 runs
   (each run replaces the day's snapshot, as a second run on the same day does in use);
2. our planner side by side with spopt's MCLP (`benchmarks/spopt_mclp.py`).
"""

from __future__ import annotations

import os
import statistics
import time


def run() -> dict:
    from django.db.models import Count

    from benchmarks import spopt_mclp
    from benchmarks.directory import DATA, national_import
    from maillage.directory.models import Categorie, Lieu
    from maillage.observatory.models import ValeurIndicateur
    from maillage.observatory.services import indicators_recompute

    imported = national_import() if DATA.exists() else None
    timings, counts, load = [], {}, []
    for _ in range(3):
        started = time.perf_counter()
        counts = indicators_recompute(wait_s=0)
        timings.append(time.perf_counter() - started)
        load.append(os.getloadavg()[0])  # other processes' load skews the figures
    top = (
        Categorie.objects.annotate(n=Count("services__lieux", distinct=True))
        .order_by("-n", "code")
        .values_list("code", "n")
        .first()
    )
    categorie = top[0] if top and top[1] else "demarches-administratives"
    mclp = spopt_mclp.run(categorie)
    load.append(os.getloadavg()[0])
    return {
        "load": load,
        "imported": imported,
        "lieux": Lieu.objects.count(),
        "recompute_s": timings,
        "recompute_median_s": statistics.median(timings),
        "counts": counts,
        "stored": ValeurIndicateur.objects.count(),
        "categorie": categorie,
        "mclp": mclp,
    }
