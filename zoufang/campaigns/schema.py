"""The JSON Schema (Draft 2020-12) of a campaign configuration file: its structure only.

Rules that relate one value to another (ranges, dates, references between sections) live in
`checks.py`. Every object forbids unknown keys. A `description` on a schema node is the
Chinese rule shown when a value breaks its `pattern` or `type` (see `errors.py`).
"""

from typing import Any

from django.utils.translation import gettext_noop

from zoufang.campaigns.periods import PACE_PERIODS
from zoufang.registry.models import Cadre, Target, Unit

FORMAT_VERSION = 1

TARGET_KINDS = [kind.value for kind in Target.Kind]
# “群众家庭”: either household kind, when a seed does not tell them apart (seed 002: ≥ 30 户).
HOUSEHOLD = "household"
QUOTA_KINDS = [*TARGET_KINDS, HOUSEHOLD]
CADRE_ROLES = [role.value for role in Cadre.Role]
UNIT_KINDS = [kind.value for kind in Unit.Kind]
SCALES = [scale.value for scale in Target.Scale]
REGION_LEVELS = ["city", "county", "town", "village", "group", "grid"]
LINK_LEVELS = ["village", "group", "grid"]

VISIT_MODES = {
    "in_person": gettext_noop("入户走访（面谈）"),
    "forum": gettext_noop("座谈会"),
    "phone": gettext_noop("电话"),
    "letter": gettext_noop("函访（函询）"),
    "online": gettext_noop("网络"),
    "concentrated": gettext_noop("集中走访"),
}
FREQUENCIES = {
    "week": gettext_noop("每周"),
    "two_weeks": gettext_noop("每两周"),
    "month": gettext_noop("每月"),
    "quarter": gettext_noop("每季"),
    "half_year": gettext_noop("每半年"),
    "year": gettext_noop("每年"),
    "periodic": gettext_noop("定期"),
    "as_needed": gettext_noop("不定期（随时）"),
    "ongoing": gettext_noop("全过程"),
}
# The assessment's indicators (docs/assessment.md gives each one's formula); a campaign weighs those it uses.
ASSESSMENT_WEIGHTS = {
    "quota_completion": gettext_noop("走访任务完成（不少于分配数量）"),
    "pace": gettext_noop("月度走访进度达标"),
    "registration_timeliness": gettext_noop("问题意见按时登记"),
    "handled_on_time": gettext_noop("问题按时办结"),
    "resolution": gettext_noop("问题解决"),
    "response": gettext_noop("问题答复回应"),
    "satisfaction": gettext_noop("群众满意"),
    "callback": gettext_noop("第三方回访抽查查实问题"),
    # What it counts: the 走访真实性提示 the office upheld (zoufang/integrity), not 廉洁纪律 (decision 0068).
    "integrity": gettext_noop("走访真实性问题查实"),
}
# Indicators scored by points off per upheld finding (the others are rates out of 100).
ASSESSMENT_DEDUCTIONS = ("callback", "integrity")
BODY_KINDS = {
    "leading_group": gettext_noop("领导小组"),
    "office": gettext_noop("办公室"),
    "working_group": gettext_noop("专项工作组"),
    "lead_unit": gettext_noop("牵头单位"),
}
LINK_SCOPES = {
    "linked_village": gettext_noop("挂钩（蹲点）联系的村（社区）内"),
    "town": gettext_noop("全镇"),
}

KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
RANGE_PATTERN = r"^\s*[0-9]+\s*[-–～~]\s*[0-9]+\s*$"
SHARE_PATTERN = r"^\s*[0-9]+\s*/\s*[0-9]+\s*$"
PACE_SHARE_PATTERN = r"^\s*([0-9]+\s*/\s*[0-9]+|[0-9]+\s*%)\s*$"
CATEGORY_CODE_PATTERN = r"^[1-9][0-9]*$"
ITEM_CODE_PATTERN = r"^[1-9][0-9]*\.[1-9][0-9]*$"


def _object(properties: dict[str, Any], required: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
        **extra,
    }


