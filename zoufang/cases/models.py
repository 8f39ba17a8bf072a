"""A case: a problem or suggestion raised on a visit (or to the hotline), tracked until closed.

The allowed moves between statuses are in `workflow.py`; deadlines in `deadlines.py`; every
change goes through an action in `actions*.py`, which writes a CaseEvent and an audit row.
"""

import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from zoufang.core.crypto import BlindIndexField, EncryptedCharField
from zoufang.core.models import RecordedAtField, SentReminder, TimeStampedModel


class CaseQuerySet(models.QuerySet["Case"]):
    """Bulk writes that bypass the save signals still move the kept case results (oversight.case_counters,
    decision 0005): the touched cases are refreshed in one pass, in the same transaction."""

    def update(self, **kwargs: Any) -> int:
        from zoufang.oversight import case_counters

        with transaction.atomic(using=self.db, savepoint=False):
            ids = list(self.values_list("pk", flat=True))  # before: the update may move them out of the filter
            updated = super().update(**kwargs)
            case_counters.refresh_many(ids)
        return updated

    def update_counted_later(self, **kwargs: Any) -> int:
        """`update` leaving the kept case results to the caller, who refreshes them in the same transaction:
        `cases.transition.run`, whose CaseEvent (written next) refreshes them with the answer day it names."""
        return super().update(**kwargs)

    def bulk_create(self, objs: Iterable["Case"], *args: Any, **kwargs: Any) -> list["Case"]:
        from zoufang.oversight import case_counters

        if args or kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts"):
            raise TypeError("Case.objects.bulk_create: conflicts would leave the kept case results unknown")
        with transaction.atomic(using=self.db, savepoint=False):
            made = super().bulk_create(objs, **kwargs)
            case_counters.refresh_many([case.pk for case in made], new=True)
        return made

    def bulk_update(self, objs: Iterable["Case"], fields: Iterable[str], batch_size: int | None = None) -> int:
        from zoufang.oversight import case_counters

        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            updated = super().bulk_update(objs, fields, batch_size=batch_size)
            case_counters.refresh_many([case.pk for case in objs])
        return updated


