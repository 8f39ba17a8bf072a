"""One small form per action on the case page; each carries the version it was drawn at."""

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from zoufang import clock
from zoufang.campaigns.models import CaseCategory
from zoufang.cases import access, actions, answers, escalation
from zoufang.cases.models import Case, CaseReply
from zoufang.cases.transition import InvalidInput, kept_text
from zoufang.cases.workflow import Action
from zoufang.core import limits
from zoufang.core.widgets import DayInput
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Unit
from zoufang.registry.unitnames import shown


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    # What the action's case event keeps of the form: its note from `kept_note`, and `kept_details`, each field by
    # the key of the event's details that holds it. A form sent again is told by that content: every field of every
    # form is kept (decisions 0058, 0063; views._repeat_message; cases/tests/test_resent_actions.py).
    kept_note = "note"
    kept_details: ClassVar[dict[str, str]] = {}

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["version"].initial = case.version

    def as_kept(self) -> tuple[str, dict[str, str]] | None:
        """What the form holds as its action's case event keeps it, read from the data as sent (valid or not): the
        note and each of `kept_details` by its key, as `transition.kept_text` says them; None where it holds a field
        the event does not keep, or a value no event could hold."""
        kept = {"version", self.kept_note, *self.kept_details}
        if any(self._sent(name) for name in self.fields if name not in kept):
            return None
        values = {key: self._as_kept(name) for name, key in self.kept_details.items()}
        details = {key: value for key, value in values.items() if value is not None}
        note = self._as_kept(self.kept_note) if self.kept_note in self.fields else ""
        return None if note is None or len(details) < len(values) else (note, details)

    def _sent(self, name: str) -> list[str]:
        """The field's values as sent, each stripped, blanks left out."""
        getlist = getattr(self.data, "getlist", None)
        key = self.add_prefix(name)
        values = getlist(key) if getlist else [self.data.get(key, "")]
        return [text for value in values if (text := str(value).strip())]

    def _as_kept(self, name: str) -> str | None:
        """One field's value as sent, as its event keeps it: units and leaders by id, a day as ISO text, a number as
        written plainly; a blank optional field as the form's own initial (答复日期: today)."""
        field, sent = self.fields[name], self._sent(name)
        if isinstance(field, forms.ModelMultipleChoiceField):
            return kept_text(sent)
        if isinstance(field, forms.ModelChoiceField):
            return kept_text(sent[-1] if sent else None)
        if not sent and not field.required:
            value = field.initial
        else:
            try:
                value = field.to_python(sent[-1] if sent else "")
            except forms.ValidationError:
                return None
        return kept_text(value.isoformat() if hasattr(value, "isoformat") else value)


def _text(label: Any, required: bool = True, rows: int = 2, max_length: int = limits.NOTE) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length,
                           widget=forms.Textarea(attrs={"rows": rows}))


class RegisterForm(ActionForm):
    category = forms.ModelChoiceField(label=_("类别"), queryset=CaseCategory.objects.none(),
                                      empty_label=_("（请选择类别）"),
                                      error_messages={"required": _("请选择问题类别。")})
    kind = forms.ChoiceField(label=_("类型"), choices=Case.Kind.choices)
    priority = forms.ChoiceField(label=_("缓急"), choices=Case.Priority.choices)
    kept_details: ClassVar[dict[str, str]] = {"category": "category_id", "kind": "kind", "priority": "priority"}

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        super().__init__(case, *args, **kwargs)
        field = self.fields["category"]
        field.queryset = CaseCategory.objects.filter(  # type: ignore[attr-defined]
            campaign=case.campaign, disabled_on__isnull=True
        )
        field.initial = case.category_id
        if case.category_id is not None and case.category.disabled_on is None:  # type: ignore[union-attr]
            field.empty_label = None  # type: ignore[attr-defined]  # a category in the list is set: no blank
        field.label_from_instance = lambda c: f"{c.code} {c.title[:36]}"  # type: ignore[attr-defined]
        self.fields["kind"].initial = case.kind
        self.fields["priority"].initial = case.priority


