"""A visit record: who visited whom, when and how. Submissions are idempotent by client UUID."""

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from zoufang import clock
from zoufang.core.models import TimeStampedModel


class Visit(TimeStampedModel):
    class Mode(models.TextChoices):
        HOME = "home", _("入户走访")
        FORUM = "forum", _("座谈会")
        PHONE = "phone", _("电话")
        LETTER = "letter", _("函访")
        ONLINE = "online", _("网络")
        GROUP = "group", _("集中走访")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("走访活动"), on_delete=models.PROTECT, related_name="visits"
    )
    target = models.ForeignKey(
        "registry.Target", verbose_name=_("走访对象"), on_delete=models.PROTECT, related_name="visits"
    )
    cadre = models.ForeignKey(
        "registry.Cadre", verbose_name=_("走访人"), on_delete=models.PROTECT, related_name="visits"
    )
    # Generated on the phone before the first attempt to send: a retried submission carries it again.
    client_uuid = models.UUIDField(_("客户端编号"), unique=True)
    content_hash = models.CharField(_("内容摘要"), max_length=64, editable=False)
    visited_at = models.DateTimeField(_("走访时间"))
    mode = models.CharField(_("走访方式"), max_length=10, choices=Mode.choices)
    summary = models.TextField(_("走访情况"), blank=True, default="")
    co_visitors = models.CharField(_("同行人员"), max_length=200, blank=True, default="")
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    location_accuracy = models.FloatField(_("定位精度（米）"), null=True, blank=True)
    settled_on_spot = models.BooleanField(_("当场解决"), default=False)
    # The opinions collected must reach the office within the campaign's working days (seed 000: 2).
    registration_due = models.DateField(_("问题意见登记期限"), null=True, blank=True)
    recorded_late = models.BooleanField(_("逾期登记"), default=False)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_at"]
        indexes = [
            models.Index(fields=["campaign", "cadre"], name="visit_campaign_cadre"),
            # The office's list, newest first, a page after a cursor (core.paging): read along this index.
            models.Index(fields=["visited_at", "id"], name="visit_newest"),
            # The oversight drill-down's visits of a campaign, newest first (-visited_at, id: mixed directions).
            models.Index(fields=["campaign", "-visited_at", "id"], name="visit_campaign_newest"),
            # Whether a target was visited (by a day): coverage's recount, the assessment's month ends, the targets
            # not yet visited. One lookup of (target, campaign) with the day as a range; without it SQLite's planner
            # reads the campaign's visits up to the day by visit_campaign_newest for every assignment (100× slower).
            models.Index(fields=["target", "campaign", "visited_at"], name="visit_target_campaign_day"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # oversight.counters moves the kept coverage counts in the same transaction; inside a caller's transaction
        # no savepoint of its own (two round trips saved on every submission): a failure rolls back the caller's.
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.cadre} → {self.target} {clock.day(self.visited_at)}"


class VisitPhoto(TimeStampedModel):
    visit = models.ForeignKey(Visit, verbose_name=_("走访记录"), on_delete=models.CASCADE, related_name="photos")
    # Re-encoded on upload: no EXIF (and so no location) is ever stored.
    image = models.FileField(_("照片"), upload_to="visit-photos/%Y/%m/")
    width = models.PositiveIntegerField(_("宽"), default=0)
    height = models.PositiveIntegerField(_("高"), default=0)
    # The upload's key and the SHA-256 of the bytes sent (core.request_keys): a phone's retry stores the photo once,
    # and the same key with another picture is refused rather than answered with the first.
    request_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    upload_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")
        ordering = ["visit", "created_at"]

    def __str__(self) -> str:
        return self.image.name


class DiaryEntry(TimeStampedModel):
    """民情走访日记 (seed 002 §五1): a cadre's dated free-text notes."""

    cadre = models.ForeignKey("registry.Cadre", verbose_name=_("走访干部"), on_delete=models.PROTECT,
                              related_name="diary_entries")
    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("走访活动"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="diary_entries")
    entry_date = models.DateField(_("日期"))
    text = models.TextField(_("内容"))
    # The form's key (core.request_keys): a double click or a resent page stores the entry once.
    request_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("民情走访日记")
        verbose_name_plural = _("民情走访日记")
        ordering = ["-entry_date", "-created_at"]

    def __str__(self) -> str:
        return f"{self.cadre.name} {self.entry_date}"
