"""Top-1 / top-3 accuracy of need understanding on a hand-written labelled set.

`orientation_eval.psv` holds needs written the way people write them (typos, no accents,
SMS, rambling, very short), each with its profile and the expected category. The lexicon
was written from the taxonomy and general knowledge before this set; lines are split in two
halves by position: the even lines (« réglage ») may be read when improving the lexicon,
the odd lines (« test ») are only ever counted.

The baseline is the plain keyword match of the taxonomy's example words.
"""

from __future__ import annotations

import csv
import statistics
import time
from pathlib import Path

from maillage.orientation import understanding

DATA = Path(__file__).resolve().parent / "orientation_eval.psv"
# Written after the engine, on purpose vague or indirect (no category word, several needs at
# once, a consequence rather than a need); never read to change the lexicon: a stress test.
HARD = Path(__file__).resolve().parent / "orientation_eval_difficile.psv"


def cases(path: Path = DATA) -> list[tuple[str, str, str]]:
    """(profil, expected code, text)."""
    with path.open(encoding="utf-8") as handle:
        return [
            (row["profil"], row["categorie"], row["besoin"])
            for row in csv.DictReader(handle, delimiter="|")
        ]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def evaluate(lexicon: understanding.Lexicon | None = None) -> dict[str, object]:
    lexicon = lexicon or understanding.build_lexicon()
    rows = understanding.taxonomy_rows()
    data = cases()
    hard = cases(HARD)
    counts: dict[str, dict[str, list[int]]] = {
        split: {"moteur_top1": [], "moteur_top3": [], "base_top1": [], "base_top3": []}
        for split in ("réglage", "test", "tout", "difficile")
    }
    timings: list[float] = []
    errors: list[tuple[str, str, str, list[str]]] = []
    for index, (profil, expected, text) in enumerate(data + hard):
        started = time.perf_counter()
        result = understanding.understand(text, profil, lexicon)
        timings.append((time.perf_counter() - started) * 1000)
        codes = [c.code for c in result.categories]
        base = understanding.keyword_baseline(text, rows)
        hits = {
            "moteur_top1": int(codes[:1] == [expected]),
            "moteur_top3": int(expected in codes[:3]),
            "base_top1": int(base[:1] == [expected]),
            "base_top3": int(expected in base[:3]),
        }
        if index >= len(data):
            splits: tuple[str, ...] = ("difficile",)
        else:
            splits = ("réglage" if index % 2 == 0 else "test", "tout")
        for split in splits:
            for key, value in hits.items():
                counts[split][key].append(value)
        if not hits["moteur_top1"] and index < len(data) and index % 2 == 0:
            errors.append((profil, expected, text, codes[:3]))
    figures = {
        split: {key: statistics.fmean(values) for key, values in split_counts.items()}
        | {"n": len(split_counts["moteur_top1"])}
        for split, split_counts in counts.items()
    }
    return {
        "figures": figures,
        "p50_ms": percentile(timings, 50),
        "p95_ms": percentile(timings, 95),
        "max_ms": max(timings),
        "categories": len({c[1] for c in data}),
        "profils": len({c[0] for c in data}),
        "errors_reglage": errors,
    }


if __name__ == "__main__":
    import django

    django.setup()
    result = evaluate()
    for split, f in result["figures"].items():  # type: ignore[attr-defined]
        print(split, {k: round(v, 3) for k, v in f.items()})
    print("p50", result["p50_ms"], "p95", result["p95_ms"], "max", result["max_ms"])
    for error in result["errors_reglage"]:  # type: ignore[attr-defined]
        print(error)
