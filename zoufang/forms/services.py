"""Form actions: load a definition (a new version only when the wording changed), check answers."""

import datetime as dt
import hashlib
import json
import math
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent
from zoufang.forms import expressions, xlsform
from zoufang.forms.models import Form, FormVersion

SHIPPED_DIR = Path(__file__).resolve().parent / "data"


class FormDefinitionError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("；".join(errors))
        self.errors = errors


def published_form(key: str) -> tuple[Form, FormVersion]:
    """A questionnaire and its current wording; Http404 when there is no such form or nothing published."""
    from django.http import Http404

    form = Form.objects.filter(key=key).first()
    version = form.current_version() if form else None
    if form is None or version is None:
        raise Http404
    return form, version


def shipped_form_paths() -> list[Path]:
    return sorted(SHIPPED_DIR.glob("*.yaml"))


def _hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _check_publisher(user: Any, key: str) -> None:
    """A questionnaire is reworded only by an office that manages every campaign asking it: forms are shared by
    key, and another town's office would otherwise change what this town's cadres fill in."""
    from zoufang.accounts import scope
    from zoufang.campaigns.models import Campaign

    if getattr(user, "is_superuser", False):
        return
    managed = set(scope.managed_campaigns(user).values_list("pk", flat=True))
    others = [c.name for c in Campaign.objects.exclude(pk__in=managed).order_by("starts_on", "slug")
              if key in {q.get("key") for q in c.config.get("questionnaires") or []}]
    if others:
        raise FormDefinitionError([_("调查表 %(key)s 用于%(campaigns)s，本账号不能修改：请另起代号（settings 的 form_id）"
                                     "发布，并在本活动的配置中改用新代号。") % {"key": key, "campaigns": "、".join(others)}])


@transaction.atomic
def load_form(parsed: xlsform.ParsedForm, rows: dict[str, Any], *, by: Any = None) -> tuple[FormVersion, bool]:
    """Publish a definition; the same wording again changes nothing. Returns (version, created)."""
    if parsed.errors:
        raise FormDefinitionError(parsed.errors)
    if by is not None:
        _check_publisher(by, parsed.form_id)
    spec = parsed.spec()
    digest = _hash(spec)
    form, _created = Form.objects.select_for_update().get_or_create(
        key=parsed.form_id, defaults={"title": parsed.title or parsed.form_id}
    )
    current = form.current_version()
    if current is not None and current.content_hash == digest:
        return current, False
    if parsed.title and form.title != parsed.title:
        form.title = parsed.title
        form.save(update_fields=["title", "modified_at"])
    version = FormVersion.objects.create(
        form=form, number=(current.number + 1) if current else 1, label=parsed.version, spec=spec, rows=rows,
        content_hash=digest, created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    audit.record(by, AuditEvent.Action.CREATE, version, summary=_("发布调查表 %(form_title)s 第 %(version_number)s 版") % {
        "form_title": form.title, "version_number": version.number,
    })
    return version, True


def load_form_file(path: Path, *, by: Any = None) -> tuple[FormVersion, bool]:
    """Load a YAML or XLSForm xlsx definition; raises FormDefinitionError with one Chinese line per problem."""
    parsed = xlsform.read_file(path)
    return load_form(parsed, parsed.rows, by=by)


def load_shipped_forms(*, by: Any = None) -> list[FormVersion]:
    return [load_form_file(path, by=by)[0] for path in shipped_form_paths()]


def publish_named(entries: list[dict[str, Any]], *, by: Any = None) -> tuple[list[FormVersion], list[dict[str, Any]]]:
    """A campaign's questionnaires (its `questionnaires:` entries) made ready to fill: the shipped definition of each
    one with no published version is published; a published one keeps its wording. Returns the versions published
    and the entries still with none (no shipped definition under that key, or refused)."""
    keys = [entry["key"] for entry in entries]
    published = set(Form.objects.filter(key__in=keys, versions__isnull=False).values_list("key", flat=True))
    shipped = {path.stem: path for path in shipped_form_paths()}
    made, missing = [], []
    for entry in entries:
        if entry["key"] in published:
            continue
        path = shipped.get(entry["key"])
        parsed = xlsform.read_file(path) if path is not None else None
        if parsed is None or parsed.form_id != entry["key"]:
            missing.append(entry)
            continue
        try:
            made.append(load_form(parsed, parsed.rows, by=by)[0])
        except FormDefinitionError:
            missing.append(entry)
    return made, missing


def unpublished_questionnaires(campaign: Any) -> list[dict[str, Any]]:
    """The campaign's questionnaires with no published version: its visits cannot ask them (the office is told)."""
    entries = campaign.config.get("questionnaires") or []
    if not entries:
        return []
    published = set(Form.objects.filter(key__in=[e["key"] for e in entries], versions__isnull=False)
                    .values_list("key", flat=True))
    return [entry for entry in entries if entry["key"] not in published]


def questionnaires_for(
    campaign: Any, target_kind: str, *, stamp: Any = None,
) -> list[tuple[dict[str, Any], FormVersion]]:
    """The campaign's questionnaires for a target kind (config order), each with its current version (see
    current_versions)."""
    entries = [q for q in campaign.config.get("questionnaires") or [] if target_kind in q.get("target_kinds", [])]
    versions = current_versions([q["key"] for q in entries], stamp=stamp) if entries else {}
    return [(entry, versions[entry["key"]]) for entry in entries if entry["key"] in versions]


# A published version is never changed (a new wording is a new version): its parsed spec is kept per process.
_SPECS: dict[Any, dict[str, Any]] = {}
# Which version is current, per set of form keys and newest version: versions are only ever added (load_form; the
# admin is read only, answers protect them), so while the newest stays the same no form has a newer one. The
# newest is named by its public id, which a rolled-back insert never hands to another row (a reused pk could).
_CURRENT: dict[tuple[tuple[str, ...], Any], dict[str, FormVersion]] = {}


def newest_version_sql() -> str:
    """The newest version's public id as an SQL subquery, for a query the caller makes anyway to pass
    current_versions."""
    table = connection.ops.quote_name(FormVersion._meta.db_table)
    return f"(SELECT f.public_id FROM {table} f ORDER BY f.id DESC LIMIT 1)"  # noqa: S608 - our own table name


def current_versions(keys: list[str], *, stamp: Any = None) -> dict[str, FormVersion]:
    """Each form's latest version by form key; the parsed spec comes from the process's cache. The answer comes from
    the process's cache while no version has been added since it was read: the caller's query may bring the newest
    version as `stamp` (newest_version_sql()), or it is read here by its primary key, a probe of one index entry
    (the visit page, the demo's visits: the anti-join below cost ~3 ms each time). The versions are shared, to read
    only."""
    if stamp is None:
        stamp = FormVersion.objects.order_by("-id").values_list("public_id", flat=True).first()
    key = (tuple(keys), stamp)
    cached = _CURRENT.get(key)
    if cached is not None:
        return dict(cached)
    newer = FormVersion.objects.filter(form=OuterRef("form"), number__gt=OuterRef("number"))
    found = {}
    rows = FormVersion.objects.filter(form__key__in=keys).exclude(Exists(newer)).select_related("form")
    for version in rows.defer("rows", "spec"):
        spec = _SPECS.get(version.public_id)
        if spec is None:
            spec = FormVersion.objects.values_list("spec", flat=True).get(pk=version.pk)
            if len(_SPECS) > 512:
                _SPECS.clear()
            _SPECS[version.public_id] = spec
        version.spec = spec
        found[version.form.key] = version
    if len(_CURRENT) > 512:
        _CURRENT.clear()
    _CURRENT[key] = dict(found)
    return found


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _coerce(question: dict[str, Any], value: Any, choices: dict[str, list[list[str]]]) -> tuple[Any, str]:
    """The stored value and an error ('' when fine) for one answer."""
    kind = question["type"]
    if kind in ("integer", "decimal"):
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):  # float() reads "inf" and "nan", JSON's 1e999 is infinity: no answer to store
            return value, _("应为整数") if kind == "integer" else _("应为数字")
        if kind == "integer":
            if not number.is_integer():
                return value, _("应为整数")
            return int(number), ""
        return number, ""
    if kind == "date":
        try:
            return dt.date.fromisoformat(str(value)).isoformat(), ""
        except ValueError:
            return value, _("应为日期（如 2017-06-15）")
    if kind in ("select_one", "select_multiple"):
        allowed = [option[0] for option in choices.get(question["list"], [])]
        picked = value if isinstance(value, list) else str(value).split()
        if kind == "select_one":
            picked = [str(value)]
        outside = [str(v) for v in picked if str(v) not in allowed]
        if outside:
            labels = "、".join(f"{o[0]}（{o[1]}）" for o in choices.get(question["list"], []))
            return value, _("“%(values)s”不在选项中（可选：%(choices)s）") % {"values": "、".join(outside), "choices": labels}
        return (picked[0] if kind == "select_one" else [str(v) for v in picked]), ""
    return str(value).strip(), ""


