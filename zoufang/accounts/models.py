"""Roles that give a user scope, API tokens, and the audit trail."""

import hashlib
import secrets
import uuid

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from zoufang import clock

# The floor below which no configuration may set the audit retention (网络安全法 第二十一条: network logs are kept
# at least six months); the database trigger refuses to delete a younger row whatever the application asks.
AUDIT_RETENTION_FLOOR_DAYS = 180
GENESIS_HASH = "0" * 64


class RoleGrant(models.Model):
    """A user holds a role over a region (and, for handling units, a unit)."""

    class Role(models.TextChoices):
        OFFICE = "office", _("走访办（情况统计组）")
        LEADER = "leader", _("分管领导 / 领导小组")
        UNIT_HANDLER = "unit_handler", _("承办部门")
        VILLAGE = "village", _("村（社区）干部")
        AUDITOR = "auditor", _("第三方回访")
        ASSESSOR = "assessor", _("考核管理组")
        # Seed 000 §三(一): the fourth working group, 宣传报道组; reviews and publishes 典型 (docs/decisions/0008).
        PUBLICITY = "publicity", _("宣传报道组")
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
            # A grant without a region or a unit is one grant too (NULLs are distinct to a plain unique
            # constraint): the admin's add form sent twice gives the role once, so revoking it revokes it.
            models.UniqueConstraint(
                "user", "role", Coalesce("region", models.Value(0)), Coalesce("unit", models.Value(0)),
                name="role_grant_once",
                violation_error_message=_("该账号已有这一授权（同一角色、区划范围和单位），未重复授予。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.region or self.unit or ''}"

    def clean(self) -> None:
        from zoufang.accounts.duties import check_grant

        if self.user_id is not None and self.role:
            check_grant(self.user, self.role, replacing=self)


class ApiToken(models.Model):
    """A short-lived bearer token with a refresh secret; only SHA-256 digests of both are stored.

    Refreshing replaces the pair (the old refresh secret stops working), so a stolen refresh secret is
    caught the moment the owner refreshes; the chain of refreshes keeps the first login's absolute limit.
    """

    public_id = models.UUIDField(_("编号"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(_("摘要"), max_length=64, unique=True)
    refresh_digest = models.CharField(_("刷新摘要"), max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    refresh_expires_at = models.DateTimeField(_("可刷新至"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    client = models.CharField(_("客户端"), max_length=200, blank=True, default="")
    # Issued on a password alone (the account needed no second factor then): refused from the request on which
    # the account comes to need one (a role grant), so a token cannot carry office access past that moment.
    password_only = models.BooleanField(_("仅凭密码取得"), default=False)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.user} · {clock.day(self.created_at)}"

    @staticmethod
    def new_secret() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()


class AuditEvent(models.Model):
    """Who did what to which record, with old and new values; full reads of personal data too.

    Rows form a hash chain (see zoufang.accounts.audit): `seq` numbers them without gaps, `prev_hash` is the
    previous row's `hash`. On PostgreSQL triggers refuse every UPDATE and DELETE except two: clearing `actor`
    when the user is deleted (the snapshot columns keep who it was), and deleting rows older than the
    retention floor (what `zoufang audit prune` does).
    """

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        READ = "read", _("查看完整信息")
        IMPORT = "import", _("导入")
        EXPORT = "export", _("导出")
        LOGIN = "login", _("登录")
        LOGOUT = "logout", _("退出")
        LOGIN_FAILED = "login_fail", _("登录失败")
        LOCKOUT = "lockout", _("账号锁定")
        UNLOCK = "unlock", _("解除锁定")
        TOKEN = "token", _("接口令牌")
        SECURITY = "security", _("安全设置")
        PRUNE = "prune", _("清理过期审计记录")

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"), default=clock.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_ref = models.PositiveBigIntegerField(_("操作人编号"), null=True, blank=True)
    actor_username = models.CharField(_("操作人账号"), max_length=150, blank=True, default="")
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True, default="")
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=60)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True, default="")
    summary = models.CharField(_("摘要"), max_length=300, blank=True, default="")
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    prev_hash = models.CharField(_("前一条校验值"), max_length=64)
    hash = models.CharField(_("校验值"), max_length=64)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]
        triggers = [
            # Any change but clearing the actor when its user is deleted.
            pgtrigger.ReadOnly(name="audit_append_only", exclude=["actor"]),
            pgtrigger.Protect(
                name="audit_actor_only_cleared", operation=pgtrigger.Update,
                condition=pgtrigger.Q(new__actor__isnull=False, old__actor__df=pgtrigger.F("new__actor")),
            ),
            pgtrigger.Protect(
                name="audit_retention", operation=pgtrigger.Delete,
                condition=pgtrigger.Condition(
                    f"OLD.\"at\" > NOW() - INTERVAL '{AUDIT_RETENTION_FLOOR_DAYS} days'"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{clock.minute(self.at)} {self.actor_display} {self.get_action_display()} {self.object_type}"

    @property
    def actor_display(self) -> str:
        """Who it was at the time: name (username), with a note once the account is gone."""
        if not self.actor_username:
            return str(_("系统"))
        label = f"{self.actor_name}（{self.actor_username}）" if self.actor_name else self.actor_username
        if self.actor_id is None:
            label += str(_("［账号已删除］"))
        return label


class AuditChain(models.Model):
    """The chain's one head row: appends lock it, so two writers never fork the chain.

    `last_*` is the newest row; `base_*` is where verification starts: the genesis, or the last row
    `audit prune` removed (the checkpoint).
    """

    last_seq = models.PositiveBigIntegerField(_("最新序号"), default=0)
    last_hash = models.CharField(_("最新校验值"), max_length=64, default=GENESIS_HASH)
    base_seq = models.PositiveBigIntegerField(_("起点序号"), default=0)
    base_hash = models.CharField(_("起点校验值"), max_length=64, default=GENESIS_HASH)
    base_at = models.DateTimeField(_("起点时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("审计链")
        verbose_name_plural = _("审计链")

    def __str__(self) -> str:
        return f"{self.base_seq}–{self.last_seq}"


class AccountSecurity(models.Model):
    """Per-account password state: when it was last changed by its owner, and whether it must change now."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="security"
    )
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    demo_account = models.BooleanField(
        _("演示账号"), default=False,
        help_text=_("演示数据的账号：密码不过期、首次登录不强制改密，动态验证码可由 demoaccounts --otp 打印。"),
    )

    class Meta:
        verbose_name = _("账号安全状态")
        verbose_name_plural = _("账号安全状态")

    def __str__(self) -> str:
        return str(self.user)


class PasswordHistory(models.Model):
    """Hashes of a user's earlier passwords, so that the last few are not used again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(_("密码摘要"), max_length=128)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {clock.minute(self.created_at)}"


class CadreAccountBatch(models.Model):
    """One submit of the 干部账号 page that issued one-time passwords (accounts opened, or passwords re-issued), kept
    by its form's key: the same form sent again (a double click, a browser's retry) is this batch again, never a
    second one. The passwords themselves are never kept (docs/security.md, "走访干部账号")."""

    class Kind(models.TextChoices):
        OPEN = "open", _("开通账号")
        REISSUE = "reissue", _("重设初始密码")

    request_key = models.UUIDField(unique=True, editable=False)
    kind = models.CharField(_("办理"), max_length=10, choices=Kind.choices)
    # What the form asked (the next batch, or which cadres were ticked), as a digest: the key sent again with
    # other ticks is another request, refused rather than answered with this batch (core.request_keys).
    asked = models.CharField(_("所勾选"), max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办理人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("办理时间"), default=clock.now)
    accounts = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("账号"), related_name="+")

    class Meta:
        verbose_name = _("干部账号批次")
        verbose_name_plural = _("干部账号批次")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {clock.minute(self.created_at)}"
