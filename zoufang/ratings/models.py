"""督查事项: a department rated 差 by an enterprise is followed up by 镇督查组 (seed 002 §四1)."""

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
