"""审计记录 and residents' personal data: whatever an event's summary or changes carry of a resident (a hotline
caller's name and phone, a household's name in an old summary, a deleted household's fields), the audit
administrator reads it masked, on the page and in the export; a superuser's presenter shows the text as written."""

import datetime as dt
import io
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from zoufang.accounts import audit
from zoufang.accounts.audit_present import AuditPresenter, summary_name
from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.accounts.services import ensure_administrator
from zoufang.campaigns.models import CaseCategory
from zoufang.cases import actions
from zoufang.cases.services import receive_case
from zoufang.conftest import PASSWORD
from zoufang.registry.models import Cadre
from zoufang.visits.models import Visit

Role = RoleGrant.Role
SHANGHAI = ZoneInfo("Asia/Shanghai")
CALLER, CALLER_PHONE = "钱秀英", "13962345678"


@pytest.fixture
def auditadmin(town: Any) -> Any:
    return ensure_administrator("auditadmin", PASSWORD, full_name="审计管理员", role=Role.AUDIT_ADMIN)


@pytest.fixture
def root(db: Any) -> Any:
    return get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)


def _read(client: Any, auditadmin: Any, query: str = "") -> tuple[str, str]:
    """The audit page and the export's data sheet as text, as the audit administrator reads them."""
    client.force_login(auditadmin)
    page = client.get(f"/audit/?{query}").content.decode()
    book = load_workbook(io.BytesIO(client.get(f"/audit/?format=xlsx&{query}").content))
    export = "\n".join(str(value) for row in book.worksheets[0].iter_rows(values_only=True) for value in row
                       if value is not None)
    return page, export


def _row_of_a_gone_record(summary: str, object_type: str, changes: dict[str, Any], by: Any) -> None:
    """A row about a record deleted since (its id names nothing now), as the trail keeps it."""
    audit.append(AuditEvent(actor=by, actor_ref=by.pk, actor_username=by.get_username(), actor_name=by.get_full_name(),
                            action=AuditEvent.Action.DELETE, object_type=object_type, object_id=str(uuid.uuid4()),
                            summary=summary, changes=changes))


def _hotline_case(town: Any) -> Any:
    return receive_case(campaign=town.campaign, kind="problem", source="hotline", raiser_name=CALLER,
                        raiser_phone=CALLER_PHONE,
                        description=f"{CALLER}来电（{CALLER_PHONE}）：上下塘社区东侧路灯损坏",
                        raised_at=dt.datetime(2017, 6, 13, 10, tzinfo=SHANGHAI), region=town.shangxiatang,
                        by=town.users["office"])


def test_a_hotline_case_records_its_number_not_the_callers_words(town):
    case = _hotline_case(town)
    event = AuditEvent.objects.get(object_id=str(case.public_id), action="create")
    assert event.summary == f"{case.get_source_display()}：{case.number}"


def test_a_case_events_text_naming_the_caller_is_masked(town, client, auditadmin, root):
    case = _hotline_case(town)
    # As rows written before the summary named only the number, and a note a clerk typed, read.
    audit.record(town.users["office"], AuditEvent.Action.CREATE, case, summary=f"{case.get_source_display()}：{case.description}")
    category = CaseCategory.objects.create(campaign=town.campaign, code="1", title="在收集社情民意方面", sort_order=1)
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=category,
                                 note=f"已回电{CALLER}，电话 {CALLER_PHONE}")
    page, export = _read(client, auditadmin, "object_type=cases.Case")
    for text in (page, export):
        assert CALLER not in text
        assert CALLER_PHONE not in text
        assert "钱**来电（139****5678）" in text
    superuser = AuditPresenter(root).present(AuditEvent.objects.filter(object_id=str(case.public_id)))
    assert any(CALLER in row.summary and CALLER_PHONE in row.summary for row in superuser)


def test_a_visit_and_its_photo_do_not_name_the_household(town, client, auditadmin):
    target = town.households["shangxiatang"][0]
    visit = Visit.objects.create(campaign=town.campaign, target=target, cadre=Cadre.objects.first(),
                                 visited_at=dt.datetime(2017, 6, 14, 9, tzinfo=SHANGHAI), mode=Visit.Mode.choices[0][0],
                                 summary="了解家庭情况", client_uuid=uuid.uuid4())
    # An old row quoting the name, and a photo's row: the household is named by the visit, masked.
    audit.record(town.users["dept"], AuditEvent.Action.CREATE, visit, summary=f"登记走访：{target.name}（入户）")
    # A photo deleted since: the visit it hung on still names its household.
    _row_of_a_gone_record("走访照片", "visits.VisitPhoto", {"visit": visit.pk}, town.users["dept"])
    page, export = _read(client, auditadmin)
    for text in (page, export):
        assert target.name not in text
        assert "登记走访：张**（入户）" in text


