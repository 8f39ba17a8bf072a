"""保存期限: three years after the last campaign that needs them ends, residents' personal data goes — a dry run
first, then `--apply`; a case not yet closed keeps its raiser; the worker runs it only when switched on."""

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from zoufang.accounts.models import AuditEvent
from zoufang.campaigns.models import Campaign
from zoufang.cases.models import Case
from zoufang.privacy.retention import expire
from zoufang.privacy.tests.conftest import SUMMARY
from zoufang.registry.models import Target
from zoufang.visits.models import Visit


def _run(*args: str) -> str:
    out = StringIO()
    call_command("personal-data", "expire", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_dry_run_counts_and_apply_erases_what_no_campaign_needs_any_more(resident: Any, settings: Any) -> None:  # noqa: F811
    settings.ZOUFANG_TODAY = "2020-12-31"  # three years after 2017-12-31: still needed
    assert "将删除 0 个走访对象" in _run()
    settings.ZOUFANG_TODAY = "2021-01-01"
    audited = AuditEvent.objects.count()
    dry = _run()
    households = Target.objects.filter(kind__in=Target.HOUSEHOLD_KINDS).count()
    # 张建国's open case keeps him; the other four households of the town go; the enterprise is not a person.
    assert f"试运行，将删除 {households - 1} 个走访对象" in dry
    assert "暂不删除 1 个" in dry
    assert AuditEvent.objects.count() == audited
    assert Target.objects.filter(name="已删除").count() == 0
    applied = _run("--apply")
    assert f"已删除 {households - 1} 个走访对象的个人信息" in applied
    assert "走访对象：改动 4 条" in applied
    assert set(Target.objects.filter(name="已删除").values_list("phone", "id_number", "address")) == {("", "", "")}
    assert Target.objects.get(pk=resident.zhang.pk).name == "张建国"
    assert Target.objects.get(pk=resident.enterprise.pk).name == "锦溪精密机械有限公司"
    Case.objects.update(status=Case.Status.CLOSED)
    assert "已删除 1 个" in _run("--apply")
    assert Target.objects.get(pk=resident.zhang.pk).name == "已删除"
    assert "张建国" not in Visit.objects.get(pk=resident.visit.pk).summary
    assert "已删除 0 个" in _run("--apply")  # nothing left: a rerun changes nothing


@pytest.mark.django_db
def test_a_later_campaign_of_the_area_keeps_the_data(resident: Any, settings: Any) -> None:  # noqa: F811
    Campaign.objects.create(slug="jinxi-2020", name="锦溪镇2020走访", scope=resident.town,
                            starts_on=dt.date(2020, 3, 1), ends_on=dt.date(2020, 9, 30))
    assert expire(apply=True, today=dt.date(2021, 1, 1)).expired == 0
    assert expire(apply=False, today=dt.date(2023, 10, 1)).expired == 4


@pytest.mark.django_db
def test_the_worker_expires_only_when_switched_on(resident: Any, settings: Any) -> None:  # noqa: F811
    from zoufang.jobs.tasks import periodic_work

    settings.ZOUFANG_TODAY = "2021-01-01"
    assert "personal_data_expired" not in periodic_work()
    assert not Target.objects.filter(name="已删除").exists()
    settings.ZOUFANG_PERSONAL_DATA_EXPIRE = True
    assert periodic_work()["personal_data_expired"]["expired"] == 4
    assert Visit.objects.get(pk=resident.visit.pk).summary == SUMMARY  # 张建国's case is open: his visit untouched
