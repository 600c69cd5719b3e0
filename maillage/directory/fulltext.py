"""Full-text search of services: one function, an FTS5 and a PostgreSQL implementation.

Both backends index the same text, made in Python by `tokens()` (accents and case folded,
French stop words dropped, a light French stemming of plurals), and both match words by
prefix so that a query typed halfway finds its word. The two engines then agree on what
matches; they differ only in their ranking formula (bm25 vs ts_rank), which only orders
results of equal relevance differently.

Typo tolerance: every indexed word of four letters or more is also kept in a vocabulary table
(`directory_search_term`, the same on both databases). A query word that starts no word of the
vocabulary is replaced by the vocabulary words within a small edit distance ("mediateque" →
"mediatheque"), and the caller is told, so the page can say what it searched for.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection

from maillage.core.text import edit_distance, fold, stem

TABLE = "directory_service_fts"
VOCABULARY = "directory_search_term"
FUZZY_MIN_LENGTH = 4
FUZZY_ALTERNATIVES = 4
STOP_WORDS = frozenset(
    "a au aux avec ce ces dans de des du en et la le les l d un une pour par sur ou qui que "
    "mon ma mes son sa ses je j me m se s il elle on nous vous est sont".split()
)
_WORD = re.compile(r"[a-z0-9]+")


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


def create_vocabulary(apps: object = None, schema_editor: object = None) -> None:
    """The vocabulary table, filled from what is already indexed."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {VOCABULARY} (term varchar(80) PRIMARY KEY)")
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT body FROM {TABLE}")  # noqa: S608
            terms = {t for (body,) in cursor.fetchall() for t in body.split()}
        else:
            cursor.execute(f"SELECT word FROM ts_stat('SELECT body FROM {TABLE}')")  # noqa: S608
            terms = {word for (word,) in cursor.fetchall()}
    _remember(terms)


def drop_vocabulary(apps: object = None, schema_editor: object = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {VOCABULARY}")


def _remember(terms: Iterable[str]) -> None:
    """Add words to the vocabulary. Words are never removed: a stale word only proposes
    a correction that then matches nothing."""
    kept = sorted({t for t in terms if len(t) >= FUZZY_MIN_LENGTH and t.isalpha() and len(t) <= 80})
    with connection.cursor() as cursor:
        for start in range(0, len(kept), 1000):
            chunk = kept[start : start + 1000]
            marks = ",".join(["(%s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {VOCABULARY} (term) VALUES {marks} "  # noqa: S608
                "ON CONFLICT (term) DO NOTHING",
                chunk,
            )


def remove(ids: Iterable[int]) -> None:
    """Forget what was indexed for these services (deleted ones)."""
    rows = sorted(set(ids))
    key = "rowid" if connection.vendor == "sqlite" else "service_id"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            marks = ",".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {TABLE} WHERE {key} IN ({marks})", chunk)  # noqa: S608


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
    _remember(t for _, body in rows for t in body.split())


def close_words(word: str, vocabulary: Iterable[str]) -> list[str]:
    """Vocabulary words a mistyped word may stand for, closest first.

    One edit allowed up to 5 letters, two beyond; a word typed halfway is compared with the
    start of longer words ("mediateq" → "mediatheque").
    """
    limit = 1 if len(word) <= 5 else 2
    scored = []
    for term in vocabulary:
        distance = edit_distance(word, term, limit)
        if len(term) > len(word) + limit:
            distance = min(distance, edit_distance(word, term[: len(word)], limit))
        if distance <= limit:
            scored.append((distance, abs(len(term) - len(word)), term))
    scored.sort()
    return [term for _, _, term in scored[:FUZZY_ALTERNATIVES]]


def expand(query: str) -> tuple[list[list[str]], dict[str, list[str]]]:
    """The query's words, each with its alternatives, and the corrections made.

    A word is corrected only when no vocabulary word starts with it and it is long enough
    for a typo to be told from another word.
    """
    alternatives: list[list[str]] = []
    corrections: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for word in tokens(query):
            if len(word) < FUZZY_MIN_LENGTH or not word.isalpha():
                alternatives.append([word])
                continue
            cursor.execute(
                f"SELECT 1 FROM {VOCABULARY} WHERE term >= %s AND term < %s LIMIT 1",  # noqa: S608
                [word, word + "{"],
            )
            if cursor.fetchone():
                alternatives.append([word])
                continue
            # Typos rarely hit the first letter; reading only that letter's words keeps
            # this to a few thousand comparisons at most.
            cursor.execute(
                f"SELECT term FROM {VOCABULARY} WHERE term >= %s AND term < %s",  # noqa: S608
                [word[0], chr(ord(word[0]) + 1)],
            )
            found = close_words(word, (term for (term,) in cursor.fetchall()))
            if found:
                corrections[word] = found
            alternatives.append(found or [word])
    return alternatives, corrections


def matcher(words: list[list[str]]) -> Callable[[str], float | None]:
    """The rank function of a document for query words (lower is better, None when a word
    is missing): the same rule as the engines, every query word (or one of its
    alternatives) must start some word of the document.

    Documents are words joined by single spaces, so the words starting with `w` are the
    occurrences of " w" in " " + document, which `str.count` finds at C speed; an
    alternative that another one starts is dropped first, not to count a word twice.
    """
    needles = [
        [" " + w for w in set(group) if not any(w != o and w.startswith(o) for o in group)]
        for group in words
    ]

    def rank(body: str) -> float | None:
        padded = " " + body
        score = 0
        for group in needles:
            hits = sum(padded.count(needle) for needle in group)
            if not hits:
                return None
            score += hits
        length = body.count(" ") + 1 if body else 0
        return -score / math.sqrt(length + 1)

    return rank


def ranks(query: str | list[list[str]], ids: set[int] | None = None) -> dict[int, float]:
    """{service id: rank} for the services matching the query (lower rank is better),
    among `ids` when given (a few thousand at most: the caller narrows first).

    The query is text, or words with their alternatives as `expand()` gives them.
    """
    words = [[w] for w in tokens(query)] if isinstance(query, str) else query
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
                rank_of = matcher(words)
                for pk, body in cursor.fetchall():
                    rank = rank_of(body)
                    if rank is not None:
                        found[int(pk)] = rank
                return found
            expression = " AND ".join(
                "(" + " OR ".join(f'"{w}"*' for w in alternatives) + ")" for alternatives in words
            )
            cursor.execute(
                f"SELECT rowid, rank FROM {TABLE} WHERE {TABLE} MATCH %s",  # noqa: S608
                [expression],
            )
            return {int(pk): float(rank) for pk, rank in cursor.fetchall()}
        expression = " & ".join(
            "(" + " | ".join(f"{w}:*" for w in alternatives) + ")" for alternatives in words
        )
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
