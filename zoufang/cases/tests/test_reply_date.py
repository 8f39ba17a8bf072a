"""回复's 答复日期: today already filled, no later day offered; a day after today or before the unit's answer is
refused at the field, by the page and by the action alike, and nothing is written."""

import datetime as dt
import re

import pytest

from zoufang.cases import actions, answers
from zoufang.cases.models import Case
from zoufang.cases.transition import InvalidInput

pytestmark = pytest.mark.django_db


def _resolved(town, case):
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    case = actions.accept_case(case, by=town.users["handler"], version=case.version)
    return actions.resolve_case(case, by=town.users["handler"], version=case.version, result="已更换灯具")


def _date_field(page):
    return re.search(r'<div class="field"><label for="id_reply-replied_on">.*?</div>(?:<div class="errorlist[^>]*>'
                     r'.*?</div>)*', page, re.S).group(0)


def test_the_reply_form_has_today_filled_and_no_later_day(client, cases_town, make_case):
    case = _resolved(cases_town, make_case())
    client.force_login(cases_town.users["office"])
    field = _date_field(client.get(f"/cases/{case.public_id}/").content.decode())
    assert 'value="2017-06-15"' in field
    assert 'max="2017-06-15"' in field


def test_a_reply_with_the_day_left_as_filled_is_dated_today(client, cases_town, make_case):
    case = _resolved(cases_town, make_case())
    client.force_login(cases_town.users["office"])
    response = client.post(f"/cases/{case.public_id}/reply/", {
        "reply-version": case.version, "reply-channel": "phone", "reply-content": "路灯已修复",
        "reply-replied_on": "2017-06-15"})
    assert response.status_code == 302
    assert case.replies.get().replied_on == dt.date(2017, 6, 15)


@pytest.mark.parametrize(("day", "said"), [
    ("2017-06-16", "答复日期不能晚于今天（2017-06-15）"),
    ("2017-06-14", "答复日期不能早于办结日期（2017-06-15）"),
])
def test_a_reply_day_out_of_range_is_refused_at_its_field(client, cases_town, make_case, day, said):
    case = _resolved(cases_town, make_case())
    client.force_login(cases_town.users["office"])
    page = client.post(f"/cases/{case.public_id}/reply/", {
        "reply-version": case.version, "reply-channel": "phone", "reply-content": "路灯已修复，感谢您的反映",
        "reply-replied_on": day}).content.decode()
    assert said in _date_field(page)
    assert "路灯已修复，感谢您的反映</textarea>" in page
    case.refresh_from_db()
    assert (case.status, case.replies.count()) == (Case.Status.RESOLVED, 0)


def test_the_action_refuses_a_reply_dated_before_the_units_answer(cases_town, make_case):
    case = _resolved(cases_town, make_case())
    with pytest.raises(InvalidInput, match="答复日期不能早于办结日期（2017-06-15）"):
        answers.reply_case(case, by=cases_town.users["office"], version=case.version, channel="phone",
                           content="已修复", replied_on=dt.date(2017, 6, 1))
    assert case.replies.count() == 0
