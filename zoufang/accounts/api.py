"""Bearer tokens for the API: POST /api/v1/auth/token."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer

from zoufang.accounts import audit
from zoufang.accounts.models import ApiToken, AuditEvent
from zoufang.core import limits
from zoufang.core.apierrors import ApiErrorOut

router = Router(tags=["认证"])


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            api_token = ApiToken.objects.select_related("user").get(digest=ApiToken.digest_of(token))
        except ApiToken.DoesNotExist:
            return None
        if api_token.expires_at <= timezone.now() or not api_token.user.is_active:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > dt.timedelta(minutes=5):
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        return api_token.user


class Credentials(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=limits.PASSWORD)


class TokenOut(Schema):
    token: str
    expires_at: dt.datetime


@router.post("/token", auth=None, response={200: TokenOut, 401: ApiErrorOut, 429: ApiErrorOut}, summary="用户名和密码换取令牌")
def obtain_token(request: HttpRequest, credentials: Credentials) -> Any:
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if user is None:
        raise HttpError(401, "用户名或密码不正确，或账号已被暂时锁定")
    secret = ApiToken.new_secret()
    expires_at = timezone.now() + dt.timedelta(days=settings.ZOUFANG_API_TOKEN_DAYS)
    ApiToken.objects.create(user=user, digest=ApiToken.digest_of(secret), expires_at=expires_at)
    audit.record(user, AuditEvent.Action.LOGIN, object_type="api_token", summary="取得接口令牌")
    return {"token": secret, "expires_at": expires_at}