class Case(TimeStampedModel):
    class Kind(models.TextChoices):
        PROBLEM = "problem", _("问题")
        SUGGESTION = "suggestion", _("意见建议")

    class Status(models.TextChoices):
        # An opinion collected on a visit, waiting for the office to register it.
        DRAFT = "draft", _("待登记")
        REGISTERED = "registered", _("待交办")
        DISPATCHED = "dispatched", _("待签收")
        ACCEPTED = "accepted", _("办理中")
        RETURNED = "returned", _("已退单")
        SIGNOFF = "signoff", _("待分管领导签字")
        ESCALATED = "escalated", _("已上报")
        # Beyond the town (上报上一级活动办): the city office took it on, or sent it back with instructions.
        UPPER_ACCEPTED = "upper_accepted", _("上级活动办办理中")
        UPPER_RETURNED = "upper_returned", _("上级活动办退回镇办理")
        RESOLVED = "resolved", _("已办结")
        EXPLAINED = "explained", _("已解释说明")
        REPLIED = "replied", _("已回复")
        CALLED_BACK = "called_back", _("已回访")
        CLOSED = "closed", _("已结案")
        MERGED = "merged", _("已合并")

    class Priority(models.TextChoices):
        NORMAL = "normal", _("一般")
        IMPORTANT = "important", _("重要")
        URGENT = "urgent", _("紧急")

    class Source(models.TextChoices):
        VISIT = "visit", _("走访收集")
        HOTLINE = "hotline", _("热线来电")
        OPEN311 = "open311", _("热线平台转入")

    class Route(models.TextChoices):
        # Seed 002 §五2: three ways up for what a unit cannot solve itself.
        COORDINATION = "coordination", _("镇级会商协调")
        UPPER_OFFICE = "upper_office", _("上报上一级活动办")
        LEADERSHIP = "leadership", _("提交镇领导专题研究")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        FAIRLY = "fairly", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("走访活动"), on_delete=models.PROTECT, related_name="cases"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    category = models.ForeignKey(
        "campaigns.CaseCategory", verbose_name=_("类别"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="cases",
    )
    description = models.TextField(_("内容"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    priority = models.CharField(_("缓急"), max_length=12, choices=Priority.choices, default=Priority.NORMAL)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices, default=Source.VISIT)
    source_visit = models.ForeignKey(
        "visits.Visit", verbose_name=_("来源走访"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="cases",
    )
    target = models.ForeignKey(
        "registry.Target", verbose_name=_("反映人（走访对象）"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="cases",
    )
    # For a case raised outside a visit (a call to the hotline): who called. Masked like a target's.
    raiser_name = models.CharField(_("反映人姓名"), max_length=100, blank=True, default="")
    raiser_phone_index = BlindIndexField(_("反映人电话索引"), db_index=True)
    raiser_phone = EncryptedCharField(_("反映人电话"), max_length=20, blank=True, default="",
                                      index_field="raiser_phone_index", normaliser="phone")
    external_id = models.CharField(_("热线平台编号"), max_length=64, blank=True, default="")
    # The receiving form's or API call's key (core.request_keys): a resubmitted call is received once.
    request_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在区划"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="cases",
    )
    raised_at = models.DateTimeField(_("收集时间"))
    registration_due = models.DateField(_("登记期限"), null=True, blank=True)
    registered_on = models.DateField(_("登记日期"), null=True, blank=True)
    registered_late = models.BooleanField(_("逾期登记"), default=False)
    settled_on_spot = models.BooleanField(_("当场解决"), default=False)

    unit = models.ForeignKey(
        "registry.Unit", verbose_name=_("承办单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="cases",
    )
    co_handlers = models.ManyToManyField(
        "registry.Unit", verbose_name=_("协办单位"), blank=True, related_name="co_handled_cases"
    )
    dispatched_on = models.DateField(_("交办日期"), null=True, blank=True)
    handling_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("已批准延期（工作日）"), default=0)
    handling_due = models.DateField(_("办理期限"), null=True, blank=True)
    # The clock stops while an extension request or a leader's sign-off is pending.
    paused_since = models.DateField(_("计时暂停自"), null=True, blank=True)
    paused_working_days = models.PositiveSmallIntegerField(_("累计暂停（工作日）"), default=0)
    requested_extension_days = models.PositiveSmallIntegerField(_("申请延期（工作日）"), null=True, blank=True)
    extension_reason = models.TextField(_("延期理由"), blank=True, default="")
    overdue_since = models.DateField(_("超期日期"), null=True, blank=True)

    escalation_route = models.CharField(_("上报去向"), max_length=16, choices=Route.choices, blank=True, default="")
    escalation_reason = models.TextField(_("上报理由"), blank=True, default="")
    signoff_leader = models.ForeignKey(
        "registry.Cadre", verbose_name=_("分管领导"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="cases_to_sign",
    )
    signed_at = models.DateTimeField(_("签字时间"), null=True, blank=True)
    resolution = models.TextField(_("办理结果"), blank=True, default="")
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    explanation = models.TextField(_("解释说明"), blank=True, default="")
    satisfaction = models.CharField(_("回访满意度"), max_length=12, choices=Satisfaction.choices, blank=True,
                                    default="")
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("合并至"), null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    # A call about a problem already closed (12345 "重复来电"): the new case records the closed one it follows, which
    # stays closed and unmerged; shown on both cases' pages and in the API (decision 0047).
    follows = models.ForeignKey(
        "self", verbose_name=_("前次来电（已结案）"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="followed_by",
    )
    # Open311 without a key lists only what the office approved for publication, in the office's own words.
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("公开审核人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    public_summary = models.TextField(_("公开摘要"), blank=True, default="")

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题与意见建议")
        verbose_name_plural = _("问题与意见建议")
        ordering = ["-raised_at"]
        indexes = [
            models.Index(fields=["campaign", "status"], name="case_campaign_status"),
            models.Index(fields=["unit", "status"], name="case_unit_status"),
            models.Index(fields=["status", "handling_due"], name="case_status_due"),
            # Keyset orders (core.paging), read along an index from the cursor on: the case lists, newest first,
            # and the oversight drill-down's cases of a campaign, earliest deadline first.
            models.Index(fields=["-raised_at", "id"], name="case_newest"),
            models.Index(fields=["campaign", "handling_due", "raised_at", "id"], name="case_campaign_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.description[:30]}"

    @property
    def number(self) -> str:
        """A short reference to read out on the phone; the URL carries the full public id."""
        return self.public_id.hex[:8].upper()

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None


class CaseEventQuerySet(models.QuerySet["CaseEvent"]):
    """A case's history names its answer day (按时办结率): bulk writes of events refresh their cases' kept results
    in one pass, as `CaseQuerySet` does for the cases."""

    def update(self, **kwargs: Any) -> int:
        from zoufang.oversight import case_counters

        with transaction.atomic(using=self.db, savepoint=False):
            found = list(self.values_list("pk", "case_id"))
            updated = super().update(**kwargs)
            ids = {case_id for _pk, case_id in found}
            if "case" in kwargs or "case_id" in kwargs:  # moved to another case: both are refreshed
                ids |= set(CaseEvent.objects.filter(pk__in=[pk for pk, _case in found]).values_list("case_id", flat=True))
            case_counters.refresh_many(ids)
        return updated

    def bulk_create(self, objs: Iterable["CaseEvent"], *args: Any, **kwargs: Any) -> list["CaseEvent"]:
        from zoufang.oversight import case_counters

        with transaction.atomic(using=self.db, savepoint=False):
            made = super().bulk_create(objs, *args, **kwargs)
            case_counters.refresh_many([event.case_id for event in made])
        return made

    def bulk_update(self, objs: Iterable["CaseEvent"], fields: Iterable[str], batch_size: int | None = None) -> int:
        from zoufang.oversight import case_counters

        objs, fields = list(objs), list(fields)
        with transaction.atomic(using=self.db, savepoint=False):
            ids = {event.case_id for event in objs}
            if "case" in fields or "case_id" in fields:  # moved from another case: that one is refreshed too
                ids |= set(CaseEvent.objects.filter(pk__in=[e.pk for e in objs]).values_list("case_id", flat=True))
            updated = super().bulk_update(objs, fields, batch_size=batch_size)
            case_counters.refresh_many(ids)
        return updated


class CaseEvent(models.Model):
    """One line of a case's history: who moved it, from what to what, when, and why."""

    case = models.ForeignKey(Case, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=24)
    from_status = models.CharField(_("原状态"), max_length=20, choices=Case.Status.choices, blank=True, default="")
    to_status = models.CharField(_("新状态"), max_length=20, choices=Case.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))
    version = models.PositiveIntegerField(_("版本"))
    note = models.TextField(_("说明"), blank=True, default="")
    data = models.JSONField(_("详情"), default=dict, blank=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["case", "version", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="case_event_one_per_version")]
        # The board's new arrivals: the cases with an event since yesterday, read from the index alone.
        indexes = [models.Index(fields=["at", "case"], name="case_event_recent")]

    def __str__(self) -> str:
        return f"{self.case_id} v{self.version} {self.action}"


class CaseReply(models.Model):
    """The answer to the person who raised the case (回复): channel, content, date."""

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("当面答复")
        PHONE = "phone", _("电话答复")
        LETTER = "letter", _("书面答复")
        SMS = "sms", _("短信答复")
        PLATFORM = "platform", _("平台答复")

    case = models.ForeignKey(Case, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="replies")
    channel = models.CharField(_("答复方式"), max_length=12, choices=Channel.choices)
    content = models.TextField(_("答复内容"))
    replied_on = models.DateField(_("答复日期"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("答复人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("答复")
        verbose_name_plural = _("答复")
        ordering = ["case", "replied_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.replied_on}"


class CaseCallback(models.Model):
    """The follow-up call after the reply (回访): was the person satisfied."""

    case = models.ForeignKey(Case, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="callbacks")
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Case.Satisfaction.choices)
    note = models.TextField(_("回访情况"), blank=True, default="")
    called_on = models.DateField(_("回访日期"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("回访人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["case", "called_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_satisfaction_display()} {self.called_on}"


class CaseReminder(SentReminder):
    """A reminder sent by `zoufang cases tick`; unique per case, kind and day so a rerun sends nothing twice."""

    class Kind(models.TextChoices):
        OVERDUE_UNIT = "overdue_unit", _("超期提醒承办单位")
        OVERDUE_OFFICE = "overdue_office", _("超期提醒走访办")
        REGISTRATION = "registration", _("逾期未登记提醒走访办")

    case = models.ForeignKey(Case, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)

    class Meta:
        verbose_name = _("催办提醒")
        verbose_name_plural = _("催办提醒")
        constraints = [models.UniqueConstraint(fields=["case", "kind", "on"], name="case_reminder_once_a_day")]


class Open311Key(models.Model):
    """An API key for a partner platform (a 12345 hotline) that reads its region's cases, personal details
    scrubbed, and hands cases in through Open311. Only its SHA-256 is stored; the security administrator
    issues, rotates and revokes it (cases.open311_keys), and every use is audited."""

    name = models.CharField(_("平台名称"), max_length=100)
    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("走访活动"), on_delete=models.CASCADE, related_name="open311_keys"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("可读区域"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("留空则为走访活动的区域"),
    )
    digest = models.CharField(_("摘要"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("密钥前缀"), max_length=8, blank=True, default="", editable=False)
    created_at = RecordedAtField(_("创建时间"), auto_now_add=True)  # shown beside disabled_on and the audit rows
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签发人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    disabled_on = models.DateField(_("停用日期"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("停用人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 接入密钥")
        verbose_name_plural = _("Open311 接入密钥")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, name: str, campaign: object, *, region: object = None, by: object = None) -> tuple["Open311Key", str]:
        secret = secrets.token_urlsafe(24)
        key = cls.objects.create(name=name, campaign=campaign, region=region, issued_by=by,
                                 digest=cls.digest_of(secret), prefix=secret[:6])
        return key, secret
