"""Callback actions: draw a batch, reveal a phone, record a call, verify a finding, reopen unanswered cases, close.

Each action checks who acts (callbacks.access), changes state inside one transaction and writes the audit row.
"""

import secrets
import uuid
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent
from zoufang.callbacks import access, results, sampling
from zoufang.callbacks.models import CallbackAttempt, CallbackBatch, CallbackSample
from zoufang.callbacks.script import campaign_script
from zoufang.campaigns.models import Campaign
from zoufang.campaigns.values import parse_share
from zoufang.core import request_keys
from zoufang.core.progress import Progress
from zoufang.core.progress import report as tell
from zoufang.planning.visitors import visiting_units
from zoufang.regions.models import Region
from zoufang.registry.models import Unit
from zoufang.visits.models import Visit

Outcome = CallbackSample.Outcome
Kind = CallbackAttempt.Kind


class CallbackError(Exception):
    """An action that cannot happen; the message is for the user."""


class AlreadyDone(CallbackError):
    """What was asked is already so (a batch closed, by a double click or another clerk): nothing to do, said as such."""


def settings_of(campaign: Campaign) -> dict[str, Any]:
    block = (campaign.config or {}).get("callbacks")
    if not block:
        raise CallbackError(_("该走访活动的配置中没有回访抽查（callbacks）部分，不能抽样。"))
    return dict(block)


def configured_shares(campaign: Campaign) -> tuple[Fraction | None, Fraction | None]:
    """(the share of the period's visits to sample, the share of flagged visits in it) as the campaign's
    `callbacks` block sets them (`rate`, `flagged_share`); None where it sets none."""
    block = (campaign.config or {}).get("callbacks") or {}
    rate, flagged = (parse_share(block[key]) if block.get(key) is not None else None for key in ("rate", "flagged_share"))
    return rate, flagged


def configured_rate(campaign: Campaign) -> Fraction | None:
    return configured_shares(campaign)[0]


def population(campaign: Campaign, period: sampling.Period) -> tuple[list[sampling.VisitRow], set[int]]:
    """The visits a new batch draws from (those no earlier batch sampled) and the cadres earlier batches covered."""
    earlier = CallbackSample.objects.filter(batch__campaign=campaign)
    covered = set(earlier.values_list("visit__cadre_id", flat=True))
    villages = dict(Region.objects.filter(path__startswith=campaign.scope.path, level=Region.Level.VILLAGE)
                    .values_list("path", "id"))
    visits = (Visit.objects.filter(campaign=campaign, visited_at__date__gte=period.starts_on,
                                   visited_at__date__lte=period.ends_on)
              .exclude(pk__in=earlier.values("visit_id"))
              .values_list("pk", "cadre_id", "cadre__unit_id", "target__region__path", "target__region_id"))
    rows = [sampling.VisitRow(pk, cadre_id, unit_id, results.enclosing(villages, path, region_id))
            for pk, cadre_id, unit_id, path, region_id in visits]
    return rows, covered


def check_draw(campaign: Campaign, period: sampling.Period, *, by: Any, rate: Fraction | None = None,
               count: int | None = None, flagged_share: Fraction | None = None, caller: Unit | None = None) -> Fraction:
    """What a draw is refused for, checked before it is queued (the page's message at once) and again when it
    runs; the share of flagged visits it draws."""
    if not access.may_run(by, campaign):
        raise PermissionDenied
    if caller is not None and visiting_units(campaign).filter(pk=caller.pk).exists():
        raise CallbackError(_("%(unit)s本身在%(campaign)s中走访（列入分配表、有分配的走访对象或走访记录），不是第三方，"
                              "不能作回访单位：请选择不参与本活动走访的单位。") % {
            "unit": caller.name, "campaign": campaign.name})
    config = settings_of(campaign)
    if period.starts_on > period.ends_on:
        raise CallbackError(_("走访日期的起止颠倒了。"))
    if (rate is None) == (count is None):
        raise CallbackError(_("请填写抽查比例或抽查数量（二选一）。"))
    if rate is not None and not 0 < rate <= 1:
        raise CallbackError(_("抽查比例应在 0 到 1 之间。"))
    if count is not None and count < 1:
        raise CallbackError(_("抽查数量至少为 1。"))
    share = flagged_share if flagged_share is not None else parse_share(config.get("flagged_share", 0)) or Fraction(0)
    if not 0 <= share <= 1:
        raise CallbackError(_("疑点走访占比应在 0 到 1 之间。"))
    return share


