"""What a callback result does beyond its batch: unanswered problems reopen their cases (through the cases
workflow), and upheld "not visited" findings count against the cadre and their unit (read by the assessment
and the quarterly circular through `upheld_against`)."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent
from zoufang.accounts.names import shown_name
from zoufang.callbacks import access
from zoufang.callbacks.models import CallbackSample
from zoufang.callbacks.results import SATISFACTION, SATISFIED, enclosing
from zoufang.callbacks.sampling import Period
from zoufang.callbacks.services import AlreadyDone, CallbackError
from zoufang.campaigns.models import Campaign
from zoufang.cases import answers
from zoufang.cases.models import Case
from zoufang.regions.models import Region

# The statuses in which the record says the person was answered (回复) — the ones a "never answered" contradicts.
ANSWERED_TO_PERSON = (Case.Status.REPLIED, Case.Status.CALLED_BACK, Case.Status.CLOSED)


def answered_cases(sample: CallbackSample) -> QuerySet[Case]:
    """The cases collected on the sampled visit that the record says were answered to the person."""
    return Case.objects.filter(source_visit_id=sample.visit_id, status__in=ANSWERED_TO_PERSON).order_by("id")


def reopen_unanswered(sample: CallbackSample, *, by: Any, note: str) -> list[Case]:
    """The office acts on "my problem was never answered": each answered case of the visit gets the third
    party's finding as an unsatisfied callback and is reopened (重办) to its unit; the sample is marked handled."""
    if not access.may_run(by, sample.batch.campaign):
        raise PermissionDenied
    note = (note or "").strip()
    if not note:
        raise CallbackError(_("请填写处理情况。"))
    reopened = []
    finding = _("第三方回访抽查（%(batch)s 第 %(n)s 号）：反映人称问题未得到回复。%(note)s") % {
        "batch": sample.batch, "n": sample.position, "note": note}
    with transaction.atomic():
        # Checked on the locked row: two clicks (or two clerks) that both read it unhandled reopen the cases once;
        # the second is refused rather than recording "0 reopened" over the first's note.
        locked = CallbackSample.objects.select_for_update().get(pk=sample.pk)
        if locked.unanswered_handled_at is not None and locked.modified_by_id == by.pk \
                and locked.unanswered_note == note:  # the same 重办 sent again (a double click): done by the first
            raise AlreadyDone(_("该样本的未回复问题已于 %(when)s 重办，未再次重办。") % {
                "when": clock.minute(locked.unanswered_handled_at)})
        if not locked.says_unanswered or locked.unanswered_handled_at is not None:
            raise CallbackError(_("该样本没有待处理的未回复问题。") if locked.unanswered_handled_at is None else
                                _("该样本的未回复问题已于 %(when)s 处理（%(note)s），未重复重办；请刷新页面查看。") % {
                                    "when": clock.minute(locked.unanswered_handled_at), "note": locked.unanswered_note})
        for case in answered_cases(locked):
            case = answers.record_callback(case, by=by, version=case.version, satisfaction=Case.Satisfaction.UNSATISFIED,
                                           note=finding, finding=True)
            reopened.append(answers.reopen_case(case, by=by, version=case.version, reason=finding, finding=True))
        CallbackSample.objects.filter(pk=sample.pk).update(unanswered_handled_at=clock.now(), unanswered_note=note,
                                                           modified_by=by)
        audit.record(by, AuditEvent.Action.UPDATE, sample, summary=_("回访抽查未回复问题：重办 %(n)s 件") % {
            "n": len(reopened)}, changes={"reopened": [c.number for c in reopened], "note": note})
    sample.refresh_from_db()
    return reopened


# The script's questions the outcome is read from (and `satisfaction` itself): the list shows the person's other words.
OUTCOME_QUESTIONS = ("visited", "same_visitor", "mode", "answered", "satisfaction")


def dissatisfied(campaigns: Any) -> QuerySet[CallbackSample]:
    """The samples of `campaigns` whose person said they were not satisfied with the visit (不满意), newest call
    first, with what the office's list shows of each (the visit, its cadre and unit, the target, the batch)."""
    return (CallbackSample.objects.filter(batch__campaign__in=campaigns, answers__satisfaction="unsatisfied")
            .select_related("batch__campaign", "visit__cadre__unit", "visit__target__region__parent__parent",
                            "dissatisfied_handled_by")
            .order_by("-settled_at", "-id"))


