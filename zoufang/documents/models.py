"""The office's documents: 通报 (a 公文 under GB/T 9704-2012), 简报 (numbered 第N期), 专报 (one subject, to the
leaders, numbered 第N期 in a series of its own: decision 0074) and 会商 materials.

A draft holds its sections (the text the office edits, the figures filled in when it was generated); issuing
numbers it from the office's sequence and stores the rendered docx with its SHA-256. An issued document never
changes again: `save` refuses it, and on PostgreSQL a trigger refuses any UPDATE or DELETE of an issued row.
"""

import uuid
from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zoufang import clock
from zoufang.core.models import SentReminder, TimeStampedModel


class DocumentIssued(Exception):
    """An issued document was asked to change."""


class Issuer(models.Model):
    """The issuing office of a town: its name for the 版头 and 落款, the abbreviation of its 发文字号, its 版记."""

    region = models.OneToOneField(
        "regions.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="document_issuer"
    )
    name = models.CharField(_("发文机关全称"), max_length=100)
    abbreviation = models.CharField(_("发文机关代字"), max_length=20, help_text=_("如：锦走访办"))
    briefing_name = models.CharField(_("简报名称"), max_length=60)
    copy_to = models.CharField(_("抄送机关"), max_length=300, blank=True, default="")
    printed_by = models.CharField(_("印发机关"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("发文机关")
        verbose_name_plural = _("发文机关")

    def __str__(self) -> str:
        return self.name


class Sequence(models.Model):
    """The last number an issuer gave in a year, per series (发文字号 of 通报; 第N期 of 简报)."""

    issuer = models.ForeignKey(Issuer, verbose_name=_("发文机关"), on_delete=models.CASCADE, related_name="sequences")
    series = models.CharField(_("编号序列"), max_length=20)
    year = models.PositiveIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用到"), default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")
        constraints = [models.UniqueConstraint(fields=["issuer", "series", "year"], name="document_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.issuer.abbreviation} {self.year} {self.series} {self.last}"


class Document(TimeStampedModel):
    class Kind(models.TextChoices):
        CIRCULAR = "circular", _("通报")
        BRIEFING = "briefing", _("简报")
        CONSULTATION = "consultation", _("会商材料")
        SPECIAL = "special", _("专报")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ISSUED = "issued", _("已印发")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("走访活动"), on_delete=models.PROTECT, related_name="documents"
    )
    issuer = models.ForeignKey(Issuer, verbose_name=_("发文机关"), on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("种类"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(_("标题"), max_length=200)
    addressee = models.CharField(_("主送机关"), max_length=200, blank=True, default="")
    period_starts_on = models.DateField(_("统计起始日"))
    period_ends_on = models.DateField(_("统计截止日"))
    sections: "models.JSONField[Any, Any]" = models.JSONField(_("正文各部分"), default=list)
    # A 专报's subject as it was chosen (documents/special.py: kind, id, label; the picked cases' numbers), and its
    # 抄送 line (the 报送 line is `addressee`), both empty for the other kinds.
    subject: "models.JSONField[Any, Any]" = models.JSONField(_("专报主题"), default=dict, blank=True)
    copy_to = models.CharField(_("抄送"), max_length=300, blank=True, default="")
    year = models.PositiveIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("顺序号"), null=True, blank=True)
    reference = models.CharField(_("发文字号或期号"), max_length=60, blank=True, default="")
    signed_on = models.DateField(_("成文日期"), null=True, blank=True)
    issued_at = models.DateTimeField(_("印发时间"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("印发人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    content = models.BinaryField(_("印发文件"), null=True, blank=True, editable=False)
    sha256 = models.CharField(_("文件校验值"), max_length=64, blank=True, default="")
    # The generating request's key (the page's form, or the API call): a retried background job finds the draft it
    # already made instead of making a second one.
    request_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("公文简报")
        verbose_name_plural = _("公文简报")
        ordering = ["-created_at"]
        # The lists' order (drafts, then the issued ones newest first), walked a page at a time (docs/lists.md).
        indexes = [models.Index(fields=["campaign", "status", "-issued_at", "-id"], name="document_listed")]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "kind", "year", "serial"], name="document_number_unique",
                                    condition=models.Q(serial__isnull=False)),
        ]
        triggers = [
            pgtrigger.Protect(name="document_issued_unchangeable", operation=pgtrigger.Update | pgtrigger.Delete,
                              condition=pgtrigger.Q(old__status="issued")),
        ]

    def __str__(self) -> str:
        return f"{self.reference or self.get_status_display()} {self.title}"

    @property
    def issued(self) -> bool:
        return self.status == self.Status.ISSUED

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and Document.objects.filter(pk=self.pk, status=self.Status.ISSUED).exists():
            raise DocumentIssued(self.reference)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.issued:
            raise DocumentIssued(self.reference)
        return super().delete(*args, **kwargs)


class Summary(models.Model):
    """One version of a unit's 工作总结 (总结材料) handed in for a campaign (decision 0071). A new file makes a new
    version; none is ever changed or deleted: the highest version is the current one."""

    class Kind(models.TextChoices):
        DOCX = "docx", _("Word 文档（.docx）")
        DOC = "doc", _("Word 文档（.doc）")
        WPS = "wps", _("WPS 文字（.wps）")
        PDF = "pdf", _("PDF 文件")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("走访活动"), on_delete=models.PROTECT, related_name="summaries"
    )
    unit = models.ForeignKey("registry.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="summaries")
    version = models.PositiveIntegerField(_("版本"))
    file_name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("文件类型"), max_length=10, choices=Kind.choices)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content = models.BinaryField(_("文件"), editable=False)
    sha256 = models.CharField(_("文件校验值"), max_length=64)
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=clock.now)
    # The form's key: the same form sent again finds the version it made (decision 0058).
    request_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("工作总结")
        verbose_name_plural = _("工作总结")
        constraints = [models.UniqueConstraint(fields=["campaign", "unit", "version"], name="summary_version_unique")]

    def __str__(self) -> str:
        return gettext("%(unit)s %(file)s（第%(n)s版）") % {"unit": self.unit, "file": self.file_name, "n": self.version}

    @property
    def submitter(self) -> str:
        """Who handed it in, by name; empty when the account is gone (or a row loaded by hand)."""
        return named(self.submitted_by)


def named(user: Any) -> str:
    """An account by its person's name (its username without one); empty when the account is gone."""
    return (user.get_full_name() or user.username) if user is not None else ""


class SummaryReminder(SentReminder):
    """A reminder about the units' 工作总结 sent by the daily run (documents/reminders.py, decision 0073): to a unit's
    handlers before and on the due date, to the office once after it. Unique per unit (none: the office's), kind
    and day, so a rerun, or two runs at once, send nothing twice."""

    class Kind(models.TextChoices):
        AHEAD = "ahead", _("截止前提醒承办单位")
        DUE = "due", _("截止当日提醒承办单位")
        OVERDUE_OFFICE = "overdue_office", _("逾期未交提醒走访办")

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("走访活动"), on_delete=models.CASCADE,
                                 related_name="+")
    unit = models.ForeignKey("registry.Unit", verbose_name=_("单位"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)

    class Meta:
        verbose_name = _("工作总结提醒")
        verbose_name_plural = _("工作总结提醒")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "kind", "on"], name="summary_reminder_once_a_day"),
            models.UniqueConstraint(fields=["campaign", "kind", "on"], condition=models.Q(unit__isnull=True),
                                    name="summary_office_reminder_once_a_day"),
        ]


