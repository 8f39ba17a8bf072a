"""审计记录 as sentences a clerk reads: each event's object named, ids in its changes resolved to names, keys in
Chinese, and personal data masked for the viewer as everywhere else (accounts.masking).

The page and the xlsx export both present through `AuditPresenter.present`, a batch of events at a time: every
record the batch names is read with one query per model, never one per row.
"""

import json
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoufang import clock
from zoufang.accounts.masking import Kind, Masker, scrub
from zoufang.accounts.models import AuditEvent

SHOWN_ITEMS = 5  # a longer list shows its first few and “等 N 个”

# Keys the product writes into `changes` that are not fields of the event's object (grep `audit.record(`).
KEY_LABELS: dict[str, Any] = {
    # reads of personal data (registry.presenters, visits.ledger, callbacks)
    "targets": gettext_lazy("走访对象"), "more": gettext_lazy("其余"), "sample": gettext_lazy("抽查样本"),
    "field": gettext_lazy("字段"),
    # planning
    "notes": gettext_lazy("说明"), "pairs": gettext_lazy("部门—村组合数"), "cadre": gettext_lazy("走访干部"),
    "unit": gettext_lazy("单位"), "pinned": gettext_lazy("人工锁定"),
    # imports (registry.imports.runner)
    "kind": gettext_lazy("类型"), "file": gettext_lazy("文件"), "source": gettext_lazy("来源"),
    "campaign": gettext_lazy("走访活动"), "total_rows": gettext_lazy("总行数"), "created": gettext_lazy("新增"),
    "updated": gettext_lazy("更新"), "unchanged": gettext_lazy("未变"), "deleted": gettext_lazy("删除"),
    "update": gettext_lazy("按更新导入"), "changes": gettext_lazy("变更处数"), "row": gettext_lazy("行号"),
    "key": gettext_lazy("识别键"), "fields": gettext_lazy("变更字段"),
    # sign-in (accounts.signals)
    "address": gettext_lazy("IP 地址"), "username": gettext_lazy("账号"),
    # assessment
    "period": gettext_lazy("期间"), "as_of": gettext_lazy("截至"), "number": gettext_lazy("版本"),
    "scores": gettext_lazy("得分条数"), "score": gettext_lazy("考核对象"), "points": gettext_lazy("加减分"),
    "reason": gettext_lazy("理由"), "total": gettext_lazy("总分"), "status": gettext_lazy("状态"),
    "adjustments": gettext_lazy("加减分条数"),
    # integrity
    "outcome": gettext_lazy("结论"), "evidence": gettext_lazy("依据"), "visits": gettext_lazy("走访记录"),
    "before": gettext_lazy("原值"), "after": gettext_lazy("新值"), "by": gettext_lazy("操作人"),
    "at": gettext_lazy("时间"),
    # callbacks
    "seed": gettext_lazy("随机种子"), "rate": gettext_lazy("抽查比例"), "count": gettext_lazy("数量"),
    "flagged_share": gettext_lazy("提示走访占比"), "digest": gettext_lazy("抽取校验值"),
    "drawn": gettext_lazy("抽取条数"), "caller": gettext_lazy("回访单位"), "attempt": gettext_lazy("拨打结果"),
    "verification": gettext_lazy("核实结果"), "explanation": gettext_lazy("情况说明"), "note": gettext_lazy("备注"),
    "reopened": gettext_lazy("重办问题"),
    # ratings
    "assignee": gettext_lazy("责任人"), "due_on": gettext_lazy("期限"), "result": gettext_lazy("办理结果"),
    "overdue": gettext_lazy("超期"),
    # documents, exemplars, campaigns
    "reference": gettext_lazy("文号"), "title": gettext_lazy("标题"), "new": gettext_lazy("新增内容"),
    "phases": gettext_lazy("阶段"), "case_categories": gettext_lazy("问题分类"), "removed": gettext_lazy("停用"),
    "text_chars": gettext_lazy("正文字数"),
    # the trail itself (audit.prune, backup, crypto)
    "base_seq": gettext_lazy("新起点序号"), "base_hash": gettext_lazy("新起点校验值"),
    "base_at": gettext_lazy("新起点时间"), "cutoff": gettext_lazy("保存期起点"), "tables": gettext_lazy("数据表"),
    "rows": gettext_lazy("行数"), "media": gettext_lazy("附件数"), "rewritten": gettext_lazy("重写条数"),
    # an export of this page records its filters
    "who": gettext_lazy("操作人"), "action": gettext_lazy("操作"), "object_type": gettext_lazy("对象类型"),
    "object_id": gettext_lazy("对象编号"), "date_from": gettext_lazy("起始日期"), "date_to": gettext_lazy("截止日期"),
    "after_cursor": gettext_lazy("翻页位置"),
}

