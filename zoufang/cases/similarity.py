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
from zoufang.cases.workflow import FINISHED

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
    # A case of another campaign (a caller's call of an earlier year) is listed, never merged into.
    same_campaign: bool = True

    # Whether a duplicate may be merged into it: not once it is closed (answers.merge_case refuses); whether, closed,
    # a new call may record that it follows it (decision 0047); how alike, in %.
    may_be_master: bool = field(init=False)
    may_be_followed: bool = field(init=False)
    percent: int = field(init=False)

    def __post_init__(self) -> None:
        self.may_be_master = self.case.status not in FINISHED and self.same_campaign
        self.may_be_followed = self.case.status == Case.Status.CLOSED and self.same_campaign
        self.percent = round(self.score * 100)


# A number that called more often than this is listed to its latest calls, with how many there are in all.
CALLER_SHOWN = 50


@dataclass
class CallerCases:
    shown: list[Suggestion]
    total: int


def same_caller(phone: str, candidates: QuerySet[Case], *, description: str = "", campaign_id: int | None = None,
                other_than: Case | None = None) -> CallerCases:
    """Every case from the number a caller calls from, newest first, whatever its wording (a repeat caller rarely
    words it the same): the calls from it and the cases raised on visits to a household with it. `candidates` are
    the reader's (their scope); a case of `campaign_id`, not closed, may be merged into."""
    from zoufang.registry.models import Target

    if not phone:
        return CallerCases([], 0)
    cases = candidates.filter(Q(raiser_phone=phone) | Q(target__in=Target.objects.filter(phone=phone).values("pk")))
    if other_than is not None:
        cases = cases.exclude(pk=other_than.pk)
    listed = list(cases.select_related("unit", "region__parent__parent", "campaign__scope", "category")
                  .order_by("-raised_at", "-id")[: CALLER_SHOWN + 1])
    total = len(listed) if len(listed) <= CALLER_SHOWN else cases.count()
    mine = ngrams(description)
    return CallerCases([Suggestion(c, round(dice(mine, ngrams(c.description)), 2), True,
                                   same_campaign=campaign_id is None or c.campaign_id == campaign_id)
                        for c in listed[:CALLER_SHOWN]], total)


def likely_duplicates(case: Case, candidates: QuerySet[Case], limit: int = 5) -> list[Suggestion]:
    """Cases of the same campaign from the same raiser (target, or the number a hotline caller called from) or
    village whose text is alike (closed ones too: what was answered before; not merged ones)."""
    village = case.region
    while village is not None and village.level not in ("village", "town"):
        village = village.parent
    nearby = Q(target_id=case.target_id) if case.target_id else Q(pk__in=[])
    if case.raiser_phone:  # a caller who called before: no target, and often no village named
        nearby |= Q(raiser_phone=case.raiser_phone)
    if village is not None:
        nearby |= Q(region__path__startswith=village.path)
    pool = (
        candidates.filter(nearby, campaign_id=case.campaign_id).exclude(pk=case.pk)
        .exclude(status__in=(Case.Status.MERGED,))
        .select_related("unit", "region__parent__parent", "campaign__scope")[:500]
    )
    mine = ngrams(case.description)
    found = []
    for other in pool:
        score = dice(mine, ngrams(other.description))
        same_target = (bool(case.target_id) and other.target_id == case.target_id) or (
            bool(case.raiser_phone) and other.raiser_phone == case.raiser_phone)
        if score >= DUPLICATE_THRESHOLD or (same_target and score >= DUPLICATE_THRESHOLD / 2):
            found.append(Suggestion(other, round(score, 2), same_target))
    found.sort(key=lambda s: (-s.score, s.case.raised_at))
    return found[:limit]


# A period's shared problems cluster the latest POOL cases of the window (single link is quadratic in the worst
# case: 1,000 alike texts take 0.25 s, 3,000 take 3 s); the page says when the window held more. It shows the
# SHOWN_CLUSTERS largest groups and SHOWN_CASES cases of each.
POOL = 1000
SHOWN_CLUSTERS = 30
SHOWN_CASES = 10


