"""三权分立 on the demo town: the three administrators exist, each does their duty, none sees a resident."""

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client

from zoufang.accounts import duties, scope
from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.cases.models import Case
from zoufang.core.testforms import form_values
from zoufang.registry.models import Target
from zoufang.visits.models import Visit

Role = RoleGrant.Role
ADMINS = {"sysadmin": Role.SYSADMIN, "security": Role.SECURITY_ADMIN, "auditadmin": Role.AUDIT_ADMIN}
PAGES = ["/", "/regions/", "/targets/", "/cases/", "/cases/board/", "/cases/weekly/", "/cases/shared/", "/visits/",
         "/me/", "/plan/", "/imports/"]
API = ["/api/v1/targets", "/api/v1/cases/", "/api/v1/cadres", "/api/v1/me/targets", "/api/v1/regions"]


def user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


@pytest.fixture
def as_user(client: Client) -> Any:
    def login(username: str) -> Client:
        client.force_login(user(username))
        return client

    return login


def test_the_demo_has_one_account_per_administrator_with_no_region(demo, db):
    for username, role in ADMINS.items():
        grants = list(RoleGrant.objects.filter(user__username=username))
        assert [(g.role, g.region_id, g.unit_id) for g in grants] == [(role, None, None)]
        assert not user(username).is_superuser
    assert user("sysadmin").is_staff
    assert user("security").is_staff
    assert not user("auditadmin").is_staff


@pytest.mark.parametrize("username", ADMINS)
def test_no_administrator_sees_a_resident_through_scope(demo, db, username):
    account = user(username)
    assert Target.objects.exists()
    assert scope.visible_targets(account).count() == 0
    assert scope.visible_cadres(account).count() == 0
    assert not scope.visible_regions(account).exists()


@pytest.mark.parametrize("username", ADMINS)
def test_no_administrator_sees_a_resident_on_the_pages_or_the_api(demo, db, as_user, username):
    client = as_user(username)
    names = list(Target.objects.filter(kind=Target.Kind.REGISTERED_HOUSEHOLD).values_list("name", flat=True)[:200])
    names += list(Case.objects.values_list("raiser_name", flat=True)[:50])
    assert Visit.objects.exists()
    assert Case.objects.exists()
    for url in PAGES:
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), url
        html = response.content.decode()
        leaked = [name for name in names if name and name in html]
        assert leaked == [], f"{url} shows {leaked[:3]}"
    for url in API:
        response = client.get(url)
        if response.status_code == 200:
            body = response.json()
            assert (body["items"] if isinstance(body, dict) else body) == [], url


ADMIN_INDEX_MODELS = {
    "sysadmin": ({"/admin/auth/user/", "/admin/regions/region/", "/admin/campaigns/campaign/", "/admin/registry/unit/",
                  "/admin/forms/form/", "/admin/workdays/dayoverride/"},
                 {"/admin/registry/target/", "/admin/visits/visit/", "/admin/cases/case/", "/admin/planning/assignment/",
                  "/admin/accounts/rolegrant/", "/admin/accounts/auditevent/", "/admin/registry/cadre/",
                  "/admin/axes/accessattempt/", "/admin/cases/open311key/"}),
    "security": ({"/admin/accounts/rolegrant/", "/admin/axes/accessattempt/", "/admin/accounts/apitoken/",
                  "/admin/cases/open311key/"},
                 {"/admin/registry/target/", "/admin/visits/visit/", "/admin/cases/case/", "/admin/planning/assignment/",
                  "/admin/accounts/auditevent/", "/admin/campaigns/campaign/", "/admin/registry/cadre/"}),
}


@pytest.mark.parametrize("username", ADMIN_INDEX_MODELS)
def test_the_admin_shows_each_administrator_their_duty_and_nothing_else(demo, db, as_user, username):
    client = as_user(username)
    allowed, denied = ADMIN_INDEX_MODELS[username]
    index = client.get("/admin/").content.decode()
    for url in allowed:
        assert url in index, url
        assert client.get(url).status_code == 200, url
    for url in denied:
        assert url not in index, url
        assert client.get(url).status_code == 403, url


def test_the_audit_administrator_has_no_admin_site(demo, db, as_user):
    response = as_user("auditadmin").get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_sysadmin_cannot_make_anyone_a_superuser_or_touch_the_other_administrators(demo, db, as_user):
    client = as_user("sysadmin")
    outsider = user("outsider")
    page = client.get(f"/admin/auth/user/{outsider.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="user_permissions"' not in page
    assert "rolegrant" not in page.lower() or 'name="role_grants-TOTAL_FORMS"' not in page
    security = user("security")
    assert client.post(f"/admin/auth/user/{security.pk}/change/", {"username": "x"}).status_code == 403
    assert user("security").username == "security"


def test_the_security_administrator_grants_roles_audited_but_never_to_themselves(demo, db, as_user):
    client = as_user("security")
    outsider = user("outsider")
    response = client.post("/admin/accounts/rolegrant/add/", {"user": outsider.pk, "role": Role.ASSESSOR})
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_type="accounts.RoleGrant").latest("seq")
    assert event.actor_username == "security"
    response = client.post("/admin/accounts/rolegrant/add/", {"user": user("security").pk, "role": Role.OFFICE})
    assert response.status_code == 200
    assert "不能给自己授予或修改角色" in response.content.decode()
    response = client.post("/admin/accounts/rolegrant/add/", {"user": user("sysadmin").pk, "role": Role.AUDIT_ADMIN})
    assert "三权分立：系统管理员、安全管理员、审计管理员不能由同一账号兼任" in response.content.decode()
    assert not RoleGrant.objects.filter(user__username="sysadmin", role=Role.AUDIT_ADMIN).exists()


def test_the_security_administrator_unlocks_an_account_and_it_is_audited(demo, db, as_user):
    attempt = AccessAttempt.objects.create(username="leader", ip_address="10.0.0.9", user_agent="t", get_data="",
                                           post_data="", http_accept="*/*", path_info="/login/", failures_since_start=9)
    client = as_user("security")
    url = f"/admin/axes/accessattempt/{attempt.pk}/delete/"
    response = client.post(url, form_values(client.get(url).content.decode(), containing="post"))
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()
    event = AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, object_type="axes.AccessAttempt").latest("seq")
    assert event.actor_username == "security"
    assert event.changes["username"] == ["leader", None]


def test_an_administrator_role_excludes_every_other_role(demo, db):
    with pytest.raises(ValidationError, match="三权分立"):
        RoleGrant(user=user("security"), role=Role.SYSADMIN).full_clean()
    with pytest.raises(ValidationError, match="管理员账号不能同时持有业务角色"):
        RoleGrant(user=user("leader"), role=Role.AUDIT_ADMIN).full_clean()
    with pytest.raises(ValidationError, match="不能再授予业务角色"):
        RoleGrant(user=user("auditadmin"), role=Role.OFFICE, region=RoleGrant.objects.filter(
            role=Role.OFFICE).first().region).full_clean()


def test_only_the_audit_administrator_reads_the_trail(demo, db):
    readers = {u.username for u in get_user_model().objects.all() if duties.may_read_audit(u)}
    assert readers == {"auditadmin"}