class SummaryReturn(models.Model):
    """A version of a unit's 工作总结 the office returned for revision (退回, decision 0075), with its reason. One a
    version at most (the row is what makes a second click, a resend or a second clerk return it once, and notify the
    unit's handlers once); the version itself is never changed. A new version handed in after it is 已提交 again, and
    so is the version when the office withdraws the return (decision 0080: the row kept, marked withdrawn)."""

    summary = models.OneToOneField(Summary, verbose_name=_("退回的版本"), on_delete=models.PROTECT,
                                   related_name="returned")
    reason = models.CharField(_("退回原因"), max_length=300)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("退回人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    returned_at = models.DateTimeField(_("退回时间"), default=clock.now)
    # The form's key: the same form sent again finds the return it made (decision 0058).
    request_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # A return made in error, withdrawn (撤销退回, decision 0080): the row stays, marked, with who and when.
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("撤销人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+"
    )
    withdraw_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("工作总结退回")
        verbose_name_plural = _("工作总结退回")

    def __str__(self) -> str:
        return gettext("退回：%(summary)s") % {"summary": self.summary}

    @property
    def returner(self) -> str:
        """Who returned it, by name (Summary.submitter's rule)."""
        return named(self.returned_by)

    @property
    def withdrawer(self) -> str:
        """Who withdrew it, by name; empty while it stands."""
        return named(self.withdrawn_by)