def dissatisfied_counts(listed: QuerySet[CallbackSample]) -> tuple[int, int]:
    """(how many of `listed` said 不满意, how many of them wait for the office's follow-up), in one count."""
    counts = listed.aggregate(total=Count("id"), waiting=Count("id", filter=Q(dissatisfied_handled_at=None)))
    return counts["total"], counts["waiting"]


def follow_up_dissatisfied(sample: CallbackSample, *, by: Any, note: str) -> CallbackSample:
    """The office records what it did about a person's 不满意 (called them again, told the cadre's unit, …); audited.
    The same note sent again (a double click, a resend) is the same follow-up, recorded once; another note over a
    follow-up already recorded — by someone else meanwhile — is refused, naming it, never written over it."""
    if not access.may_run(by, sample.batch.campaign):
        raise PermissionDenied
    note = (note or "").strip()
    if not note:
        raise CallbackError(_("请填写跟进情况。"))
    with transaction.atomic():
        # Not joined to the recorder: PostgreSQL locks no row on the nullable side of an outer join.
        locked = CallbackSample.objects.select_for_update().select_related("batch").get(pk=sample.pk)
        if not locked.says_unsatisfied:
            raise CallbackError(_("该样本的回访答复不是“不满意”，无需跟进。"))
        if locked.dissatisfied_handled_at is not None:
            if locked.dissatisfied_note == note:
                sample.refresh_from_db()
                return sample
            raise CallbackError(_("该不满意回访已于 %(when)s 由%(who)s登记跟进（%(note)s），本次未覆盖；请刷新页面查看。") % {
                "when": clock.minute(locked.dissatisfied_handled_at),
                "who": shown_name(locked.dissatisfied_handled_by, nobody=_("他人")), "note": locked.dissatisfied_note})
        CallbackSample.objects.filter(pk=sample.pk).update(
            dissatisfied_handled_at=clock.now(), dissatisfied_note=note, dissatisfied_handled_by=by, modified_by=by)
        audit.record(by, AuditEvent.Action.UPDATE, locked, summary=_("回访抽查不满意跟进：%(batch)s 第 %(n)s 号") % {
            "batch": locked.batch, "n": locked.position}, changes={"dissatisfied_note": ["", note]})
    sample.refresh_from_db()
    return sample


@dataclass(frozen=True)
class UpheldFinding:
    """One upheld "not visited": whose visit, in which unit and village, when it was claimed and verified."""

    sample_id: int
    visit_id: int
    cadre_id: int
    cadre_name: str
    unit_id: int
    unit_name: str
    region_id: int
    visited_on: Any
    verified_on: Any


def upheld_against(campaign: Campaign, period: Period) -> list[UpheldFinding]:
    """The upheld "not visited" findings of the campaign whose visits were claimed in the period (both days
    included), oldest first. The assessment and the circular count them per cadre and per unit."""
    samples = (CallbackSample.objects
               .filter(batch__campaign=campaign, verification=CallbackSample.Verification.UPHELD,
                       visit__visited_at__date__gte=period.starts_on, visit__visited_at__date__lte=period.ends_on)
               .select_related("visit__cadre__unit", "visit__target")
               .order_by("visit__visited_at", "id"))
    return [UpheldFinding(
        sample_id=s.pk, visit_id=s.visit_id, cadre_id=s.visit.cadre_id, cadre_name=s.visit.cadre.name,
        unit_id=s.visit.cadre.unit_id, unit_name=s.visit.cadre.unit.name, region_id=s.visit.target.region_id,
        visited_on=clock.local(s.visit.visited_at).date(),
        verified_on=clock.local(s.verified_at).date() if s.verified_at else None,
    ) for s in samples]


def upheld_counts(findings: list[UpheldFinding], key: str) -> dict[int, int]:
    """{cadre id or unit id: upheld findings} — `key` is "cadre_id" or "unit_id"."""
    counts: dict[int, int] = {}
    for finding in findings:
        counts[getattr(finding, key)] = counts.get(getattr(finding, key), 0) + 1
    return counts


