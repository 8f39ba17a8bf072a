"""An assessment run (考核) and what it stored: a score per cadre, unit and village, and the 加减分 added to them.

A run is a version: it keeps the figures it read, so later data never moves it. Once frozen (定稿) nothing of
it changes again: the model refuses, and on PostgreSQL triggers refuse any UPDATE or DELETE of a frozen run
and any write to its scores and adjustments (as the audit chain is guarded).
"""

import uuid
from decimal import Decimal
from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoufang.campaigns.models import Campaign
from zoufang.core.models import TimeStampedModel
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Unit


class FrozenAssessmentError(Exception):
    """A frozen assessment (or a score or adjustment of one) was about to change."""


# Refuses a score's or an adjustment's insert, update or delete when its assessment is frozen.
CHILD_GUARD = """
    SELECT status INTO parent_status FROM assessment_assessment
     WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.assessment_id ELSE NEW.assessment_id END;
    IF parent_status = 'frozen' THEN
        RAISE EXCEPTION 'pgtrigger: Cannot % a row of a frozen assessment', TG_OP;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
"""


def _child_guard(name: str) -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name=name, when=pgtrigger.Before, operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
        declare=[("parent_status", "text")], func=CHILD_GUARD,
    )


class Assessment(TimeStampedModel):
    """One run of the assessment of a campaign over a period; `number` counts the runs of that period."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("待审定")
        FROZEN = "frozen", _("已定稿")

    campaign = models.ForeignKey(Campaign, verbose_name=_("走访活动"), on_delete=models.PROTECT,
                                 related_name="assessments")
    title = models.CharField(_("考核名称"), max_length=100)
    starts_on = models.DateField(_("考核期起"))
    ends_on = models.DateField(_("考核期止"))
    as_of = models.DateField(_("数据截至"))
    number = models.PositiveIntegerField(_("第几版"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    indicators = models.JSONField(_("指标与权重"), default=list)
    frozen_at = models.DateTimeField(_("定稿时间"), null=True, blank=True)
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("定稿人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    # The running request's key (the page's form, or the API call): a retried background job finds the version it
    # already made instead of making a second one (docs/jobs.md).
    request_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("考核")
        verbose_name_plural = _("考核")
        ordering = ["-starts_on", "-ends_on", "-number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "starts_on", "ends_on", "number"],
                                               name="assessment_one_number_per_period")]
        triggers = [
            pgtrigger.Protect(name="assessment_frozen", operation=pgtrigger.Update | pgtrigger.Delete,
                              condition=pgtrigger.Q(old__status="frozen")),
        ]

    def __str__(self) -> str:
        return _("%(title)s（第%(number)s版）") % {"title": self.title, "number": self.number}

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.FROZEN

    def _stored_frozen(self) -> bool:
        return self.pk is not None and Assessment.objects.filter(pk=self.pk, status=self.Status.FROZEN).exists()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._stored_frozen():
            raise FrozenAssessmentError(str(self))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self._stored_frozen():
            raise FrozenAssessmentError(str(self))
        return super().delete(*args, **kwargs)


class FrozenParentMixin(models.Model):
    """Refuses to save or delete a row whose assessment is frozen (the model's half of the guard)."""

    assessment: Any

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._refuse_if_frozen()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        self._refuse_if_frozen()
        return super().delete(*args, **kwargs)

    def _refuse_if_frozen(self) -> None:
        frozen = Assessment.objects.filter(pk=self.assessment_id, status=Assessment.Status.FROZEN)  # type: ignore[attr-defined]
        if frozen.exists():
            raise FrozenAssessmentError(str(self.assessment))


class Score(FrozenParentMixin):
    """A cadre's, unit's or village's score: each indicator's figures as read at the run, the weighted total."""

    class Level(models.TextChoices):
        UNIT = "unit", _("单位")
        CADRE = "cadre", _("走访干部")
        VILLAGE = "village", _("村（社区）")

    public_id = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(Assessment, verbose_name=_("考核"), on_delete=models.CASCADE, related_name="scores")
    level = models.CharField(_("考核对象类别"), max_length=12, choices=Level.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    cadre = models.ForeignKey(Cadre, verbose_name=_("走访干部"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    region = models.ForeignKey(Region, verbose_name=_("村（社区）"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    label = models.CharField(_("名称"), max_length=200)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    cells = models.JSONField(_("各项指标"), default=dict)
    base_total = models.DecimalField(_("指标得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    adjustment = models.DecimalField(_("加减分"), max_digits=6, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)

    class Meta:
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        ordering = ["assessment", "level", "sort_order", "id"]
        indexes = [models.Index(fields=["assessment", "level", "rank"], name="score_level_rank")]
        triggers = [_child_guard("score_frozen")]

    def __str__(self) -> str:
        return f"{self.label} {self.total}"

    @property
    def subject(self) -> Any:
        return self.cadre or self.unit or self.region


class Adjustment(FrozenParentMixin):
    """A documented 加减分 on one score: points (negative to deduct) and the reason, by whom, when."""

    assessment = models.ForeignKey(Assessment, verbose_name=_("考核"), on_delete=models.CASCADE,
                                   related_name="adjustments")
    score = models.ForeignKey(Score, verbose_name=_("考核得分"), on_delete=models.CASCADE, related_name="adjustments")
    points = models.DecimalField(_("分值"), max_digits=5, decimal_places=2)
    reason = models.CharField(_("理由及依据"), max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                           related_name="+")
    at = models.DateTimeField(_("登记时间"))
    # The form's or API call's key (core.request_keys): a double click or a retry registers the points once.
    request_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("加减分")
        verbose_name_plural = _("加减分")
        ordering = ["score", "at", "id"]
        triggers = [_child_guard("adjustment_frozen")]

    def __str__(self) -> str:
        return f"{self.score.label} {self.points:+} {self.reason}"