def groups(texts: list[str], threshold: float = CLUSTER_THRESHOLD, min_size: int = 2) -> list[tuple[list[int], list[str]]]:
    """Groups of texts linked by similar text (single link), largest first: each the texts' indexes and the
    phrases they share (`shared_phrases`)."""
    grams = [ngrams(text) for text in texts]
    document_frequency: dict[str, int] = defaultdict(int)
    for g in grams:
        for gram in g:
            document_frequency[gram] += 1
    common = {g for g, n in document_frequency.items() if len(texts) >= 10 and n > COMMON_SHARE * len(texts)}
    grams = [g - common for g in grams]
    index: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(grams):
        for gram in g:
            index[gram].append(i)
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, g in enumerate(grams):
        neighbours = {j for gram in g for j in index[gram] if j > i}
        for j in neighbours:
            # Texts already linked need no comparison: in a large group most pairs are.
            if root(i) != root(j) and dice(g, grams[j]) >= threshold:
                parent[root(i)] = root(j)
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(texts)):
        members[root(i)].append(i)
    result = []
    for group in members.values():
        if len(group) < min_size:
            continue
        result.append((group, shared_phrases([texts[i] for i in group])))
    result.sort(key=lambda found: -len(found[0]))
    return result


# Phrases read from at most this many texts of a group (a group of a thousand alike texts says it in the first ones).
PHRASE_SOURCES = 100


def shared_phrases(texts: list[str], most: int = 6) -> list[str]:
    """What a group's texts say alike, as they write it: runs of a clause's characters each of whose bigrams at least
    half of the texts (two at least) hold, kept when at least as many texts hold the whole run; the most widely held
    first, then the longest, none inside another kept. 想开办农家乐，希望在证照办理上得到指导 twenty times gives
    those two clauses, never a pair of characters across a comma (乐希) or across words (到指)."""
    clauses = [[part for part in NOISE.split((text or "").lower()) if len(part) > 1] for text in texts]
    needed = max(2, (len(texts) + 1) // 2)
    held: dict[str, int] = defaultdict(int)
    for parts in clauses:
        for gram in {part[i : i + 2] for part in parts for i in range(len(part) - 1)}:
            held[gram] += 1
    runs: set[str] = set()
    for parts in clauses[:PHRASE_SOURCES]:
        for part in parts:
            start = None
            for i in range(len(part)):
                inside = i + 1 < len(part) and held[part[i : i + 2]] >= needed
                if inside and start is None:
                    start = i
                elif not inside and start is not None:
                    runs.add(part[start : i + 1])
                    start = None
    joined = ["\n".join(parts) for parts in clauses]
    support = {run: sum(run in text for text in joined) for run in runs}
    held_runs = sorted((run for run in runs if support[run] >= needed), key=lambda r: (-support[r], -len(r), r))
    # A phrase inside a longer one also held (路灯 in 村道路灯损坏多处) says nothing more.
    return [run for run in held_runs if not any(run != other and run in other for other in held_runs)][:most]


@dataclass
class Cluster:
    size: int
    keywords: list[str]
    villages: list[str]
    cases: list[Case] = field(default_factory=list)  # the first SHOWN_CASES, newest first

    @property
    def unshown(self) -> int:
        return self.size - len(self.cases)


@dataclass
class Period:
    clusters: list[Cluster]  # the SHOWN_CLUSTERS largest
    found: int  # groups found in all
    examined: int  # cases clustered: the window's latest, at most POOL
    capped: bool  # the window held more than POOL cases


def period_clusters(cases: QuerySet[Case], **options: Any) -> Period:
    """The shared problems of a window of cases: its latest POOL cases clustered by text; four queries."""
    from zoufang.cases.presenters import village_name
    from zoufang.regions.models import Region

    pool = list(cases.exclude(status=Case.Status.MERGED).order_by("-raised_at", "-id")
                .values_list("pk", "description", "region_id")[: POOL + 1])
    capped = len(pool) > POOL
    pool = pool[:POOL]
    found = groups([description for _pk, description, _region in pool], **options)
    shown = found[:SHOWN_CLUSTERS]
    listed = {pool[i][0] for group, _keywords in shown for i in group[:SHOWN_CASES]}
    loaded = {c.pk: c for c in Case.objects.filter(pk__in=listed).select_related("region__parent__parent", "unit",
                                                                                 "category")} if listed else {}
    region_ids = {pool[i][2] for group, _keywords in shown for i in group} - {None}
    regions = Region.objects.filter(pk__in=region_ids).select_related("parent__parent") if region_ids else []
    village = {region.pk: village_name(Case(region=region)) for region in regions}
    clusters = [
        Cluster(size=len(group), keywords=keywords,
                villages=sorted({village[pool[i][2]] for i in group if pool[i][2] in village} - {""}),
                cases=[loaded[pool[i][0]] for i in group[:SHOWN_CASES]])
        for group, keywords in shown
    ]
    return Period(clusters, len(found), len(pool), capped)
