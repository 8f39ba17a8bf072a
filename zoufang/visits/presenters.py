"""A visit's records as people read them, for every page and file that shows them (not a view)."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from zoufang.forms.export import question_columns, shown_answer
from zoufang.regions.positions import distance_m
from zoufang.registry.models import PositionSource
from zoufang.visits.models import Visit

# The ways of visiting where the cadre stood somewhere: a position is looked for, and its absence said.
ON_SITE = {Visit.Mode.HOME, Visit.Mode.FORUM, Visit.Mode.GROUP}
# What the target's position is, as the distance names it (registry.PositionSource; regions/positions.py).
FROM_WHAT = {PositionSource.IMPORTED: _l("距走访对象所在位置"), PositionSource.ADDRESS: _l("距按地址推定的对象位置"),
             PositionSource.VILLAGE: _l("距所在村（社区）中心")}


@dataclass(frozen=True)
class Whereabouts:
    """Where the phone was when the visit was recorded, in words: 已定位（精度约 15 米）, the distance from the
    target's position (imported, found by address, or its village's), and the coordinates for a second line."""

    said: str
    distance: str = ""
    coordinates: str = ""


def _metres(metres: float) -> str:
    if metres < 10:
        return _("不到 10 米")
    if metres < 1000:
        return _("约 %(m)d 米") % {"m": round(metres, -1)}
    return _("约 %(km).1f 公里") % {"km": metres / 1000}


def whereabouts(visit: Visit) -> Whereabouts | None:
    """A visit's position as its page says it; None where none was asked for (a call, a letter) and none given.
    The phone reports no map, only WGS-84 and an accuracy: nothing is said that the record does not hold."""
    if visit.latitude is None or visit.longitude is None:
        return Whereabouts(_("未定位（手机未提供位置）")) if visit.mode in ON_SITE else None
    accuracy = visit.location_accuracy
    said = (_("已定位（精度约 %(m).0f 米）") % {"m": accuracy} if accuracy else _("已定位"))
    target = visit.target
    distance = ""
    if target.latitude is not None and target.longitude is not None and target.position_source in FROM_WHAT:
        metres = distance_m(float(visit.latitude), float(visit.longitude), float(target.latitude),
                            float(target.longitude))
        distance = f"{FROM_WHAT[PositionSource(target.position_source)]}{_metres(metres)}"
    coordinates = _("北纬 %(lat)s°，东经 %(lon)s°") % {"lat": visit.latitude, "lon": visit.longitude}
    return Whereabouts(said, distance, coordinates)


def answer_rows(answer: Any, data: dict[str, Any]) -> list[tuple[str, Any]]:
    """A questionnaire answer as (question text, answer as worded) in the form's order: `data` is the answer's
    data as the reader may read it (masked for a visit's page, in full for the person's own copy)."""
    spec = answer.form_version.spec
    questions, repeats = question_columns(spec["items"])
    rows = [(q["label"], shown_answer(q, data.get(q["name"]), spec["choices"])) for q in questions
            if q["name"] in data]
    for repeat in repeats:
        for index, row in enumerate(data.get(repeat["name"]) or [], start=1):
            inner = [c for c in repeat["children"] if c["kind"] == "question"]
            text = "；".join(f"{q['label']}：{shown_answer(q, row.get(q['name']), spec['choices'])}" for q in inner
                            if q["name"] in row)
            rows.append((f"{repeat['label']} {index}", text))
    return rows