class DispatchForm(ActionForm):
    unit = forms.ModelChoiceField(label=_("承办单位"), queryset=Unit.objects.none())
    # Ticked on a list of rows grouped by kind (cases/_co_handlers.html), not picked in a <select multiple>: one
    # tap or click each, on a phone as at a desk, among the town's 50-odd units.
    co_handlers = forms.ModelMultipleChoiceField(label=_("协办单位"), queryset=Unit.objects.none(), required=False,
                                                 widget=forms.CheckboxSelectMultiple)
    priority = forms.ChoiceField(label=_("缓急"), choices=Case.Priority.choices)
    note = _text(_("交办意见"), required=False)
    kept_details: ClassVar[dict[str, str]] = {"unit": "unit_id", "co_handlers": "co_handler_ids",
                                              "priority": "priority"}

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        super().__init__(case, *args, **kwargs)
        units = access.serving_units(case.campaign).filter(kind__in=access.HANDLING_KINDS, archived_on__isnull=True) \
            .exclude(pk__in=access.callback_companies(case.campaign.scope)).select_related("region")
        self.groups = unit_groups(units)
        # A county-wide campaign serves every town's 派出所: each is “锦溪镇 派出所” then (decision 0032).
        names = unit_names(case, [u for _label, members in self.groups for u in members])
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["unit"].choices = [("", _("请选择承办单位"))] + [  # type: ignore[attr-defined]
            (label, [(u.pk, names[u.pk]) for u in members]) for label, members in self.groups]
        self.fields["co_handlers"].queryset = units  # type: ignore[attr-defined]
        self.fields["co_handlers"].choices = [  # type: ignore[attr-defined]
            (u.pk, names[u.pk]) for _label, members in self.groups for u in members]
        self.fields["priority"].initial = case.priority

    def clean_co_handlers(self) -> list[Unit]:
        chosen = list(self.cleaned_data["co_handlers"])
        # The list as sent, repeats included (the field itself keeps each unit once).
        by_value = {str(u.pk): u for u in chosen}
        getlist = getattr(self.data, "getlist", None)
        sent = [by_value[v] for v in getlist(self.add_prefix("co_handlers")) if v in by_value] if getlist else chosen
        try:
            actions.check_co_handlers(None, sent)
        except InvalidInput as exc:
            raise forms.ValidationError(str(exc)) from None
        return chosen

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, chosen = data.get("unit"), data.get("co_handlers")
        if unit is not None and chosen:
            try:
                actions.check_co_handlers(unit, chosen)
            except InvalidInput as exc:
                self.add_error("co_handlers", str(exc))
        return data

    def co_handler_groups(self) -> list[dict[str, Any]]:
        """The co-handler rows by kind, for the template: each group's rows and how many are ticked."""
        rows = {str(choice.data["value"]): choice for choice in self["co_handlers"]}
        groups = []
        for label, members in self.groups:
            choices = [rows[str(u.pk)] for u in members]
            groups.append({"label": label, "choices": choices,
                           "chosen": [c.choice_label for c in choices if c.data["selected"]]})
        return groups


def above_towns(case: Case) -> bool:
    """Whether the case's campaign spans towns (a county's, a city's): its units are then several towns'."""
    scope = case.campaign.scope
    return Region.level_rank(scope.level) < Region.level_rank(Region.Level.TOWN)


def unit_names(case: Case, units: list[Unit]) -> dict[int, str]:
    """How each unit is named among the case's choices: “锦溪镇 派出所” where they span towns, else its name."""
    return shown(units) if above_towns(case) else {u.pk: u.name for u in units}


def unit_groups(units: Any) -> list[tuple[str, list[Unit]]]:
    """Units by kind in access.HANDLING_KINDS order, each kind's in the registry's order; empty kinds left out."""
    by_kind: dict[str, list[Unit]] = {kind: [] for kind in access.HANDLING_KINDS}
    for unit in units.order_by("sort_order", "name"):
        by_kind.setdefault(unit.kind, []).append(unit)
    return [(str(Unit.Kind(kind).label), members) for kind, members in by_kind.items() if members]


class NoteForm(ActionForm):
    note = _text(_("说明"), required=False)


class ReasonForm(ActionForm):
    reason = _text(_("理由"))
    kept_note = "reason"  # 退单, 不予签字 and 重办 keep it as their note


class ExtensionForm(ActionForm):
    days = forms.IntegerField(label=_("延期（工作日）"), min_value=1, max_value=60, initial=5)
    reason = _text(_("延期理由"))
    kept_note, kept_details = "reason", {"days": "days"}


class ResolveForm(ActionForm):
    result = _text(_("办理结果"), rows=3, max_length=limits.TEXT)
    kept_note = "result"


class EscalateForm(ActionForm):
    route = forms.ChoiceField(label=_("上报去向"), choices=Case.Route.choices)
    leader = forms.ModelChoiceField(label=_("签字的分管领导"), queryset=Cadre.objects.none(),
                                    empty_label=_("（请选择签字的分管领导）"),
                                    error_messages={"required": _("请选择签字的分管领导。")})
    reason = _text(_("上报理由（本部门不能办理的原因）"), rows=3)
    kept_note, kept_details = "reason", {"route": "route", "leader": "leader_id"}

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        super().__init__(case, *args, **kwargs)
        field = self.fields["leader"]
        field.queryset = access.signing_leaders(case.campaign).select_related(  # type: ignore[attr-defined]
            "unit__region").order_by("sort_order", "name")
        if above_towns(case):  # several towns' leaders: each with their town's 镇党政班子 (decision 0032)
            units = unit_names(case, [leader.unit for leader in field.queryset])  # type: ignore[attr-defined]
            field.label_from_instance = lambda leader: f"{leader.name}（{units[leader.unit_id]}）"  # type: ignore[attr-defined]


class ExplainForm(ActionForm):
    explanation = _text(_("解释说明的内容"), rows=3, max_length=limits.TEXT)
    kept_note = "explanation"


