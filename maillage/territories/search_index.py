"""In-memory index for commune autocomplete; pure Python, no ORM.

All names sit in one string so that `re.finditer` (C speed) finds the query's words in
every commune at once; offsets map back to communes with a binary search. For 35,000
communes the index weighs a few megabytes and answers in about a millisecond.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SEPARATOR = "\n"


@dataclass(frozen=True)
class Entry:
    pk: int
    code: str
    type: str
    search_name: str
    postal_codes: tuple[str, ...]
    population: int


class CommuneIndex:
    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: list[Entry] = list(entries)
        starts: list[int] = []
        position = 0
        for entry in self.entries:
            starts.append(position)
            position += len(entry.search_name) + len(SEPARATOR)
        self._starts = starts
        self._names = SEPARATOR.join(entry.search_name for entry in self.entries)
        self._postal = sorted(
            (code, index) for index, entry in enumerate(self.entries) for code in entry.postal_codes
        )
        self._by_code: dict[str, list[int]] = {}
        for index, entry in enumerate(self.entries):
            self._by_code.setdefault(entry.code, []).append(index)

    def __len__(self) -> int:
        return len(self.entries)

    def _containing(self, word: str) -> set[int]:
        """Indexes of entries whose name contains `word`."""
        found = set()
        for match in re.finditer(re.escape(word), self._names):
            found.add(bisect.bisect_right(self._starts, match.start()) - 1)
        return found

    def _postal_prefixed(self, digits: str) -> set[int]:
        start = bisect.bisect_left(self._postal, (digits, -1))
        found = set()
        for code, index in self._postal[start:]:
            if not code.startswith(digits):
                break
            found.add(index)
        return found

    def search(self, key: str, *, types: Sequence[str], limit: int) -> list[Entry]:
        """Entries matching the normalised query `key`, best first (see `commune_search`)."""
        tokens = key.split()
        words = [t for t in tokens if not t.isdigit()]
        numbers = [t for t in tokens if t.isdigit()]
        if not tokens:
            return []
        entries = self.entries

        def has_number(index: int, number: str) -> bool:
            # Digits start a postal code, are the INSEE code, or belong to the name.
            entry = entries[index]
            return (
                entry.code == number
                or any(code.startswith(number) for code in entry.postal_codes)
                or number in entry.search_name
            )

        if words:
            # The longest word is the most selective: scan for it, then filter.
            first = max(words, key=len)
            rest = list(words)
            rest.remove(first)
            found = self._containing(first)
        else:
            first_number, numbers_rest = numbers[0], numbers[1:]
            found = (
                self._postal_prefixed(first_number)
                | set(self._by_code.get(first_number, ()))
                | self._containing(first_number)
            )
            rest = []
        checked_numbers = numbers if words else numbers_rest
        candidates = [
            i
            for i in found
            if all(word in entries[i].search_name for word in rest)
            and all(has_number(i, number) for number in checked_numbers)
        ]

        name = " ".join(words)

        def rank(index: int) -> tuple[int, int, str]:
            entry = entries[index]
            if entry.code in numbers or (
                not name and any(n in entry.postal_codes for n in numbers)
            ):
                level = 0
            elif name and entry.search_name == name:
                level = 0
            elif name and entry.search_name.startswith(name):
                level = 1
            elif name and f" {name}" in entry.search_name:
                level = 2
            else:
                level = 3
            return (level, -entry.population, entry.search_name)

        allowed = set(types)
        kept = (i for i in candidates if entries[i].type in allowed)
        return [self.entries[i] for i in heapq.nsmallest(limit, kept, key=rank)]
