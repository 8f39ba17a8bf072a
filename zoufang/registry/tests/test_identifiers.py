"""Free text scrubbed of the ID and phone numbers a person typed into it."""

import pytest

from zoufang.registry.identifiers import scrub_personal_numbers


@pytest.mark.parametrize(("typed", "shown"), [
    ("身份证320583198102155476", "身份证320583********5476"),
    ("老身份证 320583810215547 还在用", "老身份证 320583*****5547 还在用"),
    ("证号32058319810215547x", "证号320583********547x"),
    ("手机13868841290，请回电", "手机138****1290，请回电"),
    ("电话0512-57223456", "电话051******3456"),
    ("座机051257223456", "座机051*****3456"),
    ("门牌12号，2017年6月13日，损失3000元", "门牌12号，2017年6月13日，损失3000元"),  # ordinary numbers stay
    ("信用代码91320583MA1MXXXX0X不是身份证", "信用代码91320583MA1MXXXX0X不是身份证"),
    ("订单号1386884129012345678", "订单号1386884129012345678"),  # 19 digits: neither
])
def test_it_masks_ids_and_phones_but_not_other_numbers(typed, shown):
    assert scrub_personal_numbers(typed) == shown
