"""Likely duplicates and shared problems by character n-grams: works on Chinese without word segmentation.

Text becomes its set of character bigrams (punctuation and spaces dropped); two texts are as similar
as the Dice coefficient of their sets. Seed 000 §一(六)4: 及时梳理汇总群众反映集中的普遍性困难和问题.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from zoufang.cases.models import Case

NOISE = re.compile(r"[\W_]+", re.UNICODE)
DUPLICATE_THRESHOLD = 0.3
CLUSTER_THRESHOLD = 0.3
# Bigrams in more than this share of a period's cases say nothing about any one of them (“群众”, “反映”).
COMMON_SHARE = 0.5


def ngrams(text: str, n: int = 2) -> set[str]:
    clean = NOISE.sub("", text or "").lower()
    if len(clean) < n:
        return {clean} if clean else set()
    return {clean[i : i + n] for i in range(len(clean) - n + 1)}


def dice(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def similarity(a: str, b: str) -> float:
    return dice(ngrams(a), ngrams(b))


@dataclass
class Suggestion:
    case: Case
    score: float
    same_target: bool


def likely_duplicates(case: Case, candidates: QuerySet[Case], limit: int = 5) -> list[Suggestion]:
    """Open cases of the same campaign from the same target or village whose text is alike."""
    village = case.region
    while village is not None and village.level not in ("village", "town"):
        village = village.parent
    nearby = Q(target_id=case.target_id) if case.target_id else Q(pk__in=[])
    if village is not None:
        nearby |= Q(region__path__startswith=village.path)
    pool = (
        candidates.filter(nearby, campaign_id=case.campaign_id).exclude(pk=case.pk)
        .exclude(status__in=(Case.Status.MERGED,)).select_related("unit", "region")[:500]
    )
    mine = ngrams(case.description)
    found = []
    for other in pool:
        score = dice(mine, ngrams(other.description))
        same_target = bool(case.target_id) and other.target_id == case.target_id
        if score >= DUPLICATE_THRESHOLD or (same_target and score >= DUPLICATE_THRESHOLD / 2):
            found.append(Suggestion(other, round(score, 2), same_target))
    found.sort(key=lambda s: (-s.score, s.case.raised_at))
    return found[:limit]


@dataclass
class Cluster:
    cases: list[Case] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.cases)

    @property
    def villages(self) -> list[str]:
        from zoufang.cases.presenters import village_name

        return sorted({village_name(c) for c in self.cases if c.region})


def clusters(cases: list[Case], threshold: float = CLUSTER_THRESHOLD, min_size: int = 2) -> list[Cluster]:
    """Groups of cases linked by similar text (single link), largest first."""
    grams = [ngrams(c.description) for c in cases]
    document_frequency: dict[str, int] = defaultdict(int)
    for g in grams:
        for gram in g:
            document_frequency[gram] += 1
    common = {g for g, n in document_frequency.items() if len(cases) >= 10 and n > COMMON_SHARE * len(cases)}
    grams = [g - common for g in grams]
    index: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(grams):
        for gram in g:
            index[gram].append(i)
    parent = list(range(len(cases)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, g in enumerate(grams):
        neighbours = {j for gram in g for j in index[gram] if j > i}
        for j in neighbours:
            if dice(g, grams[j]) >= threshold:
                parent[root(i)] = root(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(cases)):
        groups[root(i)].append(i)
    result = []
    for members in groups.values():
        if len(members) < min_size:
            continue
        shared: dict[str, int] = defaultdict(int)
        for i in members:
            for gram in grams[i]:
                shared[gram] += 1
        keywords = [g for g, n in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0])) if n > 1][:6]
        result.append(Cluster([cases[i] for i in members], keywords))
    result.sort(key=lambda c: -c.size)
    return result


def period_clusters(cases: QuerySet[Case], **options: Any) -> list[Cluster]:
    pool = list(cases.exclude(status=Case.Status.MERGED).select_related("region__parent__parent", "unit", "category")[:3000])
    return clusters(pool, **options)
