"""督查事项: a department rated 差 by an enterprise is followed up by 镇督查组 (seed 002 §四1)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoufang import clock
from zoufang.core.models import TimeStampedModel


class SupervisionItem(TimeStampedModel):
    """One per (answer, aspect) rated 差, created when the answer is saved. Its `version` guards every change."""

    class Status(models.TextChoices):
        OPEN = "open", _("督查中")
        DONE = "done", _("已办结")

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("走访活动"), on_delete=models.PROTECT,
                                 related_name="supervision_items")
    answer = models.ForeignKey("forms.FormAnswer", verbose_name=_("调查表答案"), on_delete=models.PROTECT,
                               related_name="supervision_items")
    aspect = models.CharField(_("评价项目代号"), max_length=60)
    aspect_label = models.CharField(_("评价项目"), max_length=60)
    # The rated department as it stood when the enterprise rated it (the visiting cadre's unit).
    unit = models.ForeignKey("registry.Unit", verbose_name=_("被评价部门"), on_delete=models.PROTECT,
                             related_name="supervision_items")
    description = models.TextField(_("督查内容"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("督查责任人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    due_on = models.DateField(_("办结期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    result = models.TextField(_("落实情况"), blank=True, default="")
    done_on = models.DateField(_("办结日期"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办结人"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("督查事项")
        verbose_name_plural = _("督查事项")
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["answer", "aspect"], name="supervision_item_once_per_aspect")]
        indexes = [
            models.Index(fields=["campaign", "unit"], name="supervision_campaign_unit"),
            # The items' list order, walked a page at a time (docs/lists.md).
            models.Index(fields=["campaign", "status", "due_on", "id"], name="supervision_listed"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.aspect_label}"

    @property
    def overdue(self) -> bool:
        return self.status == self.Status.OPEN and clock.today() > self.due_on


class RatingTally(models.Model):
    """Kept counts of the enterprise ratings (decision 0012), moved in the answer's transaction by ratings.tallies.

    `unit` 0 is the whole campaign, else the rated department's id; `aspect` "" is all aspects together; `month`
    "" is all time. `grade` is one of the four grades, "~" and the old wording's words (counted apart), or a
    count of answers (`tallies.FORMS`, `ANSWERS`, `OLD_ANSWERS`)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    unit = models.IntegerField(default=0)
    aspect = models.CharField(max_length=60, default="")
    month = models.CharField(max_length=7, default="")
    grade = models.CharField(max_length=200)
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("评价计数")
        verbose_name_plural = _("评价计数")
        constraints = [models.UniqueConstraint(fields=["campaign", "unit", "aspect", "month", "grade"],
                                               name="rating_tally_node")]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.unit}/{self.aspect}/{self.month}/{self.grade}={self.n}"


class RatedAnswer(models.Model):
    """What one answer of a rating form contributes to the tallies now, and where its comment sorts. A change
    subtracts this and adds the new contribution. `answer` is a plain id: the row must outlive a deleted answer
    long enough to be uncounted."""

    answer = models.BigIntegerField(_("调查表答案"), primary_key=True)
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    cadre = models.IntegerField(default=0)
    unit = models.IntegerField(default=0)  # the visiting cadre's unit as it is now (docs/ratings.md)
    visited_at = models.DateTimeField()
    worst = models.SmallIntegerField(default=0)  # 3 差, 2 一般, 1 较好, 0 otherwise: the comments' order
    commented = models.BooleanField(default=False)  # a rating_reason or innovation_advice was given
    counted: "models.JSONField[Any, Any]" = models.JSONField(default=list)  # [[aspect, month, grade], …]

    class Meta:
        verbose_name = _("已计入的评价")
        verbose_name_plural = _("已计入的评价")
        ordering = ["-worst", "-visited_at", "-answer"]
        indexes = [
            # The comments a page at a time, 差 first then 一般, latest first (campaign-wide and per department).
            models.Index(fields=["campaign", "commented", "-worst", "-visited_at", "-answer"], name="rated_comments"),
            models.Index(fields=["campaign", "unit", "commented", "-worst", "-visited_at", "-answer"],
                         name="rated_unit_comments"),
            models.Index(fields=["cadre"], name="rated_cadre"),
        ]

    def __str__(self) -> str:
        return f"{self.answer}"
