# ruff: noqa: E501
"""Precision and recall of the deduplication on labelled pairs built from real files.

The two files are two publications of the conseillers numériques' lieux (ANCT, 2022 and
the mednum-cli input): they share the lieu identifier of the CNFS programme, which the
deduplication never sees. Labels:
- positive: the same identifier in both files (the same lieu, published twice, often with
  a different name or address spelling);
- also positive: different identifiers with the same name and the same address (the same
  lieu registered twice, typically by two conseillers working there);
- negative: other pairs of different identifiers less than 1 km apart.
Thresholds were set on the pairs whose identifier hash is even; the figures reported are
on the odd half, which played no part in setting them.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from maillage.core.text import fold
from maillage.directory import dedup
from maillage.directory.imports.standard import normalize_row, read_rows

from .common import DATA, machine, markers, publish

NAME = "doublons"
#: Why the section cannot run without the real files (printed when they are absent).
NEEDS_DATA = "les paires étiquetées sont construites depuis deux fichiers réels"
LEFT = "anct-client-application/lieux-de-mediation-numerique.cnfs.json"
RIGHT = "anct-mednum-cli/input/cnfs.json"


def places(path: str) -> dict[str, dedup.Place]:
    data = (DATA / path).read_bytes()
    out = {}
    for line, row in read_rows(data, path):
        record, _ = normalize_row(line, row, {})
        if record is None or record.source_id in out:
            continue
        out[record.source_id] = dedup.Place(
            key=record.source_id,
            nom=record.nom,
            adresse=record.adresse,
            code_postal=record.code_postal,
            pivot=record.pivot,
            latitude=record.latitude,
            longitude=record.longitude,
        )
    return out


def half(key: str) -> str:
    return "reglage" if int(hashlib.sha256(key.encode()).hexdigest(), 16) % 2 == 0 else "test"


def labelled_pairs() -> list[tuple[dedup.Place, dedup.Place, bool]]:
    left, right = places(LEFT), places(RIGHT)
    pairs = []
    for key in sorted(set(left) & set(right)):
        pairs.append((left[key], right[key], True))
    for a, b in dedup.candidate_pairs(left.values(), right.values()):
        if a.key != b.key and a.latitude is not None and b.latitude is not None:
            if dedup.haversine_km(a.latitude, a.longitude, b.latitude, b.longitude) < 1:
                same = fold(a.nom) == fold(b.nom) and fold(a.adresse) == fold(b.adresse)
                pairs.append((a, b, same))
    return pairs


def evaluate() -> dict:
    pairs = labelled_pairs()
    results = {}
    for split in ("reglage", "test"):
        chosen = [(a, b, label) for a, b, label in pairs if half(a.key + b.key) == split]
        tp = fp = fn = review_pos = review_neg = 0
        for a, b, label in chosen:
            verdict = dedup.decision(dedup.features(a, b))
            if verdict == "doublon":
                tp += label
                fp += not label
            else:
                fn += label
                if verdict == "a_verifier":
                    review_pos += label
                    review_neg += not label
        positives = sum(label for *_, label in chosen)
        results[split] = {
            "paires": len(chosen),
            "positives": positives,
            "negatives": len(chosen) - positives,
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "rappel": tp / positives if positives else 1.0,
            "a_verifier": review_pos + review_neg,
            "rappel_avec_revue": (tp + review_pos) / positives if positives else 1.0,
        }
    return results


if __name__ == "__main__":
    print(json.dumps(evaluate(), indent=1))


def render(results: dict) -> str:
    begin, end = markers(NAME)
    rows = [
        f"| {split} | {r['paires']:,} | {r['positives']:,} | {r['negatives']:,} | "
        f"**{r['precision']:.3f}** | **{r['rappel']:.3f}** | {r['a_verifier']} | "
        f"{r['rappel_avec_revue']:.3f} |"
        for split, r in results.items()
    ]
    return "\n".join(
        [
            begin,
            "### Déduplication entre sources",
            "",
            f"- Date : {datetime.now(UTC):%Y-%m-%d %H:%M} UTC ; machine : {machine()}",
            f"- Paires étiquetées construites depuis `{LEFT}` et `{RIGHT}`",
            "  (règles d'étiquetage dans `benchmarks/dedup_eval.py`) ; seuils réglés sur la moitié",
            "  « reglage », chiffres de référence sur la moitié « test ».",
            f"- Seuils : fusion ≥ {dedup.MERGE} (et noms proches ou même SIRET), revue ≥ {dedup.REVIEW}.",
            "",
            "| moitié | paires | positives | négatives | précision | rappel | à vérifier | rappel avec la revue |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            "Objectif de l'issue : précision ≥ 0,95 et rappel ≥ 0,9. Les « faux positifs » restants",
            "que nous avons lus sont pour la plupart le même lieu écrit autrement (« Médiathèque » et",
            "« Médiathèque Agathoise » à la même adresse) : les étiquettes automatiques comptent trop",
            "peu de positives, la précision mesurée est donc un minorant.",
            end,
        ]
    )


def section(env: dict[str, str]) -> None:
    """Pure computation on the real files: no database."""
    publish(NAME, render(evaluate()))
