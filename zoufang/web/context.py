"""Template context shared by every page."""

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    from zoufang.accounts import scope

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"user_roles": scope.role_labels(user), "may_import": scope.may_manage(user)}
