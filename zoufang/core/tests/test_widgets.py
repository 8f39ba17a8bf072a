"""A date picker offered with a day filled in shows that day (zh-hans would write 2017/06/15, which it cannot read)."""

import datetime as dt

from django import forms
from django.utils import translation

from zoufang.core.widgets import DayInput


class _Form(forms.Form):
    day = forms.DateField(widget=DayInput())


def test_a_day_filled_in_is_written_as_the_date_picker_reads_it() -> None:
    with translation.override("zh-hans"):
        html = str(_Form(initial={"day": dt.date(2017, 6, 5)})["day"])
    assert 'type="date"' in html
    assert 'value="2017-06-05"' in html


def test_a_day_typed_the_chinese_way_is_still_read() -> None:
    with translation.override("zh-hans"):
        form = _Form({"day": "2017/06/05"})
        assert form.is_valid()
    assert form.cleaned_data["day"] == dt.date(2017, 6, 5)
