"""A published 典型 hides the resident (name, address, numbers) unless they agreed; with consent, numbers stay hidden."""

import datetime as dt

from zoufang.documents.content import briefing
from zoufang.exemplars import presenters, services
from zoufang.exemplars.models import Exemplar
from zoufang.exemplars.tests.conftest import ADDRESS, PHONE, RESIDENT

TEXT = f"走访{RESIDENT}家（{ADDRESS}），电话{PHONE[:3]} {PHONE[3:7]} {PHONE[7:]}，身份证320583197001010016，帮她申请了医疗救助。"


def published(town, **consent):
    exemplar, _created = services.nominate(town.visit, kind=Exemplar.Kind.PRACTICE, title=f"{RESIDENT}家的难处解决了",
                                           text=TEXT, by=town.users["dept"], **consent)
    return services.publish(exemplar, by=town.users["xuanchuan"], version=exemplar.version)


def test_without_consent_the_name_address_and_numbers_are_masked(typical):
    exemplar = published(typical)
    text = presenters.public_text(exemplar)
    assert RESIDENT not in text
    assert "周*" in text
    assert ADDRESS not in text
    assert "（地址已隐去）" in text
    assert PHONE not in text.replace(" ", "")
    assert "138****1290" in text
    assert "320583197001010016" not in text
    assert presenters.public_title(exemplar) == "周*家的难处解决了"


def test_with_consent_the_name_and_address_show_and_numbers_do_not(typical):
    exemplar = published(typical, consent_person=RESIDENT, consent_method="oral", consent_on=dt.date(2017, 6, 2))
    text = presenters.public_text(exemplar)
    assert RESIDENT in text
    assert ADDRESS in text
    assert PHONE not in text.replace(" ", "")
    assert "320583197001010016" not in text


def test_a_case_hides_its_raiser_too(typical):
    typical.case.raiser_name = "李建国"
    typical.case.save()
    exemplar, _created = services.nominate(typical.case, kind=Exemplar.Kind.SOLVED, title="楼道灯当天修好",
                                           text="李建国和周梅反映楼道灯坏了，派出所当天修好。", by=typical.users["handler"])
    assert presenters.public_text(exemplar) == "李**和周*反映楼道灯坏了，派出所当天修好。"


def test_the_briefing_lists_the_periods_published_typical_cases_masked(typical):
    exemplar = published(typical)
    draft = briefing(typical.campaign, dt.date(2017, 6, 1), dt.date(2017, 6, 15), dt.date(2017, 6, 15))
    section = next(s for s in draft.sections if s["key"] == "typical")
    assert section["heading"].endswith("典型经验")
    assert "1. 周*家的难处解决了（好做法" in section["text"]
    assert "帮她申请了医疗救助" in section["text"]
    assert RESIDENT not in section["text"]
    assert PHONE not in section["text"].replace(" ", "")
    assert "138****1290" in section["text"]
    # Another period: the section is empty (left out when printed).
    earlier = briefing(typical.campaign, dt.date(2017, 5, 1), dt.date(2017, 5, 31), dt.date(2017, 6, 15))
    assert next(s for s in earlier.sections if s["key"] == "typical")["text"] == ""
    assert exemplar.published_at is not None


def test_a_pending_nomination_is_not_in_the_briefing(typical):
    services.nominate(typical.visit, kind=Exemplar.Kind.PRACTICE, title="待审核的", text=TEXT, by=typical.users["dept"])
    draft = briefing(typical.campaign, dt.date(2017, 6, 1), dt.date(2017, 6, 15), dt.date(2017, 6, 15))
    assert next(s for s in draft.sections if s["key"] == "typical")["text"] == ""