def _list(items: dict[str, Any], min_items: int = 1, **extra: Any) -> dict[str, Any]:
    return {"type": "array", "items": items, "minItems": min_items, **extra}


def _enum(values: list[str] | dict[str, str]) -> dict[str, Any]:
    return {"enum": list(values)}


TEXT: dict[str, Any] = {"type": "string", "minLength": 1}
TEXTS = _list(TEXT)
BOOLEAN: dict[str, Any] = {"type": "boolean"}
COUNT: dict[str, Any] = {"type": "integer", "minimum": 0}
KEY: dict[str, Any] = {
    "type": "string", "pattern": KEY_PATTERN,
    "description": gettext_noop("应以小写英文字母开头，只含小写字母、数字和下划线，如 town_leader"),
}
DATE: dict[str, Any] = {
    "type": "string", "pattern": DATE_PATTERN,
    "description": gettext_noop("应为“年-月-日”格式的日期，如 2017-09-30"),
}
TARGET_KIND_LIST = _list(_enum(TARGET_KINDS), uniqueItems=True)
PERSON_NAMES = _list(TEXT, uniqueItems=True)

# A count or a range: 3, "1～2" / "8-9", {min: 1, max: 2}, {min: 30}.
COUNT_OR_RANGE: dict[str, Any] = {
    "type": ["integer", "string", "object"],
    "minimum": 0,
    "pattern": RANGE_PATTERN,
    "properties": {"min": COUNT, "max": COUNT},
    "additionalProperties": False,
    "minProperties": 1,
    "description": gettext_noop("应为整数（如 3）、范围文本（如 8-9 或 1～2）或 {min: 最小值, max: 最大值}"),
}

QUOTA_OBJECT = _object(
    {
        "count": COUNT,
        "min": COUNT,
        "max": COUNT,
        "is_key": BOOLEAN,
        "scale": _enum(SCALES),
        "label": TEXT,
        "note": TEXT,
    }
)
# One target kind's quota: a count, a range, one object, or a list of objects each with a filter
# (seed 002: 3 家区镇重点企业 + 3 家中小企业 are two enterprise quotas).
QUOTA: dict[str, Any] = {
    "type": ["integer", "string", "object", "array"],
    "minimum": 0,
    "pattern": RANGE_PATTERN,
    "properties": QUOTA_OBJECT["properties"],
    "additionalProperties": False,
    "items": QUOTA_OBJECT,
    "minItems": 1,
    "description": gettext_noop(
        "应为整数（如 5）、范围文本（如 8-9）、{count|min|max, is_key, scale, label} 或这样的列表"
    ),
}
QUOTA_BY_KIND = _object({kind: QUOTA for kind in QUOTA_KINDS}, minProperties=1)

LINKED_REGIONS = _object(
    {
        "per": _enum(["person", "unit"]),
        "level": _enum(LINK_LEVELS),
        "count": COUNT_OR_RANGE,
        "within": _enum(LINK_SCOPES),
        "focus": TEXTS,
        "note": TEXT,
    },
    required=("per", "level"),
)

ROLE_QUOTA = _object(
    {
        "per_person": QUOTA_BY_KIND,
        "per_unit": QUOTA_BY_KIND,
        "linked_regions": LINKED_REGIONS,
        "remainder": {
            "type": ["boolean", "array"], "items": _enum(TARGET_KINDS), "minItems": 1, "uniqueItems": True,
            "description": gettext_noop("应为 true（兜底全部对象类型）或对象类型列表"),
        },
        # Seed 002 §四4: 名士 “由镇党委宣统口牵头”: the role's unit takes every target of these kinds as one
        # block and places its own people.
        "leads": TARGET_KIND_LIST,
        "note": TEXT,
    },
    minProperties=1,
)

ROLE = _object(
    {
        "name": TEXT,
        "cadre_role": _enum(CADRE_ROLES),
        "unit_kind": _enum(UNIT_KINDS),
        "units": PERSON_NAMES,  # named units, when the role is one office (镇党委宣统口) rather than a kind
        "description": TEXT,
        "duties": TEXTS,
    },
    required=("name", "cadre_role"),
)

