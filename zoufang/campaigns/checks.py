"""The rules between values that a JSON Schema cannot say: ranges, dates, references, sums.

Each check takes a configuration whose sections it reads have passed the schema, and returns
ConfigErrors; `check_semantics` skips the checks of sections the schema already refused.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from zoufang.campaigns.errors import ConfigError, Path
from zoufang.campaigns.periods import PACE_PERIODS, PERIOD_NOUNS, periods_ended
from zoufang.campaigns.schema import ASSESSMENT_DEDUCTIONS, HOUSEHOLD, REGION_LEVELS
from zoufang.campaigns.values import count_bounds, parse_date, parse_share, period_share, share_text
from zoufang.registry.models import Target

Config = dict[str, Any]
HOUSEHOLD_KINDS = {str(kind) for kind in Target.HOUSEHOLD_KINDS}
KEYED_KINDS = {"enterprise", "project"}  # kinds that can be 重点 (is_key)
SCALED_KINDS = {"enterprise"}  # kinds with a 规模 (scale)


def check_semantics(config: Config, broken: Iterable[str] = ()) -> list[ConfigError]:
    """Run every check whose sections are sound; `broken` names the top-level keys with schema errors."""
    skip = set(broken)
    checks: list[tuple[set[str], Callable[[Config], Iterable[ConfigError]]]] = [
        ({"period", "phases", "pace"}, check_dates),
        ({"scope"}, check_scope),
        ({"period", "phases", "pace"}, check_phases),
        ({"roles", "quotas", "target_kinds"}, check_quotas),
        ({"period", "phases", "pace", "target_kinds"}, check_pace),
        ({"case_categories"}, check_case_categories),
        ({"questionnaires", "target_kinds"}, check_questionnaires),
        ({"visit_modes", "roles", "target_kinds"}, check_visit_modes),
        ({"assessment"}, check_assessment),
        ({"phases", "questionnaires", "mechanisms", "organisation"}, check_unique_keys),
        ({"organisation", "target_kinds"}, check_organisation),
        ({"callbacks"}, check_callbacks),
        ({"full_coverage", "target_kinds"}, check_full_coverage),
        ({"period", "summaries"}, check_summaries),
    ]
    return [error for sections, check in checks if not sections & skip for error in check(config)]


def _dates(config: Config) -> Iterator[tuple[Path, Any]]:
    for key in ("starts_on", "ends_on"):
        yield ("period", key), config["period"][key]
    for index, phase in enumerate(config["phases"]):
        for key in ("starts_on", "ends_on"):
            if key in phase:
                yield ("phases", index, key), phase[key]
    for base, rule in pace_rules(config["pace"]):
        for key in ("starts_on", "complete_by"):
            if key in rule:
                yield (*base, key), rule[key]
        for index, milestone in enumerate(rule.get("milestones", [])):
            yield (*base, "milestones", index, "by"), milestone["by"]


def pace_rules(pace: Config) -> Iterator[tuple[Path, Config]]:
    """The pace block and each of its rules per kind (`pace.rules`), with their key paths."""
    yield ("pace",), pace
    for index, rule in enumerate(pace.get("rules", [])):
        yield ("pace", "rules", index), rule


def check_dates(config: Config) -> Iterator[ConfigError]:
    for path, value in _dates(config):
        if parse_date(value) is None:
            yield ConfigError.at(path, _("“%(value)s”不是有效的日期") % {"value": value})


def _date(value: Any) -> dt.date:
    # Only called once check_dates found nothing; a bad date compares as "no rule broken".
    return parse_date(value) or dt.date.min


def _outside_period(config: Config, value: Any) -> str | None:
    """The rule broken when the date lies outside the campaign period, else None."""
    starts, ends = _date(config["period"]["starts_on"]), _date(config["period"]["ends_on"])
    if starts <= _date(value) <= ends:
        return None
    return _("日期 %(date)s 不在活动期间 %(starts)s 至 %(ends)s 之内") % {
        "date": value, "starts": starts, "ends": ends}


def check_scope(config: Config) -> Iterator[ConfigError]:
    scope = config["scope"]
    for index in range(1, len(scope)):
        upper, lower = scope[index - 1]["level"], scope[index]["level"]
        if REGION_LEVELS.index(lower) <= REGION_LEVELS.index(upper):
            yield ConfigError.at(("scope", index, "level"), _(
                "层级 %(lower)s 不能在 %(upper)s 之下（应从上级到下级排列，如 city → county → town）"
            ) % {"lower": lower, "upper": upper})


def check_phases(config: Config) -> Iterator[ConfigError]:
    if any(True for _path, value in _dates(config) if parse_date(value) is None):
        return
    period = config["period"]
    if _date(period["ends_on"]) < _date(period["starts_on"]):
        yield ConfigError.at(("period", "ends_on"), _("结束日期 %(ends)s 早于开始日期 %(starts)s") % {
            "ends": period["ends_on"], "starts": period["starts_on"]})
        return
    for index, phase in enumerate(config["phases"]):
        starts, ends = phase["starts_on"], phase.get("ends_on")
        if ends is not None and _date(ends) < _date(starts):
            yield ConfigError.at(("phases", index, "ends_on"), _(
                "阶段“%(name)s”的结束日期 %(ends)s 早于开始日期 %(starts)s") % {
                "name": phase["name"], "ends": ends, "starts": starts})
            continue
        for key in ("starts_on", "ends_on"):
            rule = _outside_period(config, phase[key]) if key in phase else None
            if rule:
                yield ConfigError.at(("phases", index, key), _("阶段“%(name)s”的%(rule)s") % {
                    "name": phase["name"], "rule": rule})


def _kind_in_campaign(config: Config, kind: str) -> bool:
    kinds = set(config["target_kinds"])
    return bool(kinds & HOUSEHOLD_KINDS) if kind == HOUSEHOLD else kind in kinds


def _kinds_not_in_campaign(config: Config, path: Path, kinds: Iterable[str]) -> Iterator[ConfigError]:
    for kind in kinds:
        if not _kind_in_campaign(config, kind):
            yield ConfigError.at(path, _("对象类型 %(kind)s 不在本活动的 target_kinds 中") % {"kind": kind})


def _check_range(path: Path, value: Any) -> Iterator[ConfigError]:
    if isinstance(value, dict) and "count" in value and ("min" in value or "max" in value):
        yield ConfigError.at(path, _("count 不能与 min、max 同时使用"))
        return
    if isinstance(value, dict) and not {"count", "min", "max"} & set(value):
        yield ConfigError.at(path, _("应给出 count，或 min、max 中至少一个"))
        return
    low, high = count_bounds(value)
    if high is not None and low > high:
        yield ConfigError.at(path, _("最小值 %(min)s 大于最大值 %(max)s") % {"min": low, "max": high})


def _check_filters(path: Path, kind: str, quota: dict[str, Any]) -> Iterator[ConfigError]:
    if "is_key" in quota and kind not in KEYED_KINDS:
        yield ConfigError.at((*path, "is_key"), _("is_key（重点）只适用于 enterprise、project"))
    if "scale" in quota and kind not in SCALED_KINDS:
        yield ConfigError.at((*path, "scale"), _("scale（企业规模）只适用于 enterprise"))


def check_quotas(config: Config) -> Iterator[ConfigError]:
    roles = config["roles"]
    remainder_owner: dict[str, str] = {}
    # `remainder: true` is everything no role leads.
    led = {kind for rules in config["quotas"].values() for kind in rules.get("leads", [])}
    for role, rules in config["quotas"].items():
        base: Path = ("quotas", role)
        if role not in roles:
            yield ConfigError.at(base, _("角色 %(role)s 未在 roles 中定义（已定义：%(defined)s）") % {
                "role": role, "defined": "、".join(roles)})
        for per in ("per_person", "per_unit"):
            for kind, quota in rules.get(per, {}).items():
                yield from _kinds_not_in_campaign(config, (*base, per, kind), [kind])
                items = quota if isinstance(quota, list) else [quota]
                for index, item in enumerate(items):
                    path: Path = (*base, per, kind, index) if isinstance(quota, list) else (*base, per, kind)
                    yield from _check_range(path, item)
                    if isinstance(item, dict):
                        yield from _check_filters(path, kind, item)
        if "count" in rules.get("linked_regions", {}):
            yield from _check_range((*base, "linked_regions", "count"), rules["linked_regions"]["count"])
        leads = rules.get("leads", [])
        yield from _kinds_not_in_campaign(config, (*base, "leads"), leads)
        if leads and not (roles.get(role) or {}).get("units"):
            yield ConfigError.at((*base, "leads"), _("牵头走访的角色 %(role)s 应在 roles 中用 units 写明牵头单位")
                                 % {"role": role})
        yield from _one_owner((*base, "leads"), role, leads, remainder_owner)
        remainder = rules.get("remainder", False)
        kinds = [k for k in config["target_kinds"] if k not in led] if remainder is True else (remainder or [])
        yield from _kinds_not_in_campaign(config, (*base, "remainder"), [] if remainder is True else kinds)
        yield from _one_owner((*base, "remainder"), role, kinds, remainder_owner)


def _one_owner(path: Path, role: str, kinds: list[str], owner: dict[str, str]) -> Iterator[ConfigError]:
    """Each target kind has at most one role that leads it or takes what is left of it (兜底)."""
    for kind in kinds:
        if kind in owner:
            yield ConfigError.at(path, _("对象类型 %(kind)s 已由角色 %(owner)s 兜底，每类对象只能有一个兜底角色")
                                 % {"kind": kind, "owner": owner[kind]})
        owner.setdefault(kind, role)


def check_pace(config: Config) -> Iterator[ConfigError]:
    """Each pace rule says one share per period and milestones that only go up, inside its dates; with rules per
    kind, each kind has one rule and no rule ends after `pace.complete_by`."""
    pace = config["pace"]
    rules = pace.get("rules", [])
    if rules:
        for key in ("target_kinds", "monthly_min_share", "every", "min_share", "milestones"):
            if key in pace:
                yield ConfigError.at(("pace", key), _(
                    "已用 rules 按对象类型分别规定进度，%(key)s 应写在各条规则中") % {"key": key})
        first: dict[str, int] = {}
        for index, rule in enumerate(rules):
            for kind in rule["target_kinds"]:
                if kind in first:
                    yield ConfigError.at(("pace", "rules", index, "target_kinds"), _(
                        "对象类型 %(kind)s 已在 pace.rules[%(first)s] 中规定进度，每类对象只能有一条进度规则") % {
                        "kind": kind, "first": first[kind] + 1})
                first.setdefault(kind, index)
    dates_sound = not any(parse_date(value) is None for _path, value in _dates(config))
    for base, rule in pace_rules(pace):
        yield from _check_pace_rule(config, base, rule, dates_sound=dates_sound)


def _check_pace_rule(config: Config, base: Path, rule: Config, *, dates_sound: bool) -> Iterator[ConfigError]:
    pace = config["pace"]
    share_key = "monthly_min_share" if "monthly_min_share" in rule else "min_share"
    if "monthly_min_share" in rule and {"every", "min_share"} & set(rule):
        yield ConfigError.at((*base, "monthly_min_share"), _(
            "monthly_min_share 不能与 every、min_share 同时使用（每月的比例也可写作 every: month 和 min_share）"))
    elif "every" in rule and "min_share" not in rule:
        yield ConfigError.at((*base, "every"), _("写了 every（每期）应同时写 min_share（每期最低比例）"))
    elif "min_share" in rule and "every" not in rule:
        yield ConfigError.at((*base, "min_share"), _("写了 min_share 应同时写 every（week、two_weeks、month、quarter）"))
    every, written = period_share(rule)
    share = _share(written) if share_key in rule else None
    if share_key in rule and share is None:
        yield ConfigError.at((*base, share_key), _("%(every)s最低比例 %(value)s 应大于 0 且不超过 1") % {
            "every": _(PACE_PERIODS[every]), "value": written})
    yield from _kinds_not_in_campaign(config, (*base, "target_kinds"), rule.get("target_kinds", []))
    milestones = rule.get("milestones", [])
    for index, milestone in enumerate(milestones):
        if _share(milestone["share"]) is None:
            yield ConfigError.at((*base, "milestones", index, "share"), _(
                "累计比例 %(value)s 应大于 0 且不超过 1") % {"value": milestone["share"]})
    if not dates_sound:
        return
    starts = _date(rule.get("starts_on") or pace.get("starts_on") or config["period"]["starts_on"])
    due = _date(rule.get("complete_by") or pace["complete_by"])
    for key in ("starts_on", "complete_by"):
        outside = _outside_period(config, rule[key]) if key in rule else None
        if outside:
            yield ConfigError.at((*base, key), outside)
    if ("starts_on" in rule or (base != ("pace",) and "complete_by" in rule)) and due < starts:
        yield ConfigError.at((*base, "complete_by"), _("完成日期 %(due)s 早于进度起算日期 %(starts)s") % {
            "due": due, "starts": starts})
        return
    if base != ("pace",) and due > _date(pace["complete_by"]):
        yield ConfigError.at((*base, "complete_by"), _(
            "完成日期 %(due)s 晚于 pace.complete_by 的 %(all)s（全部走访的完成日期）") % {
            "due": due, "all": pace["complete_by"]})
    yield from _check_milestones(base, milestones, starts, due)
    if share is not None:
        yield from _check_reachable((*base, share_key), every, written, share, starts, due)


def _share(value: Any) -> Fraction | None:
    """The share, when it is in (0, 1]."""
    share = parse_share(value)
    return share if share is not None and 0 < share <= 1 else None


def _check_milestones(base: Path, milestones: list[Config], starts: dt.date, due: dt.date) -> Iterator[ConfigError]:
    """Milestones lie between the rule's start and its completion date, in order, and their shares never go down."""
    previous: Config | None = None
    for index, milestone in enumerate(milestones):
        path: Path = (*base, "milestones", index)
        day = _date(milestone["by"])
        if day < starts:
            yield ConfigError.at((*path, "by"), _("节点日期 %(date)s 早于进度起算日期 %(starts)s") % {
                "date": milestone["by"], "starts": starts})
        elif day > due:
            yield ConfigError.at((*path, "by"), _("节点日期 %(date)s 晚于完成日期 %(due)s") % {
                "date": milestone["by"], "due": due})
        if previous is not None:
            if day <= _date(previous["by"]):
                yield ConfigError.at((*path, "by"), _("节点日期 %(date)s 应晚于上一节点的 %(previous)s（按时间先后排列）")
                                     % {"date": milestone["by"], "previous": previous["by"]})
            share, before = _share(milestone["share"]), _share(previous["share"])
            if share is not None and before is not None and share < before:
                yield ConfigError.at((*path, "share"), _(
                    "累计比例 %(value)s 低于上一节点（%(date)s）的 %(previous)s：累计完成的比例不能下降") % {
                    "value": milestone["share"], "date": previous["by"], "previous": previous["share"]})
        previous = milestone


