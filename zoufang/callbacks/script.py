"""The call script: the campaign's `callbacks.script`, a form in XLSForm columns read and checked by zoufang.forms.

The code reads four of its questions by name to decide an outcome: `visited` (yes / no), `same_visitor`
(yes / no / unsure), `mode` (a Visit.Mode value, or `not_home`) and `answered` (yes / no / none_raised).
Their wording, the other questions and every choice label are the campaign's.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from zoufang.forms import services as form_services
from zoufang.forms import xlsform
from zoufang.visits.models import Visit

NOT_HOME = "not_home"
# The names the outcome is read from, and the choice names each must offer.
REQUIRED = {"visited": {"yes", "no"}, "same_visitor": {"yes", "no"}, "mode": {Visit.Mode.HOME.value},
            "answered": {"yes", "no"}}
MODE_CHOICES = {*Visit.Mode.values, NOT_HOME}


@dataclass
class Script:
    title: str
    spec: dict[str, Any]

    def questions(self) -> list[dict[str, Any]]:
        return [node for node in xlsform.walk(self.spec["items"]) if node.get("kind") == "question"]

    def options(self, question: dict[str, Any]) -> list[list[str]]:
        return self.spec["choices"].get(question.get("list", ""), [])

    def check(self, given: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """(clean answers, {question: Chinese message}); answers to questions not asked are dropped."""
        return form_services.check_spec(self.spec, given)

    def label_of(self, name: str, value: Any) -> str:
        """An answer as the script words it: a choice's label, or the text given."""
        question = next((q for q in self.questions() if q["name"] == name), None)
        if question is None or value in (None, ""):
            return "" if value is None else str(value)
        labels = dict((option[0], option[1]) for option in self.options(question))
        return labels.get(str(value), str(value))

    def answer_rows(self, answers: dict[str, Any]) -> list[tuple[str, str]]:
        """Answers recorded as (the script's question text, the answer as worded), in the script's order; an answer
        to a question the script no longer asks stays, named as such (what was recorded is never dropped)."""
        asked = [q["name"] for q in self.questions()]
        rows = [(q["label"], self.label_of(q["name"], answers[q["name"]])) for q in self.questions()
                if q["name"] in answers]
        return rows + [(_("回访问卷中已没有的问题（%(name)s）") % {"name": name}, self.label_of(name, value))
                       for name, value in answers.items() if name not in asked]


EMPTY_SCRIPT = Script("", {"items": [], "choices": {}})


def answer_rows(campaign: Any, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """A callback's answers labelled by the campaign's script (Script.answer_rows); with no script configured any
    more, each answer named as one the script no longer asks."""
    script = campaign_script(campaign) or EMPTY_SCRIPT
    return script.answer_rows(answers or {})


def _parsed(block: dict[str, Any]) -> xlsform.ParsedForm:
    return xlsform.parse_rows(block.get("survey") or [], block.get("choices") or [],
                              {"form_id": "callback_script", "form_title": block.get("title", "")})


def script_problems(block: dict[str, Any]) -> list[str]:
    """Why a configured script cannot be used; empty when it can."""
    parsed = _parsed(block)
    problems = list(parsed.errors)
    if problems:
        return problems
    nodes = {node["name"]: node for node in xlsform.walk(parsed.items)}
    for name, needed in REQUIRED.items():
        node = nodes.get(name)
        if node is None or node.get("type") != "select_one":
            problems.append(_("回访问卷须有单选题 %(name)s") % {"name": name})
            continue
        offered = {option[0] for option in parsed.choices.get(node["list"], [])}
        if not needed <= offered:
            problems.append(_("回访问卷 %(name)s 的选项须包含 %(choices)s") % {
                "name": name, "choices": "、".join(sorted(needed))})
        if name == "mode" and offered - MODE_CHOICES:
            problems.append(_("回访问卷 mode 的选项只能是走访方式（%(modes)s）或 not_home") % {
                "modes": "、".join(Visit.Mode.values)})
    return problems


def campaign_script(campaign: Any) -> Script | None:
    """The campaign's script, or None when its configuration has no `callbacks` block."""
    block = (campaign.config or {}).get("callbacks")
    if not block:
        return None
    parsed = _parsed(block["script"])
    return Script(parsed.title, parsed.spec())
