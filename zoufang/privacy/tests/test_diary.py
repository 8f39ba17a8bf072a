"""An erasure reaches the diary (民情走访日记) of the cadres who visited the person: an entry naming them, their
address or their number is scrubbed as the visit's summary is; another cadre's entry and one about someone else are
left as written (decision 0039, addendum h2)."""

import datetime as dt

import pytest

from zoufang.accounts.masking import has_personal_number
from zoufang.accounts.models import AuditEvent
from zoufang.privacy.tests.conftest import ID, PHONE, _client, _close, _erase
from zoufang.registry.tests.factories import CadreFactory
from zoufang.visits.models import DiaryEntry


@pytest.mark.django_db
def test_the_erasure_scrubs_the_visitors_diary_entries_about_the_person_and_no_other(resident, settings):
    settings.ZOUFANG_TODAY = "2018-03-01"
    _close(resident.problem, resident.hotline)
    visitor = resident.users["dept"].cadre
    day = dt.date(2017, 6, 14)
    about = DiaryEntry.objects.create(cadre=visitor, campaign=resident.campaign, entry_date=day,
                                      text="走访张建国家，他说屋顶漏雨，电话13812340001")
    at_address = DiaryEntry.objects.create(cadre=visitor, campaign=resident.campaign, entry_date=day,
                                           text="上下塘社区1号门前积水")
    unrelated = DiaryEntry.objects.create(cadre=visitor, campaign=resident.campaign, entry_date=day,
                                          text="走访李秀英家，反映路灯不亮")
    other_cadre = CadreFactory(name="别的干部", unit=visitor.unit)
    elsewhere = DiaryEntry.objects.create(cadre=other_cadre, campaign=resident.campaign, entry_date=day,
                                          text="听说张建国要办农场")
    response = _erase(_client(resident.users["office"]), PHONE)
    assert "民情走访日记：2" in response.content.decode().replace(" ", "")
    about.refresh_from_db()
    at_address.refresh_from_db()
    assert "张建国" not in about.text
    assert PHONE not in about.text
    assert "上下塘社区1号" not in at_address.text
    assert about.version == 2
    assert DiaryEntry.objects.get(pk=unrelated.pk).text == "走访李秀英家，反映路灯不亮"
    assert DiaryEntry.objects.get(pk=elsewhere.pk).text == "听说张建国要办农场"
    trail = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_type="visits.DiaryEntry",
                                   object_id=str(about.public_id))
    assert "张建国" not in repr((trail.summary, trail.changes))


@pytest.mark.django_db
@pytest.mark.parametrize("written", [
    "他的电话是138-1234-0001，屋顶漏雨",
    "来电 +86 138 1234 0001 反映屋顶漏雨",
    "电话１３８１２３４０００１，屋顶漏雨",
    "电话138 1234\n0001，屋顶漏雨",
    f"身份证 {ID[:6]} {ID[6:14]} {ID[14:]}，屋顶漏雨",  # his other number, not the one asked by
])
def test_the_erasure_finds_the_persons_number_in_a_diary_however_it_is_written(resident, settings, written):
    settings.ZOUFANG_TODAY = "2018-03-01"
    _close(resident.problem, resident.hotline)
    visitor = resident.users["dept"].cadre
    day = dt.date(2017, 6, 14)
    entry = DiaryEntry.objects.create(cadre=visitor, campaign=resident.campaign, entry_date=day, text=written)
    someone_else = DiaryEntry.objects.create(cadre=visitor, campaign=resident.campaign, entry_date=day,
                                             text="李秀英电话 139-0000-1234，反映路灯不亮")
    response = _erase(_client(resident.users["office"]), PHONE)
    assert "民情走访日记：1" in response.content.decode().replace(" ", "")
    entry.refresh_from_db()
    assert entry.text != written
    assert entry.version == 2
    assert not has_personal_number(entry.text)
    assert DiaryEntry.objects.get(pk=someone_else.pk).text == "李秀英电话 139-0000-1234，反映路灯不亮"