def _check_reachable(path: Path, every: str, written: Any, share: Fraction, starts: dt.date,
                     due: dt.date) -> Iterator[ConfigError]:
    """A share per period applies to the periods that end by the completion date: there must be one. Shares that
    add up to more than everything over those periods (1/5 a month over seven months) are accepted: towns write
    them so, and what is due is capped at the whole (oversight.pace.pace_due; decision 0021)."""
    if periods_ended(every, starts, due) == 0:
        yield ConfigError.at(path, _(
            "自 %(starts)s 至完成日期 %(due)s 没有一个完整的%(noun)s结束，“%(every)s不少于 %(share)s”无从计算") % {
            "every": _(PACE_PERIODS[every]), "share": share_text(written), "starts": starts, "due": due,
            "noun": _(PERIOD_NOUNS[every])})


def check_case_categories(config: Config) -> Iterator[ConfigError]:
    seen: dict[str, int] = {}
    for index, category in enumerate(config["case_categories"]):
        code = category["code"]
        if code in seen:
            yield ConfigError.at(("case_categories", index, "code"), _(
                "类别编号“%(code)s”重复（case_categories[%(first)s] 已使用）") % {"code": code, "first": seen[code] + 1})
        seen.setdefault(code, index)
        item_codes: set[str] = set()
        titles: set[str] = set()
        for position, item in enumerate(category["items"]):
            path: Path = ("case_categories", index, "items", position)
            item_code = item_code_of(code, position, item)
            title = item if isinstance(item, str) else item["title"]
            if not item_code.startswith(f"{code}."):
                yield ConfigError.at((*path, "code"), _("子项编号“%(item)s”应以所属类别编号“%(code)s.”开头") % {
                    "item": item_code, "code": code})
            elif item_code in item_codes:
                yield ConfigError.at(path, _("子项编号“%(item)s”重复") % {"item": item_code})
            if title in titles:
                yield ConfigError.at(path, _("子项内容重复：%(title)s") % {"title": title[:30]})
            item_codes.add(item_code)
            titles.add(title)


