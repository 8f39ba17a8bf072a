"""Roles that give a user scope, API tokens, and the audit trail."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoufang import clock


class RoleGrant(models.Model):
    """A user holds a role over a region (and, for handling units, a unit)."""

    class Role(models.TextChoices):
        OFFICE = "office", _("走访办（情况统计组）")
        LEADER = "leader", _("分管领导 / 领导小组")
        UNIT_HANDLER = "unit_handler", _("承办部门")
        VILLAGE = "village", _("村（社区）干部")
        AUDITOR = "auditor", _("第三方回访")
        ASSESSOR = "assessor", _("考核管理组")
        CITY_OFFICE = "city_office", _("上级活动办")
        SYSADMIN = "sysadmin", _("系统管理员")
        SECURITY_ADMIN = "security_admin", _("安全管理员")
        AUDIT_ADMIN = "audit_admin", _("审计管理员")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区划范围"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )
    unit = models.ForeignKey(
        "registry.Unit", verbose_name=_("单位"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region", "unit"], name="role_grant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.region or self.unit or ''}"


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(_("摘要"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.user} · {clock.local(self.created_at):%Y-%m-%d}"

    @staticmethod
    def new_secret() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()


class AuditEvent(models.Model):
    """Who did what to which record, with old and new values; full reads of personal data too."""

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        READ = "read", _("查看完整信息")
        IMPORT = "import", _("导入")
        EXPORT = "export", _("导出")
        LOGIN = "login", _("登录")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=60)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True, default="")
    summary = models.CharField(_("摘要"), max_length=300, blank=True, default="")
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{clock.minute(self.at)} {self.actor} {self.get_action_display()} {self.object_type}"