# Keys whose values name records by a key of theirs: (model, lookup). Model fields that are foreign keys are
# found from the model itself; these are the rest.
REFERENCES: dict[str, tuple[str, str]] = {
    "targets": ("registry.Target", "public_id"),
    "sample": ("callbacks.CallbackSample", "public_id"),
    "visits": ("visits.Visit", "pk"),
    "campaign": ("campaigns.Campaign", "slug"),
}

# Keys whose coded values are another model's field choices: (model, field).
CODED: dict[str, tuple[str, str]] = {
    "attempt": ("callbacks.CallbackAttempt", "kind"),
    "role": ("accounts.RoleGrant", "role"),
}

# Fields whose values are a resident's name: wherever an event's changes carry one (an admin's edit or delete, a
# consent recorded with a 典型), it is masked as the record's name is, though the record be renamed or deleted.
PERSONAL_NAMES: dict[str, tuple[str, ...]] = {
    "registry.Target": ("name", "contact_name", "legal_representative"),
    "cases.Case": ("raiser_name",),
    "exemplars.Exemplar": ("consent_person",),
}

# Records whose str() can carry a resident's name or words (a household, a case's description): an audit summary
# calls them by their kind (`summary_name`), and the presenter names the record itself, masked for the viewer.
RESIDENT_RECORDS = frozenset({
    "registry.Target", "visits.Visit", "visits.VisitPhoto", "visits.DiaryEntry", "planning.Assignment",
    "callbacks.CallbackSample", "cases.Case", "exemplars.Exemplar", "forms.FormAnswer",
})
PUBLIC_KINDS = ("enterprise", "project")  # a target that is a public body: its name is no one's personal data
PUBLIC_NAME = "name"  # …but the people an enterprise or a project names (联系人, 法定代表人) are persons

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_HASH = re.compile(r"^[0-9a-f]{32,}$")


@dataclass
class ShownObject:
    """The record an event is about: its kind, its name if it still exists, its id."""

    label: str
    ref: str
    name: str = ""
    deleted: bool = False


@dataclass
class ShownEvent:
    event: AuditEvent
    object: ShownObject
    summary: str
    changes: list[str]

    @property
    def object_line(self) -> str:
        """One line for the export: “走访对象：周*（金家墩村第1村民小组）”, “用户（已删除）”."""
        if self.object.deleted:
            return _("%(label)s（已删除）") % {"label": self.object.label}
        return f"{self.object.label}：{self.object.name}" if self.object.name else self.object.label


@dataclass
class _Found:
    """A record read for display: the text shown for it and the residents' names it discloses (to mask)."""

    text: str
    names: list[str] = field(default_factory=list)
    full: bool = False  # a target the viewer reads in full (its people's names as they are)
    public: bool = False  # a target that is a public body (an enterprise, a project)


def summary_name(obj: models.Model) -> str:
    """How an audit summary may name `obj`: its str(), or its kind where that could quote a resident."""
    label = obj._meta.label
    if label in RESIDENT_RECORDS:
        return str(obj._meta.verbose_name)
    if label in ("registry.Unit", "registry.Cadre"):  # the trail mixes towns: “锦溪镇 派出所” (decision 0032)
        from zoufang.registry.unitnames import labels

        unit: Any = obj if label == "registry.Unit" else obj.unit  # type: ignore[attr-defined]
        named = labels([unit])[unit.pk]
        return named if unit is obj else f"{obj.name}（{named}）"  # type: ignore[attr-defined]
    return str(obj)


def object_label(object_type: str) -> str:
    """“走访对象” for registry.Target; the stored text for types that are not models."""
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _id_lookup(model: type[models.Model]) -> str:
    """How audit.record names an object: its public_id where it has one, else its primary key."""
    return "public_id" if any(f.name == "public_id" for f in model._meta.concrete_fields) else "pk"


