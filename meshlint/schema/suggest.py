"""Did-you-mean suggestions for misspelt field names and enum values."""

from __future__ import annotations

from collections.abc import Iterable


def _fold(word: str) -> str:
    """Case- and separator-insensitive form: ``export_to`` and ``exportTo`` fold alike."""
    return word.replace("_", "").replace("-", "").lower()


def distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment: adjacent swaps cost 1)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[len(b)]


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to ``word``, or None when nothing is close enough."""
    if not word:
        return None
    folded = _fold(word)
    limit = 1 if len(folded) <= 4 else 2
    best: tuple[int, str] | None = None
    for candidate in sorted(set(candidates)):
        score = distance(folded, _fold(candidate))
        if score <= limit and (best is None or score < best[0]):
            best = (score, candidate)
    return None if best is None else best[1]