def item_code_of(category_code: str, position: int, item: str | dict[str, Any]) -> str:
    """A sub-item's code: its own, or "类别编号.序号" by position, as the seed numbers them."""
    if isinstance(item, dict) and "code" in item:
        return str(item["code"])
    return f"{category_code}.{position + 1}"


def check_questionnaires(config: Config) -> Iterator[ConfigError]:
    for index, questionnaire in enumerate(config["questionnaires"]):
        yield from _kinds_not_in_campaign(config, ("questionnaires", index, "target_kinds"),
                                          questionnaire["target_kinds"])


def check_visit_modes(config: Config) -> Iterator[ConfigError]:
    for index, rule in enumerate(config.get("visit_modes", {}).get("rules", [])):
        path: Path = ("visit_modes", "rules", index)
        if not {"target_kinds", "roles", "is_key", "scale"} & set(rule):
            yield ConfigError.at(path, _("规则至少要指定 target_kinds、roles、is_key、scale 之一"))
        yield from _kinds_not_in_campaign(config, (*path, "target_kinds"), rule.get("target_kinds", []))
        for role in rule.get("roles", []):
            if role not in config["roles"]:
                yield ConfigError.at((*path, "roles"), _("角色 %(role)s 未在 roles 中定义") % {"role": role})
        for kind in rule.get("target_kinds", []):
            yield from _check_filters(path, kind, rule)


