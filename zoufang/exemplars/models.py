"""典型 (seed 000 §三(一): 宣传报道组 reports 先进典型; §三(三): 好做法, 好典型): a visit or a case nominated with a
short write-up, reviewed, edited (each edit a revision), published or declined by the 宣传报道组.

What a published 典型 shows of the people in it is decided in presenters.py (masked unless they agreed: the
consent recorded here); who nominates, reviews and reads, in access.py; every change, in services.py.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoufang.core.models import RecordedAtField, TimeStampedModel

TITLE_MAX = 60
TEXT_MAX = 2000


class Exemplar(TimeStampedModel):
    class Kind(models.TextChoices):
        PRACTICE = "practice", _("好做法")
        SOLVED = "solved", _("问题解决典型")
        CADRE = "cadre", _("先进个人")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        PUBLISHED = "published", _("已发布")
        DECLINED = "declined", _("未采用")

    class ConsentMethod(models.TextChoices):
        WRITTEN = "written", _("书面")
        ORAL = "oral", _("口头")

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("走访活动"), on_delete=models.PROTECT,
                                 related_name="exemplars")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    visit = models.ForeignKey("visits.Visit", verbose_name=_("走访记录"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="exemplars")
    case = models.ForeignKey("cases.Case", verbose_name=_("问题"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="exemplars")
    title = models.CharField(_("标题"), max_length=TITLE_MAX)
    text = models.TextField(_("事迹简介"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    nominated_as = models.CharField(_("推荐身份"), max_length=40, blank=True, default="")
    # The form's one-time token: a retried submission finds the nomination it already made.
    submission_id = models.UUIDField(_("提交编号"), null=True, blank=True, unique=True, editable=False)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    decline_reason = models.CharField(_("未采用理由"), max_length=300, blank=True, default="")
    # The resident's agreement to be named (个人信息保护法 第十三条、第二十五条): who, how, when, recorded by whom.
    consent_person = models.CharField(_("同意公开的人"), max_length=50, blank=True, default="")
    consent_method = models.CharField(_("同意方式"), max_length=10, choices=ConsentMethod.choices, blank=True,
                                      default="")
    consent_on = models.DateField(_("同意日期"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("同意登记人"), null=True,
                                            blank=True, on_delete=models.SET_NULL, related_name="+")
    consent_recorded_at = models.DateTimeField(_("同意登记时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("典型")
        verbose_name_plural = _("典型")
        ordering = ["-published_at", "-created_at"]
        # The lists' orders, walked a page at a time (docs/lists.md): published newest first; the review queue.
        indexes = [
            models.Index(fields=["campaign", "status", "-published_at", "-id"], name="exemplar_listed"),
            models.Index(fields=["campaign", "-status", "created_at", "id"], name="exemplar_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visit__isnull=False, case__isnull=True)
                | models.Q(visit__isnull=True, case__isnull=False),
                name="exemplar_one_source",
            ),
            # One live nomination of a visit or a case as a kind (a declined one may be nominated again): two
            # nominators' requests that both passed the service's check still make one (decision 0037).
            models.UniqueConstraint(fields=["visit", "kind"], condition=~models.Q(status="declined"),
                                    name="exemplar_visit_kind_once"),
            models.UniqueConstraint(fields=["case", "kind"], condition=~models.Q(status="declined"),
                                    name="exemplar_case_kind_once"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_consent(self) -> bool:
        return bool(self.consent_method and self.consent_person)


class Revision(models.Model):
    """One version of a 典型's write-up: the nomination's (version 1) and each edit after it."""

    exemplar = models.ForeignKey(Exemplar, verbose_name=_("典型"), on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=TITLE_MAX)
    text = models.TextField(_("事迹简介"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    at = RecordedAtField(_("时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("典型修改记录")
        verbose_name_plural = _("典型修改记录")
        ordering = ["exemplar", "version"]
        constraints = [models.UniqueConstraint(fields=["exemplar", "version"], name="exemplar_revision_unique")]

    def __str__(self) -> str:
        return f"{self.exemplar} v{self.version}"