def draw_batch(
    campaign: Campaign, period: sampling.Period, *, by: Any, rate: Fraction | None = None, count: int | None = None,
    flagged_share: Fraction | None = None, caller: Unit | None = None, seed: int | None = None,
    key: uuid.UUID | None = None, progress: Progress | None = None,
) -> CallbackBatch:
    """A new batch with its sample. Drawing again never changes a batch: it makes the next one. With a request
    `key` (the page's form), asking again — a retried or twice-delivered job — gives the batch that key drew."""
    share = check_draw(campaign, period, by=by, rate=rate, count=count, flagged_share=flagged_share, caller=caller)
    seed = seed if seed is not None else secrets.randbelow(2**62)

    @transaction.atomic
    def make() -> CallbackBatch:
        steps = 4
        tell(progress, 0, steps)
        Campaign.objects.select_for_update().get(pk=campaign.pk)  # one draw at a time per campaign: numbers, exclusions
        rows, covered = population(campaign, period)
        if not rows:
            raise CallbackError(_("该期间没有可抽查的走访记录（已抽过的不再抽）。"))
        tell(progress, 1, steps)
        flagged = sampling.flagged_visit_ids(campaign, period) & {row.visit_id for row in rows}
        tell(progress, 2, steps)
        size = sampling.sample_size(len(rows), rate=rate, count=count)
        drawn = sampling.draw_visits(rows, size=size, flagged=flagged, covered_cadres=covered, flagged_share=share,
                                     seed=seed)
        tell(progress, 3, steps)
        batch = _store_batch(campaign, period, by=by, rate=rate, count=count, share=share, caller=caller, seed=seed,
                             key=key, rows=rows, covered=covered, flagged=flagged, size=size, drawn=drawn)
        tell(progress, steps, steps)
        return batch

    return request_keys.once(CallbackBatch.objects.filter(campaign=campaign), key, make)


def _store_batch(campaign: Campaign, period: sampling.Period, *, by: Any, rate: Fraction | None, count: int | None,
                 share: Fraction, caller: Unit | None, seed: int, key: uuid.UUID | None,
                 rows: list[sampling.VisitRow], covered: set[int], flagged: set[int], size: int,
                 drawn: list[tuple[int, str]]) -> CallbackBatch:
    number = (CallbackBatch.objects.filter(campaign=campaign).aggregate(n=Max("number"))["n"] or 0) + 1
    batch = CallbackBatch.objects.create(
        campaign=campaign, number=number, period_starts_on=period.starts_on, period_ends_on=period.ends_on,
        rate=_decimal(rate), count=count, flagged_share=_decimal(share) or Decimal(0), seed=seed, caller=caller,
        created_by=_user(by), request_key=key,
        inputs={"rows": [row.as_list() for row in rows], "digest": sampling.digest(rows), "size": size,
                "flagged": sorted(flagged), "covered_cadres": sorted(covered), "flagged_share": str(share),
                "rate": str(rate) if rate is not None else None,
                "flagged_source": "zoufang.integrity" if _integrity_installed() else ""},
    )
    CallbackSample.objects.bulk_create([
        CallbackSample(batch=batch, visit_id=visit_id, position=position, reason=reason, created_by=_user(by))
        for position, (visit_id, reason) in enumerate(drawn, start=1)
    ])
    audit.record(by, AuditEvent.Action.CREATE, batch, summary=_(
        "抽取%(batch)s：%(campaign)s，%(start)s 至 %(end)s 的 %(population)s 条走访中抽 %(drawn)s 条") % {
        "batch": batch, "campaign": campaign.name, "start": clock.day(period.starts_on), "end": clock.day(period.ends_on),
        "population": len(rows), "drawn": len(drawn)},
        changes={"seed": seed, "rate": str(rate) if rate is not None else None, "count": count,
                 "flagged_share": str(share), "digest": batch.inputs["digest"], "drawn": len(drawn),
                 "caller": caller.name if caller else ""})
    return batch