def _check_items(
    items: list[dict[str, Any]], given: dict[str, Any], context: dict[str, Any], choices: dict[str, Any],
    prefix: str, errors: dict[str, str], clean: dict[str, Any],
) -> None:
    for node in items:
        if not expressions.evaluate(node.get("relevant"), context):
            continue
        label = f"{prefix}{node['label']}"
        if node["kind"] == "group":
            _check_items(node["children"], given, context, choices, f"{label}·", errors, clean)
            continue
        if node["kind"] == "repeat":
            rows = given.get(node["name"]) or []
            if not isinstance(rows, list):
                errors[node["name"]] = label + _("：应为多行列表")
                continue
            clean_rows = []
            for index, row in enumerate(rows, start=1):
                row_clean: dict[str, Any] = {}
                row = row if isinstance(row, dict) else {}
                _check_items(node["children"], row, {**context, **row}, choices, _("%(label)s第 %(n)s 行·") % {"label": label, "n": index}, errors,
                             row_clean)
                if row_clean:
                    clean_rows.append(row_clean)
            if node["name"] in given:
                clean[node["name"]] = clean_rows
            continue
        if node["type"] == "note":
            continue
        value = given.get(node["name"])
        if _empty(value):
            if node.get("required"):
                errors[node["name"]] = label + _("：必填")
            continue
        stored, problem = _coerce(node, value, choices)
        if not problem and not expressions.evaluate(node.get("constraint"), context, stored):
            problem = node.get("constraint_message") or _("不符合填写要求")
        if problem:
            errors[node["name"]] = f"{label}：{problem}"
        else:
            clean[node["name"]] = stored
            context[node["name"]] = stored


def check_answers(version: FormVersion, given: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(clean answers, {question name: Chinese message}). Answers to irrelevant questions are dropped."""
    return check_spec(version.spec, given)


def check_spec(spec: dict[str, Any], given: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """check_answers for a parsed form that is not stored as a version (a campaign's call script)."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if not isinstance(given, dict):
        return {}, {"": _("%(title)s：答案应为“题目: 答案”的对象") % {"title": spec["title"]}}
    known = {node["name"] for node in xlsform.walk(spec["items"])}
    for name in given:
        if name not in known:
            errors[name] = _("%(title)s：没有题目 %(name)s") % {"title": spec["title"], "name": name}
    _check_items(spec["items"], given, dict(given), spec["choices"], f"{spec['title']}·", errors, clean)
    return clean, errors
