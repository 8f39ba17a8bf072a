"""Form widgets every app shares."""

from typing import Any

from django import forms
from django.utils.safestring import SafeString


class DayInput(forms.DateInput):
    """A browser's date picker (`<input type="date">`). Its value must be ISO (2017-06-15): Django would otherwise
    write a date in the language's first input format, zh-hans's 2017/06/15, which the picker cannot read and shows
    blank — a form offered with a day filled in would come up empty."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class PickedFileInput(forms.FileInput):
    """A file field as the product shows one (web/_file_pick.html: a button saying 选择文件 and the chosen file's
    name). The browser's own file input writes its button and "no file" words in the browser's language — "Choose
    File · No file chosen" on an English-language machine — whatever the page's language."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        from django.template.loader import render_to_string

        built = self.build_attrs(self.attrs, attrs)
        html = render_to_string("web/_file_pick.html", {
            "name": name, "id": built.get("id") or f"id_{name}", "accept": built.get("accept", "")})
        return SafeString(html)  # the template escaped what it wrote