SCOPE_REGION = _object(
    {"name": TEXT, "level": _enum(REGION_LEVELS), "code": {"type": "string", "pattern": r"^[0-9]{6,12}$",
                                                          "description": gettext_noop("区划代码应为6至12位数字")}},
    required=("name", "level"),
)

PHASE = _object(
    {"key": KEY, "name": TEXT, "starts_on": DATE, "ends_on": DATE, "description": TEXT},
    required=("key", "name", "starts_on"),
)

CATEGORY_ITEM_OBJECT = _object(
    {
        "code": {"type": "string", "pattern": ITEM_CODE_PATTERN,
                 "description": gettext_noop("子项编号应为“类别编号.序号”，如 \"1.3\"")},
        "title": TEXT,
        "derived": BOOLEAN,
        "note": TEXT,
    },
    required=("title",),
)
CATEGORY_ITEM: dict[str, Any] = {
    "type": ["string", "object"],
    "minLength": 1,
    **{key: CATEGORY_ITEM_OBJECT[key] for key in ("properties", "required", "additionalProperties")},
    "description": gettext_noop("子项应为原文文本，或 {code, title, derived, note}"),
}
CASE_CATEGORY = _object(
    {
        "code": {"type": "string", "pattern": CATEGORY_CODE_PATTERN,
                 "description": gettext_noop("类别编号应为加引号的正整数，如 \"1\"")},
        "heading": TEXT,
        "title": TEXT,
        "goal": TEXT,
        "derived": BOOLEAN,
        "items": _list(CATEGORY_ITEM),
        "note": TEXT,
    },
    required=("code", "title", "items"),
)

QUESTIONNAIRE = _object(
    {
        "key": KEY,
        "name": TEXT,
        "attachment": TEXT,
        "target_kinds": TARGET_KIND_LIST,
        "one_per": _enum(["target", "village"]),
        "ratings": _list(TEXT, uniqueItems=True),
        "note": TEXT,
    },
    required=("key", "name", "target_kinds"),
)

MODE_LIST = _list(_enum(VISIT_MODES), uniqueItems=True)
VISIT_MODE_RULE = _object(
    {
        "target_kinds": TARGET_KIND_LIST,
        "roles": _list(KEY, uniqueItems=True),
        "is_key": BOOLEAN,
        "scale": _enum(SCALES),
        "modes": MODE_LIST,
        "note": TEXT,
    },
    required=("modes",),
)

# A share of the assigned total: "1/5", "30%" or 0.2, in (0, 1] (checks.py refuses "6/5").
PACE_SHARE: dict[str, Any] = {
    "type": ["number", "string"], "exclusiveMinimum": 0, "maximum": 1, "pattern": PACE_SHARE_PATTERN,
    "description": gettext_noop("应为分数文本（如 1/5）、百分数（如 30%）或 0 到 1 之间的小数（如 0.2）"),
}
MILESTONE = _object({"by": DATE, "share": PACE_SHARE, "note": TEXT}, required=("by", "share"))
# What one pace rule can say: a share per period (`monthly_min_share` is `every: month` + `min_share`), cumulative
# milestones, a completion date; for the kinds it names. `pace` itself is one, or holds one per kind in `rules`.
PACE_FORM: dict[str, Any] = {
    "monthly_min_share": PACE_SHARE,
    "every": _enum(PACE_PERIODS),
    "min_share": PACE_SHARE,
    "milestones": _list(MILESTONE),
    "target_kinds": TARGET_KIND_LIST,
    "starts_on": DATE,
    "complete_by": DATE,
    "note": TEXT,
}
PACE = _object(
    {**PACE_FORM, "rules": _list(_object(PACE_FORM, required=("target_kinds",)))},
    required=("complete_by",),
)

WORKING_DAYS: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": 120}
# Optional, added by the cases issue: how many working days a unit has to handle a case.
HANDLING_DEADLINES = _object(
    {
        "default": WORKING_DAYS,
        "priorities": _object({"normal": WORKING_DAYS, "important": WORKING_DAYS, "urgent": WORKING_DAYS}),
        "categories": {
            "type": "object",
            "propertyNames": {"pattern": r"^[0-9]+(\.[0-9]+)*$"},
            "additionalProperties": WORKING_DAYS,
        },
        "note": TEXT,
    }
)
CASE_HANDLING = _object(
    {
        "report_to": TEXT,
        "platform": TEXT,
        "escalation": TEXTS,
        "weekly_lists": BOOLEAN,
        "handling_deadlines": HANDLING_DEADLINES,
        "note": TEXT,
    }
)