def check_assessment(config: Config) -> Iterator[ConfigError]:
    """Weights add up to 100; an indicator scored by deductions has its points per finding, and only such one."""
    assessment = config["assessment"]
    weights = assessment["weights"]
    total = sum(weights.values())
    if total != 100:
        yield ConfigError.at(("assessment", "weights"), _("各项权重之和应为 100，现为 %(total)s") % {"total": total})
    deductions = assessment.get("deductions", {})
    for key in ASSESSMENT_DEDUCTIONS:
        if weights.get(key) and key not in deductions:
            yield ConfigError.at(("assessment", "deductions", key),
                                 _("指标 %(key)s 计入权重，应写明每查实一件扣几分") % {"key": key})
        if key in deductions and key not in weights:
            yield ConfigError.at(("assessment", "deductions", key),
                                 _("指标 %(key)s 未在 weights 中设定权重") % {"key": key})


def check_unique_keys(config: Config) -> Iterator[ConfigError]:
    sections: list[tuple[Path, list[dict[str, Any]]]] = [
        (("phases",), config["phases"]),
        (("questionnaires",), config["questionnaires"]),
        (("mechanisms",), config.get("mechanisms", [])),
        (("organisation", "bodies"), config.get("organisation", {}).get("bodies", [])),
    ]
    for path, entries in sections:
        first: dict[str, int] = {}
        for index, entry in enumerate(entries):
            key = entry["key"]
            if key in first:
                yield ConfigError.at((*path, index, "key"), _("代号“%(key)s”重复（第 %(first)s 项已使用）") % {
                    "key": key, "first": first[key] + 1})
            first.setdefault(key, index)


