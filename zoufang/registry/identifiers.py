"""Official identifiers: GB 11643 ID numbers, GB 32100 credit codes, phone numbers; and masking."""

import functools
import re

from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

ID_NUMBER_RULE = _("身份证号码不符合 GB 11643：应为18位，出生日期和地区码有效，末位校验码正确")
CREDIT_CODE_RULE = _("统一社会信用代码不符合 GB 32100（18位，末位校验码须正确）")
# The same rules as an import template's 说明 sheet states them: what to write, not what went wrong.
ID_NUMBER_FORMAT = _("18位，符合 GB 11643：出生日期和地区码有效，末位校验码正确")
CREDIT_CODE_FORMAT = _("18位，符合 GB 32100：末位校验码正确")
MOBILE_RULE = _("手机号码应为11位，以1开头")
PHONE_RULE = _("电话号码应为11位手机号或带区号的固定电话（如0512-57223456）")

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def normalise_id_number(value: str) -> str:
    return value.strip().upper()


def is_valid_id_number(value: str) -> bool:
    """GB 11643: 18 characters, a real birth date, a known region code and the MOD 11-2 check digit.

    stdnum's own validate() also demands that the region code existed in the birth year; real
    IDs carry the code of the place and time of issue (a Kunshan resident born in 1970 holds
    320583, a code from 1989), so that rule would refuse genuine registers. See
    docs/decisions/0002-id-number-validation.md.
    """
    value = normalise_id_number(value)
    if len(value) != 18 or not value[:17].isdigit():
        return False
    try:
        if value[-1] != ric.calc_check_digit(value):
            return False
        ric.get_birth_date(value)
    except StdnumError:
        return False
    return is_region_code(value[:6])


@functools.lru_cache(maxsize=8192)
def is_region_code(code: str) -> bool:
    """A six-digit administrative division code stdnum knows; cached (its look-up scans a table, and a
    town's register repeats a handful of codes)."""
    from stdnum import numdb

    return bool(numdb.get("cn/loc").info(code)[0][1])


def id_number_check_digit(first17: str) -> str:
    """The GB 11643 check digit for the first 17 digits."""
    return str(ric.calc_check_digit(first17 + "0"))


def credit_code_check_digit(first17: str) -> str:
    """The GB 32100 check digit for the first 17 characters."""
    return str(uscc.calc_check_digit(first17))


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
