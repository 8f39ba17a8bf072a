"""Template context shared by every page."""

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    from zoufang.accounts import duties, scope
    from zoufang.assessment.services import own_scores
    from zoufang.web.dashboard import STATS_ROLES

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # A village cadre holds the village grant and is a village cadre: name each role once.
    roles = list(dict.fromkeys(str(label) for label in scope.role_labels(user)))
    return {"user_roles": roles, "may_import": scope.may_manage(user), "may_read_audit": duties.may_read_audit(user),
            "may_callbacks": scope.has_role(user, scope.Role.OFFICE, scope.Role.CITY_OFFICE, scope.Role.AUDITOR),
            "may_read_assessment": scope.has_role(user, *STATS_ROLES),
            # Asked only where a page's nav renders it: a unit's or a cadre's own frozen scores.
            "may_read_own_score": lambda: own_scores(user).exists()}