def upheld_by(campaign: Campaign, by: str, starts_on: Any, ends_on: Any) -> dict[int | None, int]:
    """The assessment's provider (zoufang.assessment.indicators.PROVIDERS): upheld findings of visits claimed in
    the period, counted per cadre, unit or village (the 村/社区 the target lies in; None above villages)."""
    findings = upheld_against(campaign, Period(starts_on, ends_on))
    return count_by(campaign, by, [(f.cadre_id, f.unit_id, f.region_id) for f in findings])


def count_by(campaign: Campaign, by: str, subjects: list[tuple[int, int | None, int]]) -> dict[int | None, int]:
    """Findings counted per cadre, unit or village, each given as (cadre id, unit id, the target's region id);
    a target above villages counts under None. Shared by every findings provider of the assessment."""
    counts: dict[int | None, int] = {}
    for key in subject_keys(campaign, by, subjects):
        counts[key] = counts.get(key, 0) + 1
    return counts


def subject_keys(campaign: Campaign, by: str, subjects: list[tuple[int, int | None, int]]) -> list[int | None]:
    """Whom each (cadre id, unit id, the target's region id) counts for: the cadre, the unit, or the village
    (村/社区) the target lies in — None above villages; in the order given."""
    if by != "village":
        index = {"cadre": 0, "unit": 1}[by]
        return [subject[index] for subject in subjects]
    paths = dict(Region.objects.filter(pk__in={s[2] for s in subjects}).values_list("pk", "path"))
    villages: dict[str, int | None] = dict(Region.objects.filter(path__startswith=campaign.scope.path, level=Region.Level.VILLAGE)
                    .values_list("path", "pk"))
    return [enclosing(villages, paths[subject[2]], None) for subject in subjects]


def satisfaction_by(campaign: Campaign, by: str, starts_on: Any, ends_on: Any) -> dict[int | None, tuple[int, int]]:
    """The assessment's provider of the people's satisfaction as the third party asked it ("您对这次走访是否满意？",
    the call script's `satisfaction`): {cadre, unit or village pk: (满意 or 基本满意, answers on satisfaction)}, over
    the sampled visits claimed in the period (both days included), whatever batch drew them."""
    answered = (CallbackSample.objects
                .filter(batch__campaign=campaign, visit__visited_at__date__gte=starts_on,
                        visit__visited_at__date__lte=ends_on, answers__satisfaction__in=list(SATISFACTION))
                .values_list("visit__cadre_id", "visit__cadre__unit_id", "visit__target__region_id",
                             "answers"))
    rows = list(answered)
    counts: dict[int | None, tuple[int, int]] = {}
    for key, (*_ids, said) in zip(subject_keys(campaign, by, [row[:3] for row in rows]), rows, strict=True):
        satisfied, asked = counts.get(key, (0, 0))
        counts[key] = (satisfied + (SATISFACTION[said["satisfaction"]] in SATISFIED), asked + 1)
    return counts


def callback_failures(campaign: Campaign, visits: list[Any], limits: Any) -> list[Any]:
    """Integrity flags from the third party's calls (kind "callbacks"): a person who says they were not visited
    (serious) or were contacted otherwise than recorded (a notice), unless the office overturned it on checking."""
    from zoufang.integrity.flags import NOTICE, SERIOUS, Flag

    rows = {row.id: row for row in visits}
    failed = (CallbackSample.objects
              .filter(batch__campaign=campaign, outcome__in=(CallbackSample.Outcome.NOT_VISITED,
                                                             CallbackSample.Outcome.DIFFERENT))
              .exclude(verification=CallbackSample.Verification.OVERTURNED)
              .select_related("batch").order_by("batch_id", "position"))
    flags = []
    for sample in failed:
        row = rows.get(sample.visit_id)
        if row is None:  # outside the period asked
            continue
        serious = sample.outcome == CallbackSample.Outcome.NOT_VISITED
        flags.append(Flag("callbacks", f"callbacks:{sample.pk}", row.cadre_id, [row.id], _(
            "%(batch)s 第 %(n)s 号：%(target)s %(outcome)s（%(verification)s）") % {
            "batch": sample.batch, "n": sample.position, "target": row.target_name,
            "outcome": sample.get_outcome_display(),
            "verification": sample.get_verification_display() or _("无需核实")},
            weight=SERIOUS if serious else NOTICE))
    return flags