def check_organisation(config: Config) -> Iterator[ConfigError]:
    for index, body in enumerate(config.get("organisation", {}).get("bodies", [])):
        path: Path = ("organisation", "bodies", index)
        yield from _kinds_not_in_campaign(config, (*path, "target_kinds"), body.get("target_kinds", []))
        for post_index, post in enumerate(body.get("posts", [])):
            for person_index, person in enumerate(post["people"]):
                if "".join(person.split()) != person:
                    yield ConfigError.at((*path, "posts", post_index, "people", person_index), _(
                        "姓名“%(name)s”含空格，请写作“%(normal)s”") % {"name": person, "normal": "".join(person.split())})


def check_callbacks(config: Config) -> Iterator[ConfigError]:
    """The call script must parse as a form and ask what an outcome is decided from."""
    from zoufang.callbacks.script import script_problems

    block = config.get("callbacks")
    if not block:
        return
    for key in ("rate", "flagged_share"):
        share = parse_share(block[key]) if key in block else 0
        if share is None or share > 1:
            yield ConfigError.at(("callbacks", key), _("“%(value)s”不是有效的比例") % {"value": block[key]})
    for problem in script_problems(block["script"]):
        yield ConfigError.at(("callbacks", "script"), problem)


COVERAGE_WAYS = ("villages_linked", "targets", "arranged_outside")