def _key_value(lookup: str, value: Any) -> Any:
    """`value` as the lookup's column takes it, or None when it cannot be one (a deleted name, a typo)."""
    if isinstance(value, bool):
        return None
    if lookup == "public_id":
        try:
            return uuid.UUID(str(value))
        except ValueError:
            return None
    if lookup == "pk":
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            return int(value)
        return None
    return value if isinstance(value, str) else None


class AuditPresenter:
    """Presents events for one viewer. Build it once per request (it holds the viewer's masking rules)."""

    def __init__(self, user: Any) -> None:
        self.masker = Masker(user)
        self.policy = self.masker.policy
        self._found: dict[tuple[str, str], dict[Any, _Found]] = {}

    # -- reading the records a batch names ------------------------------------------------------------------------

    def present(self, events: Iterable[AuditEvent]) -> list[ShownEvent]:
        batch = list(events)
        wanted: dict[tuple[str, str], set[Any]] = defaultdict(set)
        for event in batch:
            for model_label, lookup, value in self._references(event):
                key = _key_value(lookup, value)
                if key is not None:
                    wanted[(model_label, lookup)].add(key)
        self._found = {ref: self._read(*ref, keys) for ref, keys in wanted.items()}
        return [self._shown(event) for event in batch]

    def _references(self, event: AuditEvent) -> Iterable[tuple[str, str, Any]]:
        model = _model(event.object_type)
        if model is not None and event.object_id:
            yield event.object_type, _id_lookup(model), event.object_id
        if not isinstance(event.changes, dict):
            return
        for name, value in event.changes.items():
            target = self._reference_of(model if event.object_id else None, name)
            if target is None:
                continue
            for item in value if isinstance(value, list) else [value]:
                yield target[0], target[1], item

    @staticmethod
    def _reference_of(model: type[models.Model] | None, name: str) -> tuple[str, str] | None:
        """The (model, lookup) a key's values point at: a foreign key of the object's model, or a known key."""
        if model is not None:
            try:
                found = model._meta.get_field(name)
            except FieldDoesNotExist:
                found = None
            if found is not None:
                related = found.related_model if found.many_to_one else None
                if isinstance(related, type) and issubclass(related, models.Model):
                    return related._meta.label, "pk"
                return None
        return REFERENCES.get(name)

    def _read(self, model_label: str, lookup: str, keys: set[Any]) -> dict[Any, _Found]:
        model = _model(model_label)
        if model is None:
            return {}
        namer = NAMERS.get(model_label)
        rows = model._default_manager.filter(**{f"{lookup}__in": keys})
        rows = rows.select_related(*namer[0]) if namer is not None else rows.select_related(*(
            f.name for f in model._meta.concrete_fields if f.many_to_one))
        found = {}
        for obj in rows:
            shown = namer[1](self, obj) if namer is not None else _Found(_generic_name(obj))
            found[getattr(obj, lookup if lookup != "pk" else "pk")] = shown
        return found

    def _lookup(self, model_label: str, lookup: str, value: Any) -> _Found | None:
        key = _key_value(lookup, value)
        return None if key is None else self._found.get((model_label, lookup), {}).get(key)

    # -- what a record is called --------------------------------------------------------------------------------

    def target(self, target: Any) -> _Found:
        """A household's name as this viewer may read it, and its village; enterprises and projects are public
        bodies. A masked name is also masked wherever the event's free text repeats it."""
        full, public = self.policy.full_identity(target), target.kind in PUBLIC_KINDS
        name = self.masker.show(Kind.NAME, target.name, full=full or public)
        people = (target.contact_name, target.legal_representative) if public else (target.name,)
        return _Found(f"{name}（{_place(target.region)}）", [] if full else [p for p in people if p], full, public)

    # -- one event ------------------------------------------------------------------------------------------------

    def _shown(self, event: AuditEvent) -> ShownEvent:
        model = _model(event.object_type)
        shown = ShownObject(label=object_label(event.object_type), ref=event.object_id)
        names: list[str] = []
        found: _Found | None = None
        if model is not None and event.object_id:
            found = self._lookup(event.object_type, _id_lookup(model), event.object_id)
            if found is None:
                shown.deleted = True
            else:
                shown.name, names = found.text, list(found.names)
        changes = event.changes if isinstance(event.changes, dict) else {}
        read_in_full = found is not None and found.full and event.object_type == "registry.Target"
        if event.object_id and not read_in_full:  # a target the viewer reads in full: as is
            names.extend(self._personal_names(event.object_type, changes, found is not None and found.public))
        renamed = changes.get("fields")  # an update import's differences (registry.imports): a household renamed
        if event.object_type == "registry.Target" and isinstance(renamed, dict):
            for pair in renamed.values():
                if set(_strings(pair)) & set(names):  # one side is the name the household has, the other it had
                    names.extend(_strings(pair))
        for name, value in changes.items():
            reference = self._reference_of(model if event.object_id else None, name)
            if reference is not None:
                for item in value if isinstance(value, list) else [value]:
                    if (found := self._lookup(*reference, item)) is not None:
                        names.extend(found.names)
        # An event about no one record (an import, a list's read) describes itself, not the fields of its type.
        fields_of = model if event.object_id else None
        lines = [self._line(fields_of, name, value, names) for name, value in changes.items()]
        if not isinstance(event.changes, dict):
            lines = [self._text(json.dumps(event.changes, ensure_ascii=False), names)]
        return ShownEvent(event=event, object=shown, summary=self._text(event.summary, names), changes=lines)

    def _personal_names(self, object_type: str, changes: dict[str, Any], public: bool = False) -> list[str]:
        """The residents' names an event's changes carry in fields that hold one (a renamed household's old name, a
        deleted one's, an enterprise's contact), to mask; none for a superuser; a public body's own name is kept."""
        fields = PERSONAL_NAMES.get(object_type, ())
        if not fields or self.policy.superuser:
            return []
        if public or set(_strings(changes.get("kind"))) & set(PUBLIC_KINDS):
            fields = tuple(name for name in fields if name != PUBLIC_NAME)
        new = changes.get("new")
        created: dict[str, Any] = new if isinstance(new, dict) else {}  # a snapshot of a new record
        return [name for values in (changes, created) for field_name in fields
                for name in _strings(values.get(field_name))]

    def _line(self, model: type[models.Model] | None, name: str, value: Any, names: list[str]) -> str:
        label = _key_label(model, name)
        shown = self._value_shower(model, name, names)
        if isinstance(value, list) and len(value) == 2 and not _is_plain_list(model, name):
            return f"{label}：{shown(value[0])} → {shown(value[1])}"
        return f"{label}：{shown(value)}"

    def _value_shower(self, model: type[models.Model] | None, name: str, names: list[str]) -> Callable[[Any], str]:
        reference = self._reference_of(model, name)
        choices = _choices(model, name)

        def show(value: Any) -> str:
            if isinstance(value, list):
                return _cut([show(item) for item in value])
            if isinstance(value, dict):  # a snapshot, a tally or an import's differences ({column: [old, new]}):
                # its keys are the same model's fields, or known keys, each read as a line of its own is
                return "，".join(self._line(model, key, item, names) for key, item in value.items()) or _("（空）")
            if value is None or value == "":
                return _("（空）")
            if isinstance(value, bool):
                return _("是") if value else _("否")
            if reference is not None:
                found = self._lookup(*reference, value)
                if found is not None:
                    return found.text
                if _key_value(reference[1], value) is not None:
                    return _("%(id)s（已删除）") % {"id": value}
            if str(value) in choices:
                return str(choices[str(value)])
            return self._text(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False), names)

        return show

    def _text(self, value: str, names: Iterable[str]) -> str:
        """Free text masked as the viewer reads it: personal numbers, and the residents' names the event names."""
        if not value or _UUID.match(value) or _HASH.match(value):
            return value
        return value if self.policy.superuser else scrub(value, names)