class ReplyForm(ActionForm):
    channel = forms.ChoiceField(label=_("答复方式"), choices=CaseReply.Channel.choices)
    content = _text(_("答复内容"), rows=3, max_length=limits.TEXT)
    replied_on = forms.DateField(label=_("答复日期"), required=False,
                                 widget=DayInput())
    kept_note, kept_details = "content", {"channel": "channel", "replied_on": "replied_on"}

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        super().__init__(case, *args, **kwargs)
        # Most replies are given the day they are recorded: today, already filled; no later day to pick.
        today = clock.today()
        self.fields["replied_on"].initial = today
        self.fields["replied_on"].widget.attrs["max"] = today.isoformat()

    def clean_replied_on(self) -> Any:
        on = self.cleaned_data["replied_on"]
        problem = answers.reply_date_problem(self.case, on) if on is not None else ""
        if problem:
            raise forms.ValidationError(problem)
        return on


class CallbackForm(ActionForm):
    satisfaction = forms.ChoiceField(label=_("满意度"), choices=Case.Satisfaction.choices,
                                     widget=forms.RadioSelect)
    note = _text(_("回访情况"), required=False)
    kept_details: ClassVar[dict[str, str]] = {"satisfaction": "satisfaction"}


class InstructionsForm(ActionForm):
    instructions = _text(_("退回镇办理的意见（办理指导）"), rows=3)
    kept_note = "instructions"


class MergeForm(ActionForm):
    master = forms.UUIDField(label=_("主件编号"))
    kept_details: ClassVar[dict[str, str]] = {"master": "master"}


FORMS: dict[Action, type[ActionForm]] = {
    Action.REGISTER: RegisterForm, Action.DISPATCH: DispatchForm, Action.ACCEPT: NoteForm,
    Action.RETURN: ReasonForm, Action.REQUEST_EXTENSION: ExtensionForm, Action.APPROVE_EXTENSION: NoteForm,
    Action.REFUSE_EXTENSION: NoteForm, Action.RESOLVE: ResolveForm, Action.ESCALATE: EscalateForm,
    Action.SIGN: NoteForm, Action.REFUSE_SIGN: ReasonForm, Action.EXPLAIN: ExplainForm, Action.REPLY: ReplyForm,
    Action.CALLBACK: CallbackForm, Action.CLOSE: NoteForm, Action.REOPEN: ReasonForm, Action.MERGE: MergeForm,
    Action.UPPER_ACCEPT: NoteForm, Action.UPPER_RETURN: InstructionsForm,
}


def perform(action: Action, case: Case, data: dict[str, Any], user: Any, master: Case | None = None) -> Case:
    """Call the named action with the form's cleaned data."""
    v = data["version"]
    A = Action
    if action == A.REGISTER:
        return actions.register_case(case, by=user, version=v, category=data["category"], kind=data["kind"],
                                     priority=data["priority"])
    if action == A.DISPATCH:
        return actions.dispatch_case(case, data["unit"], by=user, version=v, co_handlers=list(data["co_handlers"]),
                                     priority=data["priority"], note=data["note"])
    simple = {
        A.ACCEPT: lambda: actions.accept_case(case, by=user, version=v, note=data.get("note", "")),
        A.RETURN: lambda: actions.return_case(case, by=user, version=v, reason=data["reason"]),
        A.REQUEST_EXTENSION: lambda: actions.request_extension(case, by=user, version=v, days=data["days"],
                                                               reason=data["reason"]),
        A.APPROVE_EXTENSION: lambda: actions.approve_extension(case, by=user, version=v, note=data["note"]),
        A.REFUSE_EXTENSION: lambda: actions.refuse_extension(case, by=user, version=v, note=data["note"]),
        A.RESOLVE: lambda: actions.resolve_case(case, by=user, version=v, result=data["result"]),
        A.ESCALATE: lambda: escalation.escalate_case(case, by=user, version=v, route=data["route"],
                                                     leader=data["leader"], reason=data["reason"]),
        A.SIGN: lambda: escalation.sign_escalation(case, by=user, version=v, note=data["note"]),
        A.REFUSE_SIGN: lambda: escalation.refuse_escalation(case, by=user, version=v, note=data["reason"]),
        A.EXPLAIN: lambda: escalation.explain_case(case, by=user, version=v, explanation=data["explanation"]),
        A.REPLY: lambda: answers.reply_case(case, by=user, version=v, channel=data["channel"],
                                            content=data["content"], replied_on=data["replied_on"]),
        A.CALLBACK: lambda: answers.record_callback(case, by=user, version=v, satisfaction=data["satisfaction"],
                                                    note=data["note"]),
        A.CLOSE: lambda: answers.close_case(case, by=user, version=v, note=data["note"]),
        A.REOPEN: lambda: answers.reopen_case(case, by=user, version=v, reason=data["reason"]),
        A.UPPER_ACCEPT: lambda: escalation.accept_upper(case, by=user, version=v, note=data["note"]),
        A.UPPER_RETURN: lambda: escalation.return_to_town(case, by=user, version=v,
                                                          instructions=data["instructions"]),
    }
    if action == A.MERGE:
        assert master is not None  # noqa: S101 — the view resolves the master within the user's scope
        return answers.merge_case(case, master, by=user, version=v)
    return simple[action]()
