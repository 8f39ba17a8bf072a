"""A hand-counted set of enterprise ratings in the small town of zoufang/conftest.py.

Four enterprise surveys in the four grades and one on the old wording (2018-1: 满意 / 基本满意 / 不满意):

| visitor (unit)       | day        | 服务意识 | 服务效率 | 廉洁履职 |
|----------------------|------------|----------|----------|----------|
| 派出所党员甲 (派出所)  | 2017-05-10 | 好       | 较好     | 好       |
| 派出所党员甲 (派出所)  | 2017-06-02 | 差       | 一般     | 好       |  → a 督查 item (派出所·服务意识)
| 居委会干部甲 (居委会)  | 2017-05-20 | 好       | 好       | 好       |
| 王文 (镇党政班子)      | 2017-06-05 | 较好     | 一般     | 差       |  → a 督查 item (镇党政班子·廉洁履职)
| 派出所党员甲 (old)     | 2017-04-20 | 不满意   | 基本满意 | 满意     |  → counted apart, no item
"""

import copy
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from zoufang import clock
from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.conftest import PASSWORD
from zoufang.forms.models import Form, FormAnswer, FormVersion
from zoufang.forms.services import load_shipped_forms
from zoufang.registry.models import Target, Unit
from zoufang.registry.tests.factories import TargetFactory
from zoufang.visits.models import Visit

BEIJING = dt.timezone(dt.timedelta(hours=8))
RATINGS = ["服务意识", "服务效率", "廉洁履职"]
CONFIG = {
    "questionnaires": [{"key": "enterprise_survey", "name": "企业走访调查表", "attachment": "附件2-2",
                        "target_kinds": ["enterprise"], "ratings": RATINGS}],
    "case_handling": {"handling_deadlines": {"default": 10}},
}
PHONE = "13812345678"


@dataclass
class Rated:
    town: Any
    units: dict[str, Unit]
    answers: list[FormAnswer]
    old: FormAnswer
    users: dict[str, Any]


def old_version(form: Form) -> FormVersion:
    """2018-1: the wording before the four grades, as a town that loaded it then still has it."""
    current = form.current_version()
    assert current is not None
    spec = copy.deepcopy(current.spec)
    spec["choices"]["rating"] = [["satisfied", "满意"], ["fair", "基本满意"], ["unsatisfied", "不满意"]]
    return FormVersion.objects.create(form=form, number=0, label="2018-1", spec=spec, rows={}, content_hash="old")


def answer(town: Any, cadre: Any, target: Target, day: dt.date, grades: tuple[str, str, str], version: FormVersion,
           **extra: str) -> FormAnswer:
    at = dt.datetime.combine(day, dt.time(10), tzinfo=BEIJING)
    with clock.frozen(at + dt.timedelta(hours=2)):
        visit = Visit.objects.create(campaign=town.campaign, target=target, cadre=cadre, client_uuid=uuid.uuid4(),
                                     content_hash="x", visited_at=at, mode=Visit.Mode.HOME)
        data = {"operation_state": "good", "service_awareness": grades[0], "service_efficiency": grades[1],
                "integrity": grades[2], **extra}
        return FormAnswer.objects.create(visit=visit, form=version.form, form_version=version, data=data)


@pytest.fixture
def rated(town: Any) -> Rated:
    town.campaign.config = CONFIG
    town.campaign.save()
    load_shipped_forms()
    form = Form.objects.get(key="enterprise_survey")
    current = form.current_version()
    old = old_version(form)
    cadres = {c.unit.name: c for c in [town.users["dept"].cadre, town.users["village"].cadre, town.users["leader"].cadre]}
    units = {name: cadre.unit for name, cadre in cadres.items()}
    second = TargetFactory(kind=Target.Kind.ENTERPRISE, region=town.jijiadun, name="计家墩纺织有限公司", id_number="",
                           credit_code="91320583MA1N00001X")
    police, committee, leader = cadres["派出所"], cadres["上下塘社区居委会"], cadres["镇党政班子"]
    answers = [
        answer(town, police, town.enterprise, dt.date(2017, 5, 10), ("good", "fairly_good", "good"), current,
               innovation_advice="希望多组织银企对接"),
        answer(town, police, second, dt.date(2017, 6, 2), ("poor", "average", "good"), current,
               rating_reason=f"办证时民警不耐烦，留的电话{PHONE}打不通"),
        answer(town, committee, second, dt.date(2017, 5, 20), ("good", "good", "good"), current),
        answer(town, leader, town.enterprise, dt.date(2017, 6, 5), ("fairly_good", "average", "poor"), current,
               rating_reason="项目申报要求找指定中介"),
    ]
    old_answer = answer(town, police, second, dt.date(2017, 4, 20), ("unsatisfied", "fair", "satisfied"), old,
                        rating_reason="窗口办事慢")
    users = {
        **town.users,
        "paichusuo": ensure_user("paichusuo", PASSWORD, role=RoleGrant.Role.UNIT_HANDLER, unit=town.police,
                                 region=town.town),
        "assessor": ensure_user("assessor", PASSWORD, role=RoleGrant.Role.ASSESSOR, region=town.town),
    }
    return Rated(town, units, answers, old_answer, users)
