"""A file field shows the product's picker (web/_file_pick.html), never the browser's bare input, whose button and
"no file" words are the browser's own language ("Choose File · No file chosen" on an English-language machine)."""

import importlib
import re
from pathlib import Path

from django import forms
from django.apps import apps

from zoufang.core.widgets import PickedFileInput

ROOT = Path(__file__).resolve().parents[2]


def _project_forms() -> list[type[forms.BaseForm]]:
    for config in apps.get_app_configs():
        if config.name.startswith("zoufang."):
            for module in ("forms", "intake", "views"):
                try:
                    importlib.import_module(f"{config.name}.{module}")
                except ModuleNotFoundError:
                    pass
    found, todo = [], [forms.Form, forms.ModelForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("zoufang.") and ".tests" not in sub.__module__:
                found.append(sub)
    return found


def test_every_file_field_of_a_form_renders_the_product_s_picker():
    file_fields = {f"{form.__module__}.{form.__name__}.{name}": field for form in _project_forms()
                   for name, field in form.base_fields.items() if isinstance(field, forms.FileField)}
    assert file_fields  # the imports' file and the units' 工作总结 at least
    assert {name: type(field.widget).__name__ for name, field in file_fields.items()
            if not isinstance(field.widget, PickedFileInput)} == {}


def test_picked_file_input_renders_the_picker_with_its_name_id_and_types():
    html = PickedFileInput(attrs={"accept": ".docx,.pdf"}).render("file", None, attrs={"id": "id_file"})
    for part in ("data-file-pick", 'name="file"', 'id="id_file"', 'accept=".docx,.pdf"', 'for="id_file"', "选择文件"):
        assert part in html


def test_no_template_writes_a_bare_file_input():
    bare = [str(path.relative_to(ROOT)) for path in ROOT.rglob("*.html") if ".venv" not in path.parts
            and path.name != "_file_pick.html" and re.search(r'type="?file\b', path.read_text(encoding="utf-8"))]
    assert bare == []
