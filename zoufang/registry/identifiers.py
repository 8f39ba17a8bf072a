"""Official identifiers: GB 11643 ID numbers, GB 32100 credit codes, phone numbers; and masking."""

import re

from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

ID_NUMBER_RULE = _("身份证号码不符合 GB 11643（18位，末位校验码须正确）")
CREDIT_CODE_RULE = _("统一社会信用代码不符合 GB 32100（18位，末位校验码须正确）")
MOBILE_RULE = _("手机号码应为11位，以1开头")
PHONE_RULE = _("电话号码应为11位手机号或带区号的固定电话（如0512-57223456）")

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def normalise_id_number(value: str) -> str:
    return value.strip().upper()


def is_valid_id_number(value: str) -> bool:
    value = normalise_id_number(value)
    if len(value) != 18:
        return False
    try:
        ric.validate(value)
    except StdnumError:
        return False
    return True


def is_valid_credit_code(value: str) -> bool:
    try:
        uscc.validate(value.strip().upper())
    except StdnumError:
        return False
    return True


def is_valid_mobile(value: str) -> bool:
    return bool(_MOBILE.match(value.strip()))


def is_valid_phone(value: str) -> bool:
    value = value.strip()
    return bool(_MOBILE.match(value) or _LANDLINE.match(value))


def mask_id_number(value: str) -> str:
    """320583********1234: the region of issue and the last four, never the birth date."""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678; landlines keep their area code and last four."""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
