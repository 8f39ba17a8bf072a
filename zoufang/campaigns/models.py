"""A campaign: its configuration (validated YAML) and the parts other apps refer to."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from zoufang.core.models import TimeStampedModel


class Campaign(TimeStampedModel):
    slug = models.SlugField(_("代号"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    scope = models.ForeignKey(
        "regions.Region", verbose_name=_("范围"), on_delete=models.PROTECT, related_name="campaigns"
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    # The whole validated configuration, as loaded; the parts other apps query are below.
    config: "models.JSONField[Any, Any]" = models.JSONField(_("配置"), default=dict)
    source_name = models.CharField(_("配置文件"), max_length=200, blank=True, default="")
    # Kept by the planner: the pace counts from this day when the rule's own start is earlier (oversight/pace.py).
    plan_given_on = models.DateField(
        _("分配下达日期"), null=True, blank=True,
        help_text=_("第一次分配写入的日期，由分配自动填写；晚于进度要求的起算日时，进度自此日起计算"),
    )
    # The latest day work was given after the plan day (a re-plan, a hand reassignment): the pace figures read
    # that work's own days only when it is set (decision 0042). Kept by planning.models.mark_given_later.
    given_later_on = models.DateField(
        _("最近追加分配日期"), null=True, blank=True, editable=False,
        help_text=_("分配下达后又追加或调整分配的最近日期，由分配自动填写"),
    )

    class Meta:
        verbose_name = _("走访活动")
        verbose_name_plural = _("走访活动")
        ordering = ["-starts_on", "slug"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # `given_later_on` is moved by the assignments' writers alone (one conditional UPDATE each): an instance read
        # before one of them must not write its older day back.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [field.attname for field in self._meta.concrete_fields
                                       if not field.primary_key and field.attname != "given_later_on"]
        super().save(*args, **kwargs)


class Phase(models.Model):
    campaign = models.ForeignKey(Campaign, verbose_name=_("走访活动"), on_delete=models.CASCADE, related_name="phases")
    key = models.SlugField(_("代号"), max_length=60)
    name = models.CharField(_("名称"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True, help_text=_("留空表示长期坚持"))
    description = models.TextField(_("说明"), blank=True, default="")
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("阶段")
        verbose_name_plural = _("阶段")
        ordering = ["campaign", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="phase_unique_key")]

    def __str__(self) -> str:
        return self.name


class CaseCategory(models.Model):
    """A case category (e.g. 在收集社情民意方面) or one of its numbered sub-items (parent set)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("走访活动"), on_delete=models.CASCADE, related_name="case_categories"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级类别"), null=True, blank=True, on_delete=models.CASCADE, related_name="items"
    )
    code = models.CharField(_("编号"), max_length=20)
    title = models.TextField(_("内容"))
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    disabled_on = models.DateField(_("停用日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("问题类别")
        verbose_name_plural = _("问题类别")
        ordering = ["campaign", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="case_category_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        """The words as a page or a cell names the category: the seed's list keeps its items' closing ；/。 (the title
        stays as written), a name does not."""
        return self.title.rstrip("；;。")
