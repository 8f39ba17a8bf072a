"""One row per file a user asked for: built by a background task, kept a while, then expired."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Download(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        EXPIRED = "expired", _("已过期")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="downloads",
                             verbose_name=_("申请人"))
    kind = models.CharField(_("类型"), max_length=40)
    params = models.JSONField(_("参数"), default=dict)
    title = models.CharField(_("名称"), max_length=200)
    campaign = models.ForeignKey("campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("走访活动"))
    region = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("范围"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    file = models.CharField(_("文件"), max_length=300, blank=True)  # relative to ZOUFANG_DOWNLOADS_DIR
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    size = models.BigIntegerField(_("大小"), null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("下载")
        verbose_name_plural = _("我的下载")
        indexes = [models.Index(fields=["user", "-created_at"]), models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, int(100 * self.done / self.total)) if self.total else 0


class Periodic(models.Model):
    """The one live chain of a self-re-enqueuing periodic task: only the task holding `token` goes on, so
    restarting the worker (or `jobs schedule` run twice) never doubles the chain."""

    name = models.CharField(max_length=40, unique=True)
    token = models.CharField(max_length=64)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_result = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class Claim(models.Model):
    """A background computation queued or running under a key (such as one campaign's integrity scan), so the
    periodic work never queues a second one beside it. The task heartbeats it while it works and deletes it when
    it ends; one whose heartbeat is older than ZOUFANG_JOBS_STALE_MINUTES was lost (a killed worker) and is taken
    over by the next request."""

    key = models.CharField(max_length=100, unique=True)
    queued_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key