@pytest.mark.parametrize("kind", ["deleted", "renamed"])
def test_a_households_name_in_an_admins_changes_is_masked_though_it_is_gone(town, client, auditadmin, root, kind):
    target = town.households["jijiadun"][0]
    if kind == "deleted":
        _row_of_a_gone_record("管理后台删除：走访对象", "registry.Target", {
            "name": ["孙志强", None], "kind": ["household", None], "phone": ["13812349876", None],
            "id_number": ["320583198001011234", None]}, town.users["office"])
        secrets = ("孙志强", "13812349876", "320583198001011234")
    else:
        old = target.name
        audit.record(town.users["office"], AuditEvent.Action.UPDATE, target, summary=f"管理后台修改：{old}",
                     changes={"name": [old, "孙志强"]})
        secrets = (old, "孙志强")
    page, export = _read(client, auditadmin, "object_type=registry.Target")
    for text in (page, export):
        for secret in secrets:
            assert secret not in text
        assert "孙**" in text
    assert "孙志强" in "".join(line for row in AuditPresenter(root).present(AuditEvent.objects.all())
                               for line in row.changes)


def test_a_household_renamed_by_an_update_import_is_masked_under_both_names(town, client, auditadmin):
    target = town.households["jijiadun"][0]
    # As registry.imports.runner records a row of an update import that renamed the household.
    audit.record(town.users["office"], AuditEvent.Action.UPDATE, target,
                 summary=f"按更新导入户籍.xlsx：第3行 {target.id_number}：户主姓名“孙志强”→“{target.name}”",
                 changes={"file": "户籍.xlsx", "row": 3, "key": target.id_number,
                          "fields": {"户主姓名": ["孙志强", target.name], "村": ["计家墩村", "计家墩村"]}})
    page, export = _read(client, auditadmin, "object_type=registry.Target")
    for text in (page, export):
        for secret in ("孙志强", target.name, target.id_number):
            assert secret not in text
        assert "户主姓名：孙** → 赵**" in text  # the nested [old, new] reads as a change, masked on both sides
        assert "计家墩村" in text  # a village is no one's personal data


def test_an_enterprises_name_stays_readable(town, client, auditadmin):
    _row_of_a_gone_record("管理后台删除：走访对象", "registry.Target", {
        "name": ["锦溪精密机械有限公司", None], "kind": ["enterprise", None]}, town.users["office"])
    page, _export = _read(client, auditadmin)
    assert "锦溪精密机械有限公司" in page


def test_a_consent_givers_name_is_masked(town, client, auditadmin):
    _row_of_a_gone_record("推荐典型：热心邻里", "exemplars.Exemplar",
                          {"new": {"title": "热心邻里", "consent_person": "周桂兰"}}, town.users["office"])
    page, export = _read(client, auditadmin)
    for text in (page, export):
        assert "周桂兰" not in text
        assert "周**" in text


def test_an_admin_summary_names_a_residents_record_by_its_kind(town):
    target = town.households["jijiadun"][0]
    assert summary_name(target) == "走访对象"
    assert summary_name(town.police) == "锦溪镇 派出所"  # the trail mixes towns: each town has its 派出所 (0032)


def test_an_enterprises_contact_and_legal_representative_are_masked_though_its_name_is_not(town, client, auditadmin):
    _row_of_a_gone_record("管理后台删除：走访对象", "registry.Target", {
        "name": ["锦溪精密机械有限公司", None], "kind": ["enterprise", None], "contact_name": ["李秀梅", None],
        "legal_representative": ["王建华", None]}, town.users["office"])
    enterprise = town.enterprise
    enterprise.contact_name, enterprise.legal_representative = "吴小红", "郑大明"
    enterprise.save(update_fields=["contact_name", "legal_representative"])
    # As registry.imports.runner records a row of an update import that changed the contact.
    audit.record(town.users["office"], AuditEvent.Action.UPDATE, enterprise,
                 summary=f"按更新导入企业.xlsx：第2行 {enterprise.credit_code}：联系人“周建国”→“吴小红”",
                 changes={"file": "企业.xlsx", "row": 2, "key": enterprise.credit_code,
                          "fields": {"联系人": ["周建国", "吴小红"], "法定代表人": ["", "郑大明"]}})
    page, export = _read(client, auditadmin, "object_type=registry.Target")
    for text in (page, export):
        for secret in ("李秀梅", "王建华", "周建国", "吴小红", "郑大明"):
            assert secret not in text, secret
        assert "锦溪精密机械有限公司" in text  # a public body's name is no one's personal data
        assert "联系人：周** → 吴**" in text