def _integrity_installed() -> bool:
    try:
        import zoufang.integrity.flags  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        return False
    return True


def _open_for_caller(sample: CallbackSample, by: Any) -> None:
    if not access.is_caller(by, sample.batch):
        raise PermissionDenied
    if not sample.batch.is_open:
        raise CallbackError(_("该批回访抽查已结束。"))


def reveal_phone(sample: CallbackSample, *, by: Any) -> str:
    """The sampled target's full phone number, for the caller while the batch is open; every reveal audited."""
    _open_for_caller(sample, by)
    target = sample.visit.target
    audit.record(by, AuditEvent.Action.READ, target, summary=_("回访抽查查看完整电话：%(batch)s 第 %(n)s 号") % {
        "batch": sample.batch, "n": sample.position}, changes={"sample": str(sample.public_id), "field": "phone"})
    return target.phone


def no_answer_days(sample: CallbackSample) -> int:
    """On how many different days a call went unanswered (the same day twice counts once)."""
    days = {clock.local(at).date() for at in sample.attempts.filter(kind=Kind.NO_ANSWER).values_list("called_at", flat=True)}
    return len(days)


def outcome_from(answers: dict[str, Any], visit: Visit) -> str:
    """What the person's answers say of the visit record: not visited; visited, but not by the cadre recorded or
    not the way recorded (by phone, or nobody at home, for a recorded home visit); or as recorded."""
    if answers.get("visited") == "no":
        return Outcome.NOT_VISITED
    mode = answers.get("mode")
    if answers.get("same_visitor") == "no" or (mode and mode != visit.mode):
        return Outcome.DIFFERENT
    return Outcome.CONFIRMED


def record_attempt(sample: CallbackSample, *, by: Any, kind: str, answers: dict[str, Any] | None = None,
                   note: str = "", seen_attempts: int | None = None) -> CallbackAttempt:
    """One call. A completed call settles the sample by its answers, a refusal as refused; no answer on the
    campaign's number of different days settles it as unreachable. A settled sample takes no more calls.
    `seen_attempts` is how many calls the caller's form showed: a form sent twice (a double click, a resend) or
    after another caller's call is refused, so one call is recorded once."""
    _open_for_caller(sample, by)
    if kind not in Kind.values:
        raise CallbackError(_("请选择拨打情况。"))
    config = settings_of(sample.batch.campaign)
    clean: dict[str, Any] = {}
    if kind == Kind.COMPLETED:
        script = campaign_script(sample.batch.campaign)
        assert script is not None  # noqa: S101 - settings_of found the block
        clean, errors = script.check(answers or {})
        if errors:
            raise CallbackError("；".join(errors.values()))
    with transaction.atomic():
        locked = CallbackSample.objects.select_for_update().select_related("visit", "batch").get(pk=sample.pk)
        # A form sent again is told so first, also when the call it repeats settled the sample (decision 0058).
        if seen_attempts is not None and (made := locked.attempts.count()) != seen_attempts:
            last = locked.attempts.order_by("-called_at", "-id").first()
            if made == seen_attempts + 1 and last is not None and last.by_id == getattr(_user(by), "pk", None) \
                    and (last.kind, last.answers, last.note) == (kind, clean, (note or "").strip()):
                # This very call sent again (a double click, a resend): recorded by the first send (decision 0085).
                raise AlreadyDone(_("这次拨打已于 %(when)s 记录（%(kind)s），未重复记录。") % {
                    "when": clock.minute(last.called_at), "kind": last.get_kind_display()})
            raise CallbackError(_("您打开此页后已记录了一次拨打（%(when)s %(kind)s），这次提交未重复记录；"
                                  "如确是又拨打了一次，请在下面重新填写。") % {
                "when": clock.minute(last.called_at) if last else "", "kind": last.get_kind_display() if last else ""})
        if locked.outcome:
            raise CallbackError(_("该样本已有回访结果（%(outcome)s），不再拨打。") % {"outcome": locked.get_outcome_display()})
        attempt = CallbackAttempt.objects.create(sample=locked, kind=kind, called_at=clock.now(), answers=clean,
                                                 note=(note or "").strip(), by=_user(by))
        before = locked.outcome
        if kind == Kind.COMPLETED:
            locked.outcome = outcome_from(clean, locked.visit)
            locked.answers = clean
        elif kind == Kind.REFUSED:
            locked.outcome = Outcome.REFUSED
        else:
            rule = config["attempts"]
            days = no_answer_days(locked) if rule.get("different_days", True) else locked.attempts.filter(
                kind=Kind.NO_ANSWER).count()
            if days >= rule["unreachable_after"]:
                locked.outcome = Outcome.UNREACHABLE
        if locked.outcome:
            locked.settled_at = attempt.called_at
            if locked.outcome == Outcome.NOT_VISITED:
                locked.verification = CallbackSample.Verification.PENDING
        locked.modified_by = _user(by)
        locked.save()
        audit.record(by, AuditEvent.Action.UPDATE, locked, summary=_("回访抽查拨打：%(batch)s 第 %(n)s 号 %(kind)s") % {
            "batch": locked.batch, "n": locked.position, "kind": attempt.get_kind_display()},
            changes={"outcome": [before, locked.outcome], "attempt": kind})
    sample.refresh_from_db()
    return attempt


