"""Questionnaires as data: a form, its versions (XLSForm rows, parsed), and the answers given on visits."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from zoufang.core.models import TimeStampedModel


class Form(TimeStampedModel):
    key = models.SlugField(_("代号"), max_length=60, unique=True, help_text=_("与活动配置 questionnaires 的 key 一致"))
    title = models.CharField(_("名称"), max_length=200)

    class Meta:
        verbose_name = _("调查表")
        verbose_name_plural = _("调查表")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.title

    def current_version(self) -> "FormVersion | None":
        return self.versions.order_by("-number").first()


class FormVersion(TimeStampedModel):
    """One published wording of a form. Answers keep the version they were given in."""

    form = models.ForeignKey(Form, verbose_name=_("调查表"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本序号"))
    label = models.CharField(_("版本"), max_length=50, blank=True, default="", help_text=_("settings.version"))
    # The parsed tree (xlsform.ParsedForm.spec) and the rows it came from, to write the xlsx back out.
    spec: "models.JSONField[Any, Any]" = models.JSONField(_("结构"))
    rows: "models.JSONField[Any, Any]" = models.JSONField(_("原始行"))
    content_hash = models.CharField(_("内容摘要"), max_length=64)

    class Meta:
        verbose_name = _("调查表版本")
        verbose_name_plural = _("调查表版本")
        ordering = ["form", "-number"]
        constraints = [models.UniqueConstraint(fields=["form", "number"], name="form_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.form.title} v{self.number}"


class FormAnswer(TimeStampedModel):
    visit = models.ForeignKey("visits.Visit", verbose_name=_("走访记录"), on_delete=models.CASCADE,
                              related_name="form_answers")
    form = models.ForeignKey(Form, verbose_name=_("调查表"), on_delete=models.PROTECT, related_name="answers")
    form_version = models.ForeignKey(FormVersion, verbose_name=_("版本"), on_delete=models.PROTECT, related_name="answers")
    data: "models.JSONField[Any, Any]" = models.JSONField(_("答案"), default=dict)

    class Meta:
        verbose_name = _("调查表答案")
        verbose_name_plural = _("调查表答案")
        ordering = ["form", "-created_at"]
        # The API's answers of a form a page at a time in the order recorded (core.paging keyset on the id).
        indexes = [models.Index(fields=["form", "id"], name="formanswer_form_order")]
        constraints = [models.UniqueConstraint(fields=["visit", "form"], name="form_answer_one_per_visit")]

    def __str__(self) -> str:
        return f"{self.form} / {self.visit_id}"
