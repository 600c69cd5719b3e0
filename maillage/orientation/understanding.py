"""Understanding a need written in free French: text + profile → ranked taxonomy categories.

Pure computation, no ORM, no network. The lexicon is built from three layers: the taxonomy
(labels, descriptions, example words), the curated lexicon shipped in `data/lexique.json`, and
the entries administrators add in the back-office (read by `selectors.lexicon_active`).

How a text is read:
1. fold accents and case, drop HTML tags, split into words;
2. expand SMS spellings and colloquial shortcuts ("jvoudrai", "ordi", "mdp"), cut glued
   elisions ("lordi" → "ordi");
3. drop stop words and reduce each word to a root (plurals, common verb and noun endings);
4. match roots against the lexicon: exactly, by prefix (a root of five letters or more), or
   within a small edit distance (typos, reported as corrections);
5. each matched root gives its weight to the categories that use it, divided by how many
   categories share it; an expression whose words are all present adds a bonus;
6. the profile multiplies the families it usually needs (an `entreprise` asking about "site"
   → the entreprise family);
7. raw scores are squashed into [0, 1]; every category keeps the signals that made it.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.resources import files

from maillage.core.text import edit_distance, fold
from maillage.core.text import stem as plural_stem
from maillage.directory.taxonomy import taxonomie_rows as taxonomy_rows  # the one reader

from .vocabulary import CONTEXT_WEIGHT, CONTEXT_WORDS, ELISIONS, ENDINGS, SMS, STOP_WORDS

MAX_CHARS = 2000
_TAG = re.compile(r"<[^>]{0,200}>")
_WORD = re.compile(r"[a-z0-9]+")

PREFIX_MIN = 5
# Shorter roots are too often another real word ("mari" is not "mairie").
TYPO_MIN = 5
TYPO_WEIGHT = 0.75
PREFIX_WEIGHT = 0.8
PHRASE_BONUS = 1.0
SQUASH = 1.2
# A category ticked in the list counts as much as a need stated plainly (score ≈ 0.92).
CHOSEN_POINTS = 3.0


def root(word: str) -> str:
    """The root of a folded word: plural, then one common ending, removed."""
    word = plural_stem(word)
    if word.isdigit() or len(word) <= 4:
        return word
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def words(text: str) -> list[str]:
    """Folded words of a text with SMS spellings expanded (stop words kept)."""
    text = _TAG.sub(" ", text[:MAX_CHARS])
    out: list[str] = []
    for token in _WORD.findall(fold(text)):
        out.extend(SMS.get(token, token).split())
    return out


@dataclass(frozen=True)
class Term:
    """One way of saying a category: a word or an expression, with its weight."""

    code: str
    text: str
    roots: tuple[str, ...]
    source: str  # "libellé", "exemple de la taxonomie", "lexique", "administrateur", …
    weight: float


@dataclass(frozen=True)
class CategoryInfo:
    code: str
    libelle: str
    famille: str


@dataclass
class Signal:
    """Why a category got points: the word typed, what it matched, how."""

    mot: str
    terme: str
    source: str
    maniere: str  # "exact", "préfixe", "faute corrigée", "expression", "profil"
    points: float

    def as_dict(self) -> dict[str, object]:
        return {
            "mot": self.mot,
            "terme": self.terme,
            "source": self.source,
            "maniere": self.maniere,
            "points": round(self.points, 3),
        }


@dataclass
class CategoryScore:
    code: str
    libelle: str
    famille: str
    score: float
    raw: float
    signals: list[Signal] = field(default_factory=list)


@dataclass
class Understanding:
    categories: list[CategoryScore]
    mots: list[str]  # the words read, after SMS expansion and stop words
    corrections: dict[str, str]  # typed word → lexicon word it was read as
    inconnus: list[str]  # words that matched nothing
    profil: str
    version: int

    @property
    def understood(self) -> bool:
        return bool(self.categories)


# Profile priors: multiplier per family, then per category. Shown as a signal.
FAMILY_PRIORS: dict[str, dict[str, float]] = {
    "particulier": {"inclusion": 1.3, "entreprise": 0.7, "collectivite": 0.5},
    "entreprise": {"inclusion": 0.7, "entreprise": 1.3, "collectivite": 0.5},
    "association": {"inclusion": 0.95, "entreprise": 1.1, "collectivite": 0.6},
    "collectivite": {"inclusion": 0.75, "entreprise": 0.85, "collectivite": 1.45},
    "porteur_de_projet": {"inclusion": 0.75, "entreprise": 1.3, "collectivite": 0.5},
    "professionnel": {"inclusion": 1.2, "entreprise": 0.85, "collectivite": 0.85},
}
CATEGORY_PRIORS: dict[str, dict[str, float]] = {
    "porteur_de_projet": {"creation-entreprise": 1.2, "financement": 1.15},
    "association": {"financement": 1.1, "communication-reseaux-sociaux": 1.1},
    "professionnel": {"demarches-administratives": 1.1},
}


class Lexicon:
    """Every term of every category, indexed for matching. Built once per version."""

    def __init__(
        self,
        categories: Iterable[CategoryInfo],
        terms: Iterable[Term],
        version: int = 0,
    ) -> None:
        self.version = version
        self.categories = {c.code: c for c in categories}
        self.terms = [t for t in terms if t.code in self.categories and t.roots]
        by_root: dict[str, dict[str, Term]] = defaultdict(dict)
        for term in self.terms:
            share = term.weight / (len(term.roots) if len(term.roots) > 1 else 1)
            for r in term.roots:
                best = by_root[r].get(term.code)
                best_share = 0.0
                if best is not None:
                    best_share = best.weight / (len(best.roots) if len(best.roots) > 1 else 1)
                if best is None or share > best_share:
                    by_root[r][term.code] = term
        self.by_root = dict(by_root)
        # A root used by many categories tells less: its points are divided by this.
        self.spread = {r: math.sqrt(len(codes)) for r, codes in self.by_root.items()}
        self.phrases = [t for t in self.terms if len(t.roots) > 1]
        self.by_initial: dict[str, list[str]] = defaultdict(list)
        for r in self.by_root:
            self.by_initial[r[0]].append(r)
        self.sorted_roots = sorted(self.by_root)

    def knows(self, r: str) -> bool:
        return r in self.by_root

    def resolve(self, r: str) -> tuple[str, str, float] | None:
        """(lexicon root, manner, factor) a query root stands for, or None."""
        if r in self.by_root:
            return r, "exact", 1.0
        if len(r) >= PREFIX_MIN:
            longer = self._first_with_prefix(r)
            if longer is not None:
                return longer, "préfixe", PREFIX_WEIGHT
            for cut in range(len(r) - 1, PREFIX_MIN - 1, -1):
                if r[:cut] in self.by_root:
                    return r[:cut], "préfixe", PREFIX_WEIGHT
        if len(r) >= TYPO_MIN and r.isalpha():
            limit = 1 if len(r) <= 6 else 2
            best: tuple[int, int, str] | None = None
            for candidate in self.by_initial.get(r[0], ()):
                if abs(len(candidate) - len(r)) > limit or len(candidate) < 4:
                    continue
                distance = edit_distance(r, candidate, limit)
                if distance <= limit:
                    key = (distance, abs(len(candidate) - len(r)), candidate)
                    if best is None or key < best:
                        best = key
            if best is not None:
                return best[2], "faute corrigée", TYPO_WEIGHT
        return None

    def _first_with_prefix(self, r: str) -> str | None:
        import bisect

        index = bisect.bisect_left(self.sorted_roots, r)
        if index < len(self.sorted_roots) and self.sorted_roots[index].startswith(r):
            return self.sorted_roots[index]
        return None


def text_roots(text: str) -> list[str]:
    return [root(w) for w in words(text) if w not in STOP_WORDS]


def make_term(code: str, text: str, source: str, weight: float) -> Term:
    return Term(code, text, tuple(dict.fromkeys(text_roots(text))), source, weight)


def taxonomy_terms(rows: Iterable[dict[str, str]]) -> list[Term]:
    """Terms from the taxonomy itself: label, example words, description (weak)."""
    terms = []
    for row in rows:
        code = row["code"]
        terms.append(make_term(code, row["libelle"], "libellé", 0.8))
        for example in row.get("exemples", "").split(";"):
            if example.strip():
                terms.append(make_term(code, example.strip(), "exemple de la taxonomie", 1.5))
        for chunk in re.split(r"[,:;.()]", row.get("description", "")):
            if chunk.strip():
                terms.append(make_term(code, chunk.strip(), "description", 0.5))
    return terms


def shipped_entries() -> dict[str, dict[str, list[str]]]:
    """The curated lexicon shipped with the code: {code: {"synonymes": [], "exemples": []}}."""
    data = files("maillage.orientation").joinpath("data/lexique.json").read_text("utf-8")
    loaded: dict[str, dict[str, list[str]]] = json.loads(data)
    return loaded


def shipped_terms() -> list[Term]:
    terms = []
    for code, entry in shipped_entries().items():
        if code.startswith("_"):
            continue
        for text in entry.get("synonymes", []):
            weight = 2.0 if text.startswith("!") else 1.2
            terms.append(make_term(code, text.lstrip("!"), "lexique", weight))
        for text in entry.get("exemples", []):
            terms.append(make_term(code, text, "lexique (exemple)", 1.2))
    return terms


def build_lexicon(
    rows: list[dict[str, str]] | None = None,
    extra: Iterable[Term] = (),
    version: int = 0,
    with_shipped: bool = True,
) -> Lexicon:
    rows = taxonomy_rows() if rows is None else rows
    categories = [CategoryInfo(r["code"], r["libelle"], r["famille"]) for r in rows]
    terms = taxonomy_terms(rows) + (shipped_terms() if with_shipped else []) + list(extra)
    return Lexicon(categories, terms, version)


def _read(text: str, lexicon: Lexicon) -> tuple[list[str], list[str]]:
    """(the words typed, their roots), stop words dropped, glued elisions cut."""
    read: list[str] = []
    typed: list[str] = []
    for word in words(text):
        if word in STOP_WORDS:
            continue
        r = root(word)
        if not lexicon.knows(r):
            for elision in ELISIONS:
                rest = word[len(elision) :]
                if word.startswith(elision) and len(rest) >= 4 and lexicon.knows(root(rest)):
                    word, r = rest, root(rest)
                    break
        read.append(r)
        typed.append(word)
    return typed, read


@dataclass
class _Points:
    """What the words of a text gave each category."""

    raw: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    signals: dict[str, list[Signal]] = field(default_factory=lambda: defaultdict(list))
    corrections: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    present: dict[str, str] = field(default_factory=dict)  # lexicon root → the word typed


def _word_points(typed: list[str], read: list[str], lexicon: Lexicon) -> _Points:
    """Each matched root gives its weight to the categories using it, once per root."""
    points = _Points()
    seen: set[str] = set()
    for word, r in zip(typed, read, strict=True):
        resolved = lexicon.resolve(r)
        if resolved is None:
            if word not in points.unknown:
                points.unknown.append(word)
            continue
        target, manner, factor = resolved
        points.present.setdefault(target, word)
        if target in seen:
            continue
        seen.add(target)
        if manner == "faute corrigée":
            points.corrections[word] = target
        spread = lexicon.spread[target]
        if word in CONTEXT_WORDS:
            factor *= CONTEXT_WEIGHT
        for code, term in lexicon.by_root[target].items():
            share = term.weight / (len(term.roots) if len(term.roots) > 1 else 1)
            value = share * factor / spread
            points.raw[code] += value
            points.signals[code].append(Signal(word, term.text, term.source, manner, value))
    return points


def _phrase_bonus(points: _Points, lexicon: Lexicon) -> None:
    """An expression whose words are all there adds a bonus, once per category and words."""
    bonus: dict[tuple[str, tuple[str, ...]], tuple[float, Term]] = {}
    for term in lexicon.phrases:
        if all(r in points.present for r in term.roots):
            value = PHRASE_BONUS * term.weight * (len(term.roots) - 1) / len(term.roots)
            key = (term.code, tuple(sorted(term.roots)))
            if key not in bonus or value > bonus[key][0]:
                bonus[key] = (value, term)
    for (code, _roots), (value, term) in sorted(bonus.items(), key=lambda item: item[0]):
        points.raw[code] += value
        typed_words = " ".join(points.present[r] for r in term.roots)
        points.signals[code].append(
            Signal(typed_words, term.text, term.source, "expression", value)
        )


def _scored(
    points: _Points, profil: str, lexicon: Lexicon, ticked: list[str]
) -> list[CategoryScore]:
    """The profile's multipliers, the ticked categories' points, the squash into [0, 1]."""
    for code in ticked:
        points.raw.setdefault(code, 0.0)
    family_prior = FAMILY_PRIORS.get(profil, {})
    category_prior = CATEGORY_PRIORS.get(profil, {})
    scored = []
    for code, value in points.raw.items():
        info = lexicon.categories[code]
        factor = family_prior.get(info.famille, 1.0) * category_prior.get(code, 1.0)
        ordered = sorted(points.signals[code], key=lambda s: -s.points)
        adjusted = value * factor
        if code in ticked:
            ordered.insert(0, Signal(info.libelle, info.libelle, "liste", "choisie", CHOSEN_POINTS))
            adjusted += CHOSEN_POINTS
        if factor != 1.0 and value:
            # For the profile, `points` is the multiplier applied to the category's sum.
            label = f"famille {info.famille} × {factor:.2f}".replace(".", ",")
            ordered.append(Signal(profil, label, "profil", "profil", factor))
        scored.append(
            CategoryScore(
                code=code,
                libelle=info.libelle,
                famille=info.famille,
                score=round(1 - math.exp(-adjusted / SQUASH), 3),
                raw=adjusted,
                signals=ordered,
            )
        )
    scored.sort(key=lambda c: (-c.raw, c.code))
    return scored


def understand(
    text: str,
    profil: str,
    lexicon: Lexicon,
    limit: int = 5,
    chosen: Sequence[str] = (),
) -> Understanding:
    """Categories for a need, best first, each with its score in [0, 1] and its signals.

    `chosen` are category codes the person ticked in a list: each is understood for certain,
    with `CHOSEN_POINTS` added after the profile's multiplier (the person said it: no prior
    applies to that part), whatever the text says.
    """
    typed, read = _read(text, lexicon)
    points = _word_points(typed, read, lexicon)
    _phrase_bonus(points, lexicon)
    ticked = [code for code in dict.fromkeys(chosen) if code in lexicon.categories]
    return Understanding(
        categories=_scored(points, profil, lexicon, ticked)[:limit],
        mots=typed,
        corrections=points.corrections,
        inconnus=points.unknown,
        profil=profil,
        version=lexicon.version,
    )


def keyword_baseline(text: str, rows: list[dict[str, str]]) -> list[str]:
    """The plain baseline of the evaluation: categories whose taxonomy example words appear
    as such in the text (case and accents folded), most matched words first."""
    folded = f" {fold(text)} "
    counts = []
    for row in rows:
        hits = 0
        for example in row["exemples"].split(";"):
            for word in fold(example).split():
                if len(word) > 2 and word not in STOP_WORDS and f" {word} " in folded:
                    hits += 1
        if hits:
            counts.append((-hits, row["code"]))
    return [code for _, code in sorted(counts)]
