"""Form widgets every app shares."""

from typing import Any

from django import forms


class DayInput(forms.DateInput):
    """A browser's date picker (`<input type="date">`). Its value must be ISO (2017-06-15): Django would otherwise
    write a date in the language's first input format, zh-hans's 2017/06/15, which the picker cannot read and shows
    blank — a form offered with a day filled in would come up empty."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")
