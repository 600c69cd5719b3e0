"""Full-text search of services: one function, an FTS5 and a PostgreSQL implementation.

Both backends index the same text, made in Python by `tokens()` (accents and case folded,
French stop words dropped, a light French stemming of plurals), and both match words by
prefix so that a query typed halfway finds its word. The two engines then agree on what
matches; they differ only in their ranking formula (bm25 vs ts_rank), which only orders
results of equal relevance differently.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any

from django.db import connection

from maillage.core.text import fold

TABLE = "directory_service_fts"
STOP_WORDS = frozenset(
    "a au aux avec ce ces dans de des du en et la le les l d un une pour par sur ou qui que "
    "mon ma mes son sa ses je j me m se s il elle on nous vous est sont".split()
)
_WORD = re.compile(r"[a-z0-9]+")


def stem(word: str) -> str:
    """A light French stemming: plural and feminine endings only, enough for search."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, replacement in (("eaux", "eau"), ("aux", "al"), ("ees", "e"), ("es", "e")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + replacement
    if word.endswith(("s", "x")) and not word.endswith("ss"):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(fold(text)) if w not in STOP_WORDS]


def document(parts: Iterable[str]) -> str:
    return " ".join(t for part in parts for t in tokens(part))


def create_table(apps: object = None, schema_editor: object = None) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                # rowid is the service id: lookups by id are index seeks.
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
                "body, tokenize='unicode61 remove_diacritics 2')"
            )
        else:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} ("
                "service_id bigint PRIMARY KEY, body tsvector NOT NULL)"
            )
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_body ON {TABLE} USING gin (body)")


def drop_table(apps: object = None, schema_editor: object = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def index(documents: Iterable[tuple[int, str]]) -> None:
    """(service id, document) pairs, replacing what was indexed for those services."""
    rows = list(documents)
    if not rows:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            ids = [service_id for service_id, _ in chunk]
            marks = ",".join(["%s"] * len(ids))
            key = "rowid" if connection.vendor == "sqlite" else "service_id"
            cursor.execute(f"DELETE FROM {TABLE} WHERE {key} IN ({marks})", ids)  # noqa: S608
            if connection.vendor == "sqlite":
                cursor.executemany(
                    f"INSERT INTO {TABLE} (rowid, body) VALUES (%s, %s)",  # noqa: S608
                    chunk,
                )
            else:
                cursor.executemany(
                    f"INSERT INTO {TABLE} (service_id, body) "  # noqa: S608
                    "VALUES (%s, to_tsvector('simple', %s))",
                    chunk,
                )


def matches(words: list[str], body: str) -> float | None:
    """Rank of a document for query words (lower is better), None when a word is missing.

    The same rule as the engines: every query word must start some word of the document.
    """
    document_words = body.split()
    score = 0
    for word in words:
        hits = sum(1 for token in document_words if token.startswith(word))
        if not hits:
            return None
        score += hits
    return -score / math.sqrt(len(document_words) + 1)


def ranks(query: str, ids: set[int] | None = None) -> dict[int, float]:
    """{service id: rank} for the services matching the query (lower rank is better),
    among `ids` when given (a few thousand at most: the caller narrows first)."""
    words = tokens(query)
    if not words or ids == set():
        return {}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            if ids is not None:
                # FTS5 is slow at MATCH restricted to a set of rowids (it scores every
                # match); reading those few documents by rowid and matching them here,
                # with the same rule, is a thousand times faster.
                cursor.execute(
                    f"SELECT rowid, body FROM {TABLE} "  # noqa: S608
                    "WHERE rowid IN (SELECT value FROM json_each(%s))",
                    [json.dumps(sorted(ids))],
                )
                found = {}
                for pk, body in cursor.fetchall():
                    rank = matches(words, body)
                    if rank is not None:
                        found[int(pk)] = rank
                return found
            expression = " AND ".join(f'"{w}"*' for w in words)
            cursor.execute(
                f"SELECT rowid, rank FROM {TABLE} WHERE {TABLE} MATCH %s",  # noqa: S608
                [expression],
            )
            return {int(pk): float(rank) for pk, rank in cursor.fetchall()}
        expression = " & ".join(f"{w}:*" for w in words)
        sql = (
            f"SELECT service_id, -ts_rank(body, to_tsquery('simple', %s)) "  # noqa: S608
            f"FROM {TABLE} WHERE body @@ to_tsquery('simple', %s)"
        )
        params: list[Any] = [expression, expression]
        if ids is not None:
            sql += " AND service_id = ANY(%s)"
            params.append(sorted(ids))
        cursor.execute(sql, params)
        return {int(pk): float(rank) for pk, rank in cursor.fetchall()}
