"""API tokens: short-lived access secrets with a refresh secret, listed per user and revocable."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zoufang.accounts import audit
from zoufang.accounts.models import ApiToken, AuditEvent


def issue(user: Any, *, client: str = "", password_only: bool = False) -> tuple[ApiToken, str, str]:
    """A new token for a user who has just proved who they are (`password_only`: without a second factor, the
    account needing none); returns it with its two secrets."""
    access, refresh = ApiToken.new_secret(), ApiToken.new_secret()
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user, digest=ApiToken.digest_of(access), refresh_digest=ApiToken.digest_of(refresh),
        expires_at=now + dt.timedelta(minutes=settings.ZOUFANG_API_TOKEN_MINUTES),
        refresh_expires_at=now + dt.timedelta(hours=settings.ZOUFANG_SESSION_ABSOLUTE_HOURS),
        client=client[:200], password_only=password_only,
    )
    audit.record(user, AuditEvent.Action.TOKEN, token, summary="取得接口令牌")
    return token, access, refresh


class NotAllowed(Exception):
    """A valid refresh secret whose user may not have a new pair now (`allowed` said no); the pair is left as it was."""

    def __init__(self, user: Any) -> None:
        super().__init__(user.pk)
        self.user = user


@transaction.atomic
def refresh(secret: str, *, allowed: Callable[[Any], bool] = lambda user: True) -> tuple[ApiToken, str, str] | None:
    """Swap a refresh secret for a new pair; the old pair stops working. None when it is not valid now; NotAllowed
    when it is but `allowed(user)` is false."""
    token = (ApiToken.objects.select_for_update().select_related("user")
             .filter(refresh_digest=ApiToken.digest_of(secret)).first())
    now = timezone.now()
    if (token is None or token.revoked_at is not None or not token.user.is_active
            or token.refresh_expires_at is None or token.refresh_expires_at <= now or outgrown(token)):
        return None
    if not allowed(token.user):
        raise NotAllowed(token.user)
    access, new_refresh = ApiToken.new_secret(), ApiToken.new_secret()
    token.digest = ApiToken.digest_of(access)
    token.refresh_digest = ApiToken.digest_of(new_refresh)
    token.expires_at = min(now + dt.timedelta(minutes=settings.ZOUFANG_API_TOKEN_MINUTES), token.refresh_expires_at)
    token.save(update_fields=["digest", "refresh_digest", "expires_at"])
    audit.record(token.user, AuditEvent.Action.TOKEN, token, summary="刷新接口令牌")
    return token, access, new_refresh


def outgrown(token: ApiToken) -> bool:
    """Taken on a password alone by an account that has since been granted a role needing two factors."""
    from zoufang.accounts import twofactor

    return token.password_only and twofactor.requires_two_factor(token.user)


def authenticate(secret: str) -> ApiToken | None:
    # The cadre comes with the user (a visitor's phone asks for it on nearly every call): no second round trip.
    token = ApiToken.objects.select_related("user__cadre").filter(digest=ApiToken.digest_of(secret)).first()
    now = timezone.now()
    if token is None or token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def listed(user: Any) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user).order_by("-created_at")[:100])


@transaction.atomic
def revoke(user: Any, public_id: Any, *, by: Any) -> bool:
    """Revoke one of the user's own tokens; False when there is no such token of theirs."""
    token = ApiToken.objects.select_for_update().filter(user=user, public_id=public_id).first()
    if token is None:
        return False
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(by, AuditEvent.Action.TOKEN, token, summary="吊销接口令牌")
    return True


@transaction.atomic
def revoke_all(user: Any, *, summary: str) -> int:
    """Revoke every live token of the user (their password changed: a token taken with the old one must not
    outlive it); each revocation audited. Returns how many."""
    now = timezone.now()
    live = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
                .exclude(expires_at__lte=now, refresh_expires_at__lte=now))
    for token in live:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        audit.record(user, AuditEvent.Action.TOKEN, token, summary=summary)
    return len(live)
