"""For tests: what a browser sends back from a page's form — every input, select and textarea as rendered, the
hidden ones included (an admin change form's fields as shown, a confirmation page's rows as shown)."""

import re
from html.parser import HTMLParser
from typing import Any


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.forms: list[tuple[str, str, dict[str, list[str]]]] = []  # (id, action, values) of each form in the page
        self.methods: list[str] = []  # the method of each form in the page
        self.values: dict[str, list[str]] = {}
        self._select: tuple[str, bool] | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def _owner(self, form_id: str) -> dict[str, list[str]] | None:
        """The values of the form drawn earlier with this id (an input outside it that names it, as browsers send)."""
        return next((values for id_, _action, values in self.forms if form_id and id_ == form_id), None)

    def _add(self, name: str, value: str) -> None:
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "form" and not self.inside:
            self.inside, self.values = True, {}
            self.forms.append((attr.get("id", ""), attr.get("action", ""), self.values))
            self.methods.append(attr.get("method", "get").lower())
            return
        owner = self._owner(attr.get("form", "")) if tag == "input" else None  # an input of a form named by its id
        if (not self.inside and owner is None) or "disabled" in attr:
            return
        name = attr.get("name", "")
        if tag == "input" and name:
            kind = attr.get("type", "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attr:
                return
            value = attr.get("value", "on" if kind in ("checkbox", "radio") else "")
            if owner is not None:
                owner.setdefault(name, []).append(value)
            else:
                self._add(name, value)
        elif tag == "select" and name:
            self._select, self._options = (name, "multiple" in attr), []
        elif tag == "option" and self._select is not None:
            self._options.append((attr.get("value", ""), "selected" in attr))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self._select is not None:
            name, multiple = self._select
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]  # a browser sends a single select's first option
            for value in chosen:
                self._add(name, value)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._add(self._textarea, "".join(self._text).removeprefix("\n"))
            self._textarea = None


def form_values(html: str, form_id: str | None = None, *, containing: str = "", action: str | None = None,
                having: dict[str, str] | None = None) -> dict[str, Any]:
    """The values of the form with this id (or the first that has a field named `containing`, is sent to `action`,
    holds the values `having`) as `Client.post` takes them: one value as a string, several as a list."""
    reader = _FormReader()
    reader.feed(html)
    found = [values for id_, sent_to, values in reader.forms if (form_id is None or id_ == form_id)
             and (not containing or containing in values) and (action is None or sent_to == action)
             and all(values.get(name) == [value] for name, value in (having or {}).items())]
    if not found:
        raise LookupError(f"no form {form_id or action or ''} with {containing or having or 'fields'} in the page")
    return {name: values[0] if len(values) == 1 else values for name, values in found[0].items()}


def choice_rows(html: str, legend: str, name: str) -> list[tuple[str, str]]:
    """(value, words) of each option of the group of choices named by `legend` (_field.html: a fieldset.options,
    each option a label tied to its own input); raises when the group is missing or a label names another input."""
    group = re.search(rf'<fieldset class="field options"><legend>{re.escape(legend)}</legend>(.*?)</fieldset>', html,
                      re.S)
    if group is None:
        raise LookupError(f"no group of choices named {legend} in the page")
    rows = re.findall(rf'<label class="option" for="([^"]+)"><input type="(?:radio|checkbox)" name="{re.escape(name)}"'
                      r' value="([^"]*)"[^>]* id="([^"]+)"[^>]*><span>([^<]*)</span></label>', group[1])
    for label_for, value, input_id, _words in rows:
        if label_for != input_id:
            raise AssertionError(f"the label of {name}={value} is for {label_for}, its input is {input_id}")
    return [(value, words) for _for, value, _id, words in rows]


def posted_forms(html: str) -> list[tuple[str, dict[str, Any]]]:
    """(action as written, values as `Client.post` takes them) of each form of the page that posts."""
    reader = _FormReader()
    reader.feed(html)
    return [(action, {name: values[0] if len(values) == 1 else values for name, values in values_.items()})
            for method, (_id, action, values_) in zip(reader.methods, reader.forms, strict=True) if method == "post"]
