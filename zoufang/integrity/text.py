"""Near-duplicate text: character shingles and their Jaccard similarity, grouped with a union-find.

Chinese has no spaces, so a text's shingles are its overlapping runs of `size` characters (punctuation and
spaces removed). A cadre writes tens to a few hundred visits a campaign: comparing every pair of their distinct
texts is exact and fast enough (identical texts are folded first), so no MinHash approximation is needed.
"""

import re
from collections.abc import Sequence

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    return _NOISE.sub("", text).lower()


def shingles(text: str, size: int) -> frozenset[str]:
    if len(text) <= size:
        return frozenset({text}) if text else frozenset()
    return frozenset(text[i:i + size] for i in range(len(text) - size + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def near_duplicate_groups(texts: Sequence[str], *, size: int, similarity: float,
                          min_chars: int) -> list[tuple[list[int], float]]:
    """Groups (indexes into `texts`, lowest similarity that joined them) of texts at least `similarity` alike;
    texts shorter than `min_chars` after normalising are never compared."""
    parent = list(range(len(texts)))
    lowest: dict[int, float] = {}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int, score: float) -> None:
        a, b = root(i), root(j)
        if a != b:
            parent[b] = a
            lowest[a] = min(score, lowest.get(a, 1.0), lowest.pop(b, 1.0))

    first_of: dict[str, int] = {}
    distinct: list[tuple[int, frozenset[str]]] = []
    for index, text in enumerate(texts):
        clean = normalise(text)
        if len(clean) < min_chars:
            continue
        if clean in first_of:
            join(first_of[clean], index, 1.0)
            continue
        first_of[clean] = index
        distinct.append((index, shingles(clean, size)))
    for n, (i, a) in enumerate(distinct):
        for j, b in distinct[n + 1:]:
            # Jaccard cannot reach `similarity` when one set is much smaller than the other.
            if min(len(a), len(b)) < similarity * max(len(a), len(b)):
                continue
            score = jaccard(a, b)
            if score >= similarity:
                join(i, j, score)
    groups: dict[int, list[int]] = {}
    for index in range(len(texts)):
        groups.setdefault(root(index), []).append(index)
    return [(members, lowest.get(key, 1.0)) for key, members in groups.items() if len(members) > 1]
