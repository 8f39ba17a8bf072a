"""Bearer tokens for the API: POST /api/v1/auth/token (with `otp` where two factors are required), refresh,
list and revoke."""

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib.auth import authenticate
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer

from zoufang.accounts import passwords, tokens, twofactor
from zoufang.accounts.lockout import login_rate_exceeded
from zoufang.core import limits
from zoufang.core.apierrors import ApiErrorOut

router = Router(tags=["认证"])


class TokenAuth(HttpBearer):
    """A bearer token; and, for an operation that names one (`refusing`), its permission check, made before the
    body is validated: a caller it refuses gets 403 or 404 whatever the body holds (decision 0044)."""

    def __init__(self, refuse: Callable[..., object] | None = None) -> None:
        super().__init__()
        self.refuse = refuse

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = tokens.authenticate(token)
        if api_token is None:
            return None
        if tokens.outgrown(api_token):  # the grants are read here once and kept for the request's scope
            raise HttpError(401, _("此账号的角色现须双因素认证：请用用户名、密码和动态验证码重新取得令牌"))
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        if self.refuse is not None:
            match = request.resolver_match
            self.refuse(request, **(match.kwargs if match is not None else {}))
        return api_token.user


def refusing(check: Callable[..., object]) -> TokenAuth:
    """An operation's `auth`: the token, then `check(request, **path parameters as sent)`, which raises Http404
    (an object the caller does not see) or PermissionDenied / HttpError(403) (one they may not act on) before
    ninja validates the body. The view makes the same check again through the same functions."""
    return TokenAuth(refuse=check)


def path_uuid(value: str) -> uuid.UUID:
    """A path parameter as sent, before ninja parsed it: not a UUID names no object (404)."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


class Credentials(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=limits.PASSWORD)
    otp: str | None = Field(None, max_length=16, description="动态验证码或恢复码；走访办、上级活动办和各管理员账号必填")


class RefreshIn(Schema):
    refresh: str = Field(..., max_length=128)


class TokenOut(Schema):
    token: str
    expires_at: dt.datetime
    refresh: str
    refresh_expires_at: dt.datetime
    id: uuid.UUID


class TokenListed(Schema):
    id: uuid.UUID
    created_at: dt.datetime
    expires_at: dt.datetime
    refresh_expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    client: str
    current: bool


def _out(token: Any, access: str, refresh: str) -> dict[str, Any]:
    return {"token": access, "expires_at": token.expires_at, "refresh": refresh,
            "refresh_expires_at": token.refresh_expires_at, "id": token.public_id}


def _password_due(user: Any) -> Any:
    """The refusal of a token to a user who must change the password first (None when they need not): the web's
    password step may not be stepped around through the API, with an expired or an administrator's initial one."""
    reason = passwords.must_change_password(user)
    if not reason:
        return None
    return Status(403, {"detail": _("%(reason)s请先登录网页修改密码，再用新密码换取令牌。") % {"reason": reason},
                        "code": "password_change_required"})


@router.post("/token", auth=None, response={200: TokenOut, 401: ApiErrorOut, 403: ApiErrorOut, 429: ApiErrorOut},
             summary="用户名、密码（及动态验证码）换取令牌")
def obtain_token(request: HttpRequest, credentials: Credentials) -> Any:
    if login_rate_exceeded(request):
        return Status(429, {"detail": "登录请求过于频繁，请稍后再试。", "code": "rate_limited"})
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if user is None:
        raise HttpError(401, _("用户名或密码不正确，或账号已被暂时锁定"))
    password_only = not twofactor.requires_two_factor(user)
    if not password_only:
        if not credentials.otp:
            raise HttpError(401, _("此账号需要动态验证码：请在 otp 中给出验证器上的 6 位数字或一个恢复码"))
        if twofactor.verify(user, credentials.otp) is None:
            wait = twofactor.wait_seconds(user)
            raise HttpError(401, _("尝试过于频繁，请 %(n)s 秒后再试") % {"n": wait} if wait else _("动态验证码不正确或已用过"))
    refused = _password_due(user)
    if refused is not None:
        return refused
    token, access, refresh = tokens.issue(user, client=request.headers.get("user-agent", ""),
                                          password_only=password_only)
    return _out(token, access, refresh)


@router.post("/refresh", auth=None, response={200: TokenOut, 401: ApiErrorOut, 403: ApiErrorOut},
             summary="用刷新令牌换取新令牌")
def refresh_token(request: HttpRequest, body: RefreshIn) -> Any:
    try:
        refreshed = tokens.refresh(body.refresh, allowed=lambda user: not passwords.must_change_password(user))
    except tokens.NotAllowed as refused:
        return _password_due(refused.user)
    if refreshed is None:
        raise HttpError(401, _("刷新令牌无效、已过期或已吊销，请重新登录"))
    return _out(*refreshed)


@router.get("/tokens", response=list[TokenListed], summary="我的令牌")
def list_tokens(request: HttpRequest) -> Any:
    current = getattr(request, "api_token", None)
    return [{"id": t.public_id, "created_at": t.created_at, "expires_at": t.expires_at,
             "refresh_expires_at": t.refresh_expires_at, "last_used_at": t.last_used_at,
             "revoked_at": t.revoked_at, "client": t.client, "current": current is not None and t.pk == current.pk}
            for t in tokens.listed(request.user)]


@router.delete("/tokens/{token_id}", response={204: None, 404: ApiErrorOut}, summary="吊销我的一个令牌")
def revoke_token(request: HttpRequest, token_id: uuid.UUID) -> Any:
    if not tokens.revoke(request.user, token_id, by=request.user):
        return Status(404, {"detail": "没有这个令牌", "code": "not_found"})
    return Status(204, None)