def _strings(value: Any) -> list[str]:
    """The texts in a change's value: a text, [old, new], a list."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _is_plain_list(model: type[models.Model] | None, name: str) -> bool:
    """A list that is a value, not [old, new]: a many-to-many's names, a reference list such as `targets`."""
    if model is not None:
        try:
            return bool(model._meta.get_field(name).many_to_many)
        except FieldDoesNotExist:
            pass
    return name in REFERENCES or name in ("notes", "reopened", "tables")


def _key_label(model: type[models.Model] | None, name: str) -> str:
    if model is not None:
        try:
            return str(model._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
        except (FieldDoesNotExist, AttributeError):
            pass
    return str(KEY_LABELS.get(name, name))


def _choices(model: type[models.Model] | None, name: str) -> dict[str, Any]:
    """The labels of a key's coded values: the object's field choices, else those of a known key."""
    if model is not None:
        try:
            return {str(k): v for k, v in (getattr(model._meta.get_field(name), "flatchoices", None) or [])}
        except FieldDoesNotExist:
            pass
    if name == "kind":  # an import's kind (registry.imports)
        from zoufang.registry.imports.runner import KINDS

        return {kind: spec.label for kind, spec in KINDS.items()}
    if name in CODED:
        coded = _model(CODED[name][0])
        if coded is not None:
            return _choices(coded, CODED[name][1])
    return {}


def _cut(items: list[str]) -> str:
    if not items:
        return _("（空）")
    if len(items) <= SHOWN_ITEMS:
        return "、".join(items)
    return _("%(first)s 等 %(n)d 个") % {"first": "、".join(items[:SHOWN_ITEMS]), "n": len(items)}


def _place(region: Any) -> str:
    """“计家墩村第1村民小组”, “计家墩村第1村民小组第4网格”: a group or grid with what it lies in up to its village,
    for a clerk to find the household (the namers read two levels of parents with the target)."""
    parts = [str(region.name)]
    while region.level in ("group", "grid") and region.parent is not None:
        region = region.parent
        parts.insert(0, str(region.name))
    return "".join(parts)


def _generic_name(obj: models.Model) -> str:
    for attribute in ("name", "title", "number"):
        value = getattr(obj, attribute, None)
        if isinstance(value, str) and value:
            return value
    return str(obj)


def _target(presenter: AuditPresenter, target: Any) -> _Found:
    return presenter.target(target)


def _visit(presenter: AuditPresenter, visit: Any) -> _Found:
    target = presenter.target(visit.target)
    return _Found(_("%(target)s %(date)s 的走访") % {
        "target": target.text, "date": clock.day(visit.visited_at)}, target.names)


def _assignment(presenter: AuditPresenter, assignment: Any) -> _Found:
    target = presenter.target(assignment.target)
    visitor = assignment.cadre.name if assignment.cadre is not None else assignment.unit.name
    return _Found(f"{target.text} → {visitor}", target.names)


def _sample(presenter: AuditPresenter, sample: Any) -> _Found:
    target = presenter.target(sample.visit.target)
    return _Found(_("第 %(batch)s 批第 %(n)s 号：%(target)s") % {
        "batch": sample.batch.number, "n": sample.position, "target": target.text}, target.names)


def _user(_presenter: AuditPresenter, user: Any) -> _Found:
    full_name = user.get_full_name()
    return _Found(f"{full_name}（{user.get_username()}）" if full_name else user.get_username())


def _grant(_presenter: AuditPresenter, grant: Any) -> _Found:
    where = grant.region or grant.unit
    return _Found(" · ".join(str(part) for part in (_user(_presenter, grant.user).text, grant.get_role_display(),
                                                     where) if part))


def _case(presenter: AuditPresenter, case: Any) -> _Found:
    """Its number (its str() quotes the resident's words); the names of the one who raised it, to mask in what the
    event wrote (a hotline caller's, a household's), unless the viewer reads them in full (a superuser)."""
    names = [case.raiser_name] if case.raiser_name and not presenter.policy.superuser else []
    if case.target is not None:
        names.extend(presenter.target(case.target).names)
    return _Found(case.number, names)


def _cadre(_presenter: AuditPresenter, cadre: Any) -> _Found:
    return _Found(f"{cadre.name}（{cadre.unit.name}）")


# model → (select_related, namer). Others: their name, title or number, else str() with their foreign keys read.
NAMERS: dict[str, tuple[tuple[str, ...], Callable[[AuditPresenter, Any], _Found]]] = {
    "registry.Target": (("region__parent__parent",), _target),
    "visits.Visit": (("target__region__parent__parent",), _visit),
    "planning.Assignment": (("target__region__parent__parent", "cadre", "unit"), _assignment),
    "callbacks.CallbackSample": (("batch", "visit__target__region__parent__parent"), _sample),
    "auth.User": ((), _user),
    "accounts.RoleGrant": (("user", "region", "unit"), _grant),
    "cases.Case": (("target__region__parent__parent",), _case),
    "registry.Cadre": (("unit",), _cadre),
}