def check_full_coverage(config: Config) -> Iterator[ConfigError]:
    """Each 全覆盖 requirement says one thing — villages linked, targets covered, or arranged outside — with
    filters its kinds have (hardship: households; scale: enterprises; is_key: enterprises and projects)."""
    first: dict[str, int] = {}
    for index, requirement in enumerate(config.get("full_coverage", [])):
        path: Path = ("full_coverage", index)
        if requirement["key"] in first:
            yield ConfigError.at((*path, "key"), _("代号“%(key)s”重复（第 %(first)s 项已使用）") % {
                "key": requirement["key"], "first": first[requirement["key"]] + 1})
        first.setdefault(requirement["key"], index)
        ways = [way for way in COVERAGE_WAYS if way in requirement]
        if len(ways) != 1:
            yield ConfigError.at(path, _("应且只应给出 villages_linked、targets、arranged_outside 之一（现为 %(n)s 个）")
                                 % {"n": len(ways)})
        if "named_cadre" in requirement and "targets" not in requirement:
            yield ConfigError.at((*path, "named_cadre"), _("named_cadre（落实到人）只适用于 targets"))
        for number, selection in enumerate(requirement.get("targets", [])):
            where: Path = (*path, "targets", number)
            kinds = selection["target_kinds"]
            yield from _kinds_not_in_campaign(config, (*where, "target_kinds"), kinds)
            if "hardship" in selection and not set(kinds) <= HOUSEHOLD_KINDS:
                yield ConfigError.at((*where, "hardship"), _("hardship（困难家庭）只适用于 registered_household、"
                                                             "resident_household"))
            for name, allowed in (("is_key", KEYED_KINDS), ("scale", SCALED_KINDS)):
                other = next((kind for kind in kinds if kind not in allowed), None)
                if name in selection and other is not None:
                    yield from _check_filters(where, other, {name: selection[name]})


def check_summaries(config: Config) -> Iterator[ConfigError]:
    """The units' summaries are due on a date of the campaign (seed 002: 6月1日前)."""
    summaries = config.get("summaries")
    if not summaries or parse_date(config["period"]["starts_on"]) is None or parse_date(config["period"]["ends_on"]) is None:
        return
    if parse_date(summaries["due"]) is None:
        yield ConfigError.at(("summaries", "due"), _("“%(value)s”不是有效的日期") % {"value": summaries["due"]})
    elif (rule := _outside_period(config, summaries["due"])) is not None:
        yield ConfigError.at(("summaries", "due"), rule)
