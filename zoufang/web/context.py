"""Template context shared by every page: who the user is and the main menu (base.html).

Each menu item is shown by the same predicate its page's access check asks (accounts.scope, cases.access,
accounts.duties …), so a menu leads only where its user may go."""

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    from zoufang.accounts import duties, names, scope
    from zoufang.accounts.cadre_accounts import may_manage_cadre_accounts
    from zoufang.assessment.services import own_scores
    from zoufang.campaigns.organisation import may_read as may_read_organisation
    from zoufang.cases.access import may_list_cases
    from zoufang.web.dashboard import STATS_ROLES

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"user_roles": names.role_names(user), "may_import": scope.may_import(user),
            "may_read_audit": duties.may_read_audit(user),
            "may_list_regions": scope.may_list_regions(user), "may_list_targets": scope.may_list_targets(user),
            "may_list_visits": scope.may_list_visits(user), "may_list_cases": may_list_cases(user),
            "may_plan": scope.may_plan(user), "may_manage_cadre_accounts": may_manage_cadre_accounts(user),
            "may_record_visits": scope.may_record_visits(user),
            "may_callbacks": scope.has_role(user, scope.Role.OFFICE, scope.Role.CITY_OFFICE, scope.Role.AUDITOR),
            "may_read_assessment": scope.has_role(user, *STATS_ROLES),
            "may_read_organisation": may_read_organisation(user),
            # Asked only where a page's nav renders it: a unit's or a cadre's own frozen scores.
            "may_read_own_score": lambda: own_scores(user).exists()}
