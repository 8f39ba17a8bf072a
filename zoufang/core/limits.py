"""How long free text may be: one figure per kind of field, used by the API schemas (so stated in the OpenAPI
document), the page forms and the services alike. A description of a few pages fits; a 2 MB one does not.
Dates and times from a client stay within the years the calendar can count in."""

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import AfterValidator

SEARCH = 100  # a search box
CODE = 50  # a slug, a category code, a choice value
NAME = 100  # a person's name
SHORT = 200  # a line: co-visitors
NOTE = 2000  # a note or a reason given with an action
TEXT = 5000  # a description, a result, an explanation, a reply, a visit summary, a diary entry
PASSWORD = 1000


def within_calendar(value: Any) -> Any:
    """A date or time the deadlines can count from: 0001-01-01 in +08:00 is the year 0 in UTC."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(_("超出可用的日期范围（%(first)d—%(last)d 年）") % {"first": FIRST_YEAR, "last": LAST_YEAR})
    return value


def storable(text: str) -> bool:
    """Whether every database we run on stores the text as it is: PostgreSQL takes no NUL, none half a surrogate
    pair."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


FIRST_YEAR, LAST_YEAR = 1900, 2999
Day = Annotated[dt.date, AfterValidator(within_calendar)]
Moment = Annotated[dt.datetime, AfterValidator(within_calendar)]