POINTS: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": 100}
ASSESSMENT = _object(
    {
        "basis": TEXT,
        "weights": _object({key: {"type": "integer", "minimum": 0, "maximum": 100} for key in ASSESSMENT_WEIGHTS},
                           minProperties=1),
        # Points off an indicator's 100 per finding upheld against the cadre, unit or village.
        "deductions": _object({key: POINTS for key in ASSESSMENT_DEDUCTIONS}, minProperties=1),
        "callback": _object({"by": TEXT, "note": TEXT}, required=("by",)),
        "note": TEXT,
    },
    required=("weights",),
)

MECHANISM = _object(
    {"key": KEY, "name": TEXT, "every": _enum(FREQUENCIES), "description": TEXT},
    required=("key", "name", "every"),
)

BODY = _object(
    {
        "key": KEY,
        "kind": _enum(BODY_KINDS),
        "name": TEXT,
        "posts": _list(_object({"title": TEXT, "people": PERSON_NAMES}, required=("title", "people"))),
        "duties": TEXT,
        "target_kinds": TARGET_KIND_LIST,
    },
    required=("key", "kind", "name"),
)

SHARE: dict[str, Any] = {
    "type": ["number", "string"], "minimum": 0, "maximum": 1, "pattern": SHARE_PATTERN,
    "description": gettext_noop("应为分数文本（如 1/20）或 0 到 1 之间的小数（如 0.05）"),
}
XLSFORM_ROWS = _list({"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}})
# Optional, added by the callbacks issue (seed 000 §三(三) 第三方回访抽查): how much to sample, the attempt rule,
# and the call script in XLSForm columns (zoufang/forms). The script's question names the code reads are in
# zoufang/callbacks/script.py.
CALLBACKS = _object(
    {
        "by": TEXT,
        "rate": SHARE,
        "flagged_share": SHARE,
        "attempts": _object({"unreachable_after": {"type": "integer", "minimum": 1, "maximum": 10},
                             "different_days": BOOLEAN}, required=("unreachable_after",)),
        "script": _object({"title": TEXT, "survey": XLSFORM_ROWS, "choices": XLSFORM_ROWS},
                          required=("title", "survey", "choices")),
        "note": TEXT,
    },
    required=("rate", "attempts", "script"),
)

# Optional, added by the integrity issue: the thresholds of the integrity flags (zoufang/integrity/config.py
# holds the defaults used for a key left out; docs/integrity.md explains each).
_HOURS: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": 23}
_POSITIVE: dict[str, Any] = {"type": "integer", "minimum": 1}
_SHARE: dict[str, Any] = {"type": "number", "exclusiveMinimum": 0, "maximum": 1}
INTEGRITY = _object(
    {
        "pace": _object({"max_home_visits_per_hour": _POSITIVE, "min_minutes_between_home_visits": COUNT,
                         "max_travel_speed_kmh": _POSITIVE, "min_distance_m": _POSITIVE}),
        "distance": _object({"near_m": _POSITIVE, "far_m": _POSITIVE, "village_position_far_m": _POSITIVE,
                             "max_lag_minutes": _POSITIVE}),
        "late_bulk": _object({"late_hours": _POSITIVE, "batch_size": {"type": "integer", "minimum": 2},
                              "batch_window_minutes": _POSITIVE, "min_days": _POSITIVE}),
        "night": _object({"from_hour": _HOURS, "to_hour": _HOURS}),
        "copied_text": _object({"shingle_chars": {"type": "integer", "minimum": 1, "maximum": 8},
                                "similarity": _SHARE, "min_chars": _POSITIVE, "min_visits": {"type": "integer",
                                                                                               "minimum": 2},
                                "min_share": _SHARE}),
        "straight_lining": _object({"min_visits": {"type": "integer", "minimum": 2}, "min_questions": _POSITIVE,
                                    "share": _SHARE}),
        "note": TEXT,
    }
)

# 全覆盖要求 (seed 000 §二(一) “四个全覆盖”): what must be covered entirely, each requirement one of three kinds —
# every village linked (villages_linked), every target of a selection assigned and visited (targets), or arranged
# outside the campaign (arranged_outside: the page says who arranges it). docs/campaign-format.md.
VILLAGE_LINKS = {
    "town_leader": gettext_noop("挂钩镇领导"),
    "unit": gettext_noop("挂钩单位"),
}
COVERAGE_SELECTION = _object(
    {"target_kinds": TARGET_KIND_LIST, "hardship": {"const": True}, "scale": _enum(SCALES),
     "is_key": {"const": True}, "label": TEXT},
    required=("target_kinds",),
)
COVERAGE_REQUIREMENT = _object(
    {
        "key": KEY,
        "name": TEXT,
        "villages_linked": _list(_enum(VILLAGE_LINKS), uniqueItems=True),
        "targets": _list(COVERAGE_SELECTION),
        "named_cadre": BOOLEAN,
        "arranged_outside": TEXT,
        "note": TEXT,
    },
    required=("key", "name"),
)

CAMPAIGN_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    **_object(
        {
            "format_version": {"const": FORMAT_VERSION},
            "slug": {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 60,
                     "description": gettext_noop("代号只能含小写英文字母、数字和连字符，如 jinxi-2017")},
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "source": _object(
                {"title": TEXT, "issued_by": TEXT, "document_number": TEXT, "basis": TEXT, "attachment": TEXT},
                required=("title",),
            ),
            "goals": TEXT,
            "principles": TEXTS,
            "scope": _list(SCOPE_REGION),
            "period": _object({"starts_on": DATE, "ends_on": DATE}, required=("starts_on", "ends_on")),
            "phases": _list(PHASE),
            "target_kinds": TARGET_KIND_LIST,
            "roles": {"type": "object", "minProperties": 1, "propertyNames": KEY, "additionalProperties": ROLE},
            "quotas": {"type": "object", "minProperties": 1, "propertyNames": KEY, "additionalProperties": ROLE_QUOTA},
            "pace": PACE,
            "registration_deadline_working_days": {"type": "integer", "minimum": 1, "maximum": 30},
            "case_handling": CASE_HANDLING,
            "case_categories": _list(CASE_CATEGORY),
            "questionnaires": _list(QUESTIONNAIRE),
            "contact_card": _object({"name": TEXT, "attachment": TEXT, "hotline": TEXT, "note": TEXT},
                                    required=("name",)),
            "visit_modes": _object({"default": MODE_LIST, "rules": _list(VISIT_MODE_RULE)}, required=("default",)),
            "visits": _object({"allow_unassigned": BOOLEAN}),
            "cadre_interviews": _object({"levels_apart": {"type": "integer", "minimum": 1, "maximum": 3},
                                         "pairs": TEXTS, "note": TEXT}, required=("levels_apart",)),
            "assessment": ASSESSMENT,
            "mechanisms": _list(MECHANISM),
            "organisation": _object({"note": TEXT, "bodies": _list(BODY)}, required=("bodies",)),
            "callbacks": CALLBACKS,
            "integrity": INTEGRITY,
            "full_coverage": _list(COVERAGE_REQUIREMENT),
            # 工作总结 / 总结材料 the units hand in to the office (seed 000 三（二）, seed 002 五3; decision 0071).
            # remind_days: the units owing one are reminded that many working days before the due date (decision 0073).
            "summaries": _object({"due": DATE, "label": TEXT, "note": TEXT,
                                  "remind_days": {"type": "integer", "minimum": 0, "maximum": 20}},
                                 required=("due", "label")),
        },
        required=(
            "format_version", "slug", "name", "scope", "period", "phases", "target_kinds", "roles", "quotas",
            "pace", "registration_deadline_working_days", "case_categories", "questionnaires", "assessment",
        ),
    ),
}
