"""Demo answers that read like a filled-in form: every question answered (repeats with a few rows), choices
varied but leaning to the common answers, and the free-text questions of the shipped forms answered in words a
visitor would write. Deterministic for a given random generator; every answer passes the form's own checks."""

import datetime as dt
import random
from typing import Any

# What visitors wrote, by question name (the shipped forms of seed 002, 附件2-2、2-4…2-7).
TEXTS: dict[str, tuple[str, ...]] = {
    "economy_difficulty": ("村级集体资产以老旧厂房为主，租金收益偏低", "缺少稳定增收项目，土地指标紧张"),
    "need": ("村内主干道拓宽并加装路灯", "老旧管网改造，解决夏季水压不足", "河道清淤和护坡整治"),
    "conflicts": ("个别村民小组宅基地界线纠纷尚未调处", "拆迁安置户对补偿标准有不同意见"),
    "advice": ("希望加大对村级集体经济的扶持力度", "建议统筹安排村庄环境整治资金"),
    "difficulty_other": ("环保改造投入大、周期长",),
    "rating_reason": ("部分审批事项办理时间偏长", "企业反映的用地问题多次联系未见回音", "办事窗口答复前后不一，往返多次"),
    "innovation_advice": ("希望牵线高校院所共建研发中心", "建议设立汽车零部件产业发展专项资金",
                          "希望简化技改项目备案手续"),
    "mood_note": ("近期征地拆迁任务重，加班较多",),
    "unit_problems": ("人员少、任务重，条线工作交叉", "项目推进中协调环节多"),
    "development_advice": ("围绕汽车零部件产业延伸产业链", "发挥孟河医派和古镇文化优势发展文旅",
                           "加快小城镇配套设施建设，留住人才"),
    "conduct_advice": ("多开展业务培训，提升服务本领", "建立走访问题销号制度，避免重复反映"),
    "member_name": ("户主", "配偶", "长子", "长女"),
    "hardship_need": ("老人长期患病，医药费负担重，希望申请医疗救助",),
    "workplace": ("常州某大学教授", "上海某投资公司合伙人", "孟河籍企业家，经营汽配企业"),
}
# Plausible ranges for the numbers asked, by question name; other integers are small counts (1–6).
NUMBERS: dict[str, tuple[int, int]] = {"employees": (20, 600), "hardship_households": (0, 30)}
# Choices shown first in a list are the common answers; these names are the rare ones.
RARE = {"unsatisfied", "poor", "stopped", "difficult", "pressured", "down", "unemployed", "other", "no"}


def filled_answers(spec: dict[str, Any], rng: random.Random, day: dt.date) -> dict[str, Any]:
    """Answers to every question of the form, dates on the visit's day (irrelevant ones are dropped by the
    form's checks)."""
    return _answer(spec["items"], spec["choices"], rng, day)


def _answer(items: list[dict[str, Any]], choices: dict[str, list[list[str]]], rng: random.Random,
            day: dt.date) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for node in items:
        if node["kind"] == "group":
            answers.update(_answer(node["children"], choices, rng, day))
        elif node["kind"] == "repeat":
            answers[node["name"]] = [_answer(node["children"], choices, rng, day) for _ in range(rng.randint(1, 3))]
        elif node["kind"] == "question" and node["type"] != "note":
            answers[node["name"]] = _value(node, choices, rng, day)
    return answers


def _value(question: dict[str, Any], choices: dict[str, list[list[str]]], rng: random.Random, day: dt.date) -> Any:
    kind = question["type"]
    if kind in ("select_one", "select_multiple"):
        options = [option[0] for option in choices[question["list"]]]
        common = [o for o in options if o not in RARE] or options
        if kind == "select_one":
            return rng.choice(options) if rng.random() < 0.15 else rng.choice(common[:2])
        return rng.sample(common, k=min(len(common), rng.randint(1, 2)))
    if kind == "integer":
        return rng.randint(*NUMBERS.get(question["name"], (1, 6)))
    if kind == "decimal":
        return float(rng.randrange(50, 5000, 10))
    if kind == "date":
        return day.isoformat()
    return rng.choice(TEXTS.get(question["name"], (f"（演示）{question['label']}",)))  # untranslated: demo data (a seeded answer)
