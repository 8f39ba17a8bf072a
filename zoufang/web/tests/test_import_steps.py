"""The import page states the import order (区划 → 单位 → 镇部门 → 干部 → 住户、企业、项目 → 分配表) for the campaign the
form is set to: what is imported already and what comes next, each step a link that picks its kind."""

import datetime as dt
import re

import pytest

from zoufang.campaigns.models import Campaign
from zoufang.planning.models import FixedQuota
from zoufang.regions.models import Region

STEPS = ["区划", "单位", "镇部门", "干部", "住户、企业、项目", "分配表"]


def _steps(html: str) -> list[tuple[str, str]]:
    """Each step's name and state as the page lists them."""
    listed = re.search(r'<ol class="import-steps">(.*?)</ol>', html, re.S)
    assert listed is not None, html
    return [(name, state) for name, state in re.findall(
        r'<a href="\?kind=\w+">([^<]+)</a>\s*<span class="import-step-state">([^<]+)</span>', listed.group(1))]


@pytest.mark.django_db
def test_it_lists_the_order_with_what_is_imported_and_what_is_next(town, login):
    html = login(town.users["office"]).get("/imports/").content.decode()
    steps = _steps(html)
    assert [name for name, _state in steps] == STEPS
    assert [state for _name, state in steps] == ["已导入 4", "已导入 2", "已导入 1", "已导入 3", "已导入 6", "下一步"]
    assert 'href="?kind=allocation"' in html
    assert "后面的表引用前面登记的内容" in html


@pytest.mark.django_db
def test_a_new_towns_campaign_starts_at_the_regions(town, login):
    town.campaign.delete()
    empty = Region.objects.create(name="千灯镇", level=Region.Level.TOWN, parent=town.town.parent)
    Campaign.objects.create(slug="qiandeng-2025", name="千灯镇走访", scope=empty, starts_on=dt.date(2025, 1, 1),
                            ends_on=dt.date(2025, 12, 31))
    office = town.users["office"]
    office.role_grants.update(region=empty)
    steps = _steps(login(office).get("/imports/").content.decode())
    assert [state for _name, state in steps] == ["下一步", "未导入", "未导入", "未导入", "未导入", "未导入"]


@pytest.mark.django_db
def test_every_step_done_says_so(town, login):
    FixedQuota.objects.create(campaign=town.campaign, table=FixedQuota.Table.UPPER_LEVEL, source="附件1", row_number=1,
                              label="市府办", region=town.jijiadun, target_kind="registered_household", count=1)
    steps = _steps(login(town.users["office"]).get("/imports/").content.decode())
    assert steps[-1] == ("分配表", "已导入 1")