def verify(sample: CallbackSample, *, by: Any, upheld: bool, explanation: str, note: str) -> CallbackSample:
    """The office's decision on a "not visited": upheld (it counts against the cadre) or overturned."""
    if not access.may_run(by, sample.batch.campaign):
        raise PermissionDenied
    explanation, note = (explanation or "").strip(), (note or "").strip()
    if not explanation or not note:
        raise CallbackError(_("请填写走访干部的说明和核实情况。"))
    with transaction.atomic():
        locked = CallbackSample.objects.select_for_update().select_related("batch").get(pk=sample.pk)
        decided = CallbackSample.Verification.UPHELD if upheld else CallbackSample.Verification.OVERTURNED
        if (locked.verification, locked.cadre_explanation, locked.verification_note, locked.verified_by_id) == (
                decided, explanation, note, getattr(by, "pk", None)):
            sample.refresh_from_db()
            return sample  # this decision sent again (a double click, a resend: decision 0058): recorded once
        if locked.verification != CallbackSample.Verification.PENDING:
            raise CallbackError(_("该样本不在待核实状态。"))
        locked.verification = decided
        locked.cadre_explanation, locked.verification_note = explanation, note
        locked.verified_at, locked.verified_by, locked.modified_by = clock.now(), _user(by), _user(by)
        locked.save()
        audit.record(by, AuditEvent.Action.UPDATE, locked, summary=_("回访抽查核实：%(batch)s 第 %(n)s 号 %(result)s") % {
            "batch": locked.batch, "n": locked.position, "result": locked.get_verification_display()},
            changes={"verification": ["pending", locked.verification], "explanation": explanation, "note": note})
    sample.refresh_from_db()
    return sample


def close_batch(batch: CallbackBatch, *, by: Any) -> CallbackBatch:
    """No more calls or reveals; unsettled samples stay without an outcome."""
    if not access.may_run(by, batch.campaign):
        raise PermissionDenied
    with transaction.atomic():
        locked = CallbackBatch.objects.select_for_update().get(pk=batch.pk)
        if not locked.is_open:
            raise AlreadyDone(_("该批回访抽查已于 %(at)s 结束，无需重复操作。") % {
                "at": clock.minute(locked.closed_at) if locked.closed_at else "—"})
        locked.status, locked.closed_at, locked.modified_by = CallbackBatch.Status.CLOSED, clock.now(), _user(by)
        locked.save(update_fields=["status", "closed_at", "modified_by", "modified_at"])
        audit.record(by, AuditEvent.Action.UPDATE, locked, summary=_("结束%(batch)s") % {"batch": locked},
                     changes={"status": ["open", "closed"]})
    batch.refresh_from_db()
    return batch


def _decimal(share: Fraction | None) -> Decimal | None:
    """A share as the batch's column stores it (four places); the exact fraction stays in the inputs."""
    if share is None:
        return None
    return (Decimal(share.numerator) / Decimal(share.denominator)).quantize(Decimal("0.0001"))


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None
