"""Third-party callbacks (回访抽查, seed 000 §三(三)): a drawn sample of visits, the calls made, what they found.

Not `cases.CaseCallback`, which is the office's follow-up call on one case's answer; a third-party finding
that a problem was never answered reaches a case as such a callback, through the cases workflow.
"""

from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoufang import clock
from zoufang.core.models import TimeStampedModel


class CallbackBatch(TimeStampedModel):
    """One draw: a campaign, a period of visits, how many, by whom, with the seed and inputs that reproduce it.

    The draw's fields never change after it is made (a PostgreSQL trigger refuses it); drawing again is a new
    batch with its own number."""

    class Status(models.TextChoices):
        OPEN = "open", _("回访中")
        CLOSED = "closed", _("已结束")

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("走访活动"), on_delete=models.PROTECT,
                                 related_name="callback_batches")
    number = models.PositiveIntegerField(_("批次"))
    period_starts_on = models.DateField(_("走访日期自"))
    period_ends_on = models.DateField(_("走访日期至"))
    rate = models.DecimalField(_("抽查比例"), max_digits=5, decimal_places=4, null=True, blank=True)
    count = models.PositiveIntegerField(_("抽查数量"), null=True, blank=True)
    flagged_share = models.DecimalField(_("疑点走访占比"), max_digits=5, decimal_places=4, default=0)
    seed = models.BigIntegerField(_("随机种子"))
    # Everything the draw read: population size, visit ids (digest), flagged ids, earlier batches' cadres.
    inputs: "models.JSONField[Any, Any]" = models.JSONField(_("抽样输入"), default=dict)
    caller = models.ForeignKey("registry.Unit", verbose_name=_("回访单位（第三方）"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="callback_batches")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # The drawing request's key (the page's form): a retried background job finds the batch it already drew
    # instead of drawing a second one (docs/jobs.md).
    request_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("回访抽查批次")
        verbose_name_plural = _("回访抽查批次")
        ordering = ["campaign", "-number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="callback_batch_number")]
        # The batch lists' order (newest first), walked a page at a time (docs/lists.md).
        indexes = [models.Index(fields=["-created_at", "-id"], name="callback_batch_recent")]
        triggers = [
            pgtrigger.ReadOnly(name="callback_batch_draw_fixed", fields=[
                "campaign", "number", "period_starts_on", "period_ends_on", "rate", "count", "flagged_share",
                "seed", "inputs"]),
            pgtrigger.Protect(name="callback_batch_kept", operation=pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return str(_("第 %(n)s 批回访抽查") % {"n": self.number})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class CallbackSample(TimeStampedModel):
    """One sampled visit, why it was drawn, and what the calls found (its outcome once settled)."""

    class Reason(models.TextChoices):
        CADRE = "cadre", _("覆盖走访干部")
        VILLAGE = "village", _("覆盖村（社区）")
        UNIT = "unit", _("覆盖单位")
        FLAGGED = "flagged", _("疑点走访")
        RANDOM = "random", _("随机抽取")

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", _("走访属实")
        NOT_VISITED = "not_visited", _("未接受走访")
        DIFFERENT = "different", _("走访方式不符")
        UNREACHABLE = "unreachable", _("多次联系不上")
        REFUSED = "refused", _("拒绝回访")

    class Verification(models.TextChoices):
        PENDING = "pending", _("待核实")
        UPHELD = "upheld", _("核实属实")
        OVERTURNED = "overturned", _("核实不属实")

    batch = models.ForeignKey(CallbackBatch, verbose_name=_("批次"), on_delete=models.PROTECT,
                              related_name="samples")
    visit = models.ForeignKey("visits.Visit", verbose_name=_("走访记录"), on_delete=models.PROTECT,
                              related_name="callback_samples")
    position = models.PositiveIntegerField(_("序号"))
    reason = models.CharField(_("抽取原因"), max_length=10, choices=Reason.choices)
    outcome = models.CharField(_("回访结果"), max_length=12, choices=Outcome.choices, blank=True, default="")
    answers: "models.JSONField[Any, Any]" = models.JSONField(_("回访答案"), default=dict, blank=True)
    settled_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # A "not visited" goes to the office: the cadre's explanation, then upheld or overturned.
    verification = models.CharField(_("核实"), max_length=12, choices=Verification.choices, blank=True, default="")
    cadre_explanation = models.TextField(_("走访干部说明"), blank=True, default="")
    verification_note = models.TextField(_("核实情况"), blank=True, default="")
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核实人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    # The person said a problem they raised was never answered: the office reopens the visit's answered cases.
    unanswered_handled_at = models.DateTimeField(_("未回复问题处理时间"), null=True, blank=True)
    unanswered_note = models.TextField(_("未回复问题处理情况"), blank=True, default="")
    # The person said they were not satisfied with the visit: the office records what it did about it (跟进).
    dissatisfied_handled_at = models.DateTimeField(_("不满意跟进时间"), null=True, blank=True)
    dissatisfied_note = models.TextField(_("不满意跟进情况"), blank=True, default="")
    dissatisfied_handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("跟进登记人"), null=True,
                                                blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("回访抽查样本")
        verbose_name_plural = _("回访抽查样本")
        ordering = ["batch", "position"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "visit"], name="callback_sample_once_per_batch"),
            models.UniqueConstraint(fields=["batch", "position"], name="callback_sample_position"),
        ]
        triggers = [pgtrigger.Protect(name="callback_sample_kept", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.batch} #{self.position}"

    @property
    def says_unanswered(self) -> bool:
        return self.answers.get("answered") == "no"

    @property
    def says_unsatisfied(self) -> bool:
        return self.answers.get("satisfaction") == "unsatisfied"


class CallbackAttempt(models.Model):
    """One call: every attempt is kept, answered or not."""

    class Kind(models.TextChoices):
        NO_ANSWER = "no_answer", _("未接通")
        REFUSED = "refused", _("接通，拒绝回访")
        COMPLETED = "completed", _("接通，完成回访")

    sample = models.ForeignKey(CallbackSample, verbose_name=_("样本"), on_delete=models.PROTECT,
                               related_name="attempts")
    kind = models.CharField(_("情况"), max_length=10, choices=Kind.choices)
    called_at = models.DateTimeField(_("拨打时间"))
    answers: "models.JSONField[Any, Any]" = models.JSONField(_("回访答案"), default=dict, blank=True)
    note = models.TextField(_("备注"), blank=True, default="")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("回访人"), null=True, on_delete=models.SET_NULL,
                           related_name="+")

    class Meta:
        verbose_name = _("回访拨打记录")
        verbose_name_plural = _("回访拨打记录")
        ordering = ["sample", "called_at", "id"]
        triggers = [pgtrigger.Protect(name="callback_attempt_kept", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {clock.day(self.called_at)}"
