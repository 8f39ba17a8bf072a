"""Which columns the target list shows for each kind, and the fields of a target's detail page."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from zoufang.regions.models import Region
from zoufang.registry.models import Target
from zoufang.registry.presenters import TargetPresenter

Kind = Target.Kind


def _region(target: Target) -> str:
    return target.region.local_name()


def _yes(flag: bool, text: Any) -> str:
    return str(text) if flag else ""


@dataclass(frozen=True)
class Column:
    label: Any
    value: Callable[[Target, TargetPresenter], Any]
    css: str = ""
    is_phone: bool = False


NAME = Column(_("名称"), lambda t, p: t.name, "title")
HEAD = Column(_("户主"), lambda t, p: t.name, "title")
PERSON = Column(_("姓名"), lambda t, p: t.name, "title")
KIND = Column(_("类型"), lambda t, p: t.get_kind_display())
REGION = Column(_("所在区划"), lambda t, p: _region(t), "nowrap")
ADDRESS = Column(_("地址"), lambda t, p: t.address)
PHONE = Column(_("电话"), lambda t, p: p.phone(t), "code nowrap", is_phone=True)
ID_NUMBER = Column(_("身份证号"), lambda t, p: p.id_number(t), "code nowrap")
MEMBERS = Column(_("人口"), lambda t, p: t.member_count if t.member_count is not None else "", "num")
HARDSHIP = Column(_("困难"), lambda t, p: _yes(t.hardship, _("困难家庭")), "flag")
CREDIT_CODE = Column(_("信用代码"), lambda t, p: t.credit_code, "code nowrap")
SCALE = Column(_("规模"), lambda t, p: t.get_scale_display(), "nowrap")
KEY = Column(_("重点"), lambda t, p: _yes(t.is_key, _("重点")), "flag")
INDUSTRY = Column(_("行业"), lambda t, p: t.industry)
STAGE = Column(_("阶段"), lambda t, p: t.stage)
DESCRIPTION = Column(_("简介"), lambda t, p: p.masker.text(t.description, t))

HOUSEHOLD_COLUMNS = [HEAD, ADDRESS, MEMBERS, PHONE, ID_NUMBER, HARDSHIP, REGION]
COLUMNS: dict[str, list[Column]] = {
    Kind.REGISTERED_HOUSEHOLD: HOUSEHOLD_COLUMNS,
    Kind.RESIDENT_HOUSEHOLD: HOUSEHOLD_COLUMNS,
    Kind.ENTERPRISE: [NAME, CREDIT_CODE, SCALE, KEY, INDUSTRY, REGION],
    Kind.PROJECT: [NAME, STAGE, KEY, DESCRIPTION, REGION],
    Kind.NOTABLE_PERSON: [PERSON, DESCRIPTION, PHONE, REGION],
    Kind.CADRE: [PERSON, DESCRIPTION, PHONE, REGION],
}
MIXED_COLUMNS = [NAME, KIND, REGION, ADDRESS, PHONE]
# What a target's name is on its own page: the model's 名称/户主姓名 fits every kind and reads right for none.
NAME_LABELS: dict[str, Any] = {
    Kind.REGISTERED_HOUSEHOLD: _("户主姓名"), Kind.RESIDENT_HOUSEHOLD: _("户主姓名"), Kind.ENTERPRISE: _("企业名称"),
    Kind.PROJECT: _("项目名称"), Kind.NOTABLE_PERSON: _("姓名"), Kind.CADRE: _("姓名"),
}


def columns_for(kind: str | None) -> list[Column]:
    return COLUMNS.get(kind or "", MIXED_COLUMNS)


def table_rows(targets: Any, columns: list[Column], presenter: TargetPresenter) -> list[dict[str, Any]]:
    """Each target with its cells already masked: the template only prints."""
    return [
        {
            "target": target,
            "cells": [(column, column.value(target, presenter)) for column in columns],
        }
        for target in targets
    ]


def detail_fields(
    target: Target, presenter: TargetPresenter, ancestors: list[Region]
) -> list[tuple[Any, Any, str]]:
    """(label, value, css class) of every field that means something for the target's kind."""
    above_village = (Region.Level.CITY, Region.Level.COUNTY, Region.Level.TOWN)
    below_town = [r.name for r in ancestors if r.level not in above_village]
    region = " ".join(below_town) or target.region.name
    fields: list[tuple[str, Any]] = [("kind", target.get_kind_display()), ("name", target.name),
                                     ("region", region), ("address", target.address),
                                     ("phone", presenter.phone(target))]
    if target.is_household or target.kind in (Kind.NOTABLE_PERSON, Kind.CADRE):
        fields.append(("id_number", presenter.id_number(target)))
    if target.is_household:
        fields += [("member_count", target.member_count), ("hardship", _("是") if target.hardship else _("否"))]
    if target.kind in (Kind.ENTERPRISE, Kind.PROJECT):
        fields.insert(-1, ("contact_name", presenter.contact_name(target)))  # whom to ask for, before their phone
    if target.kind == Kind.ENTERPRISE:
        fields += [("legal_representative", presenter.legal_representative(target)),
                   ("credit_code", target.credit_code), ("scale", target.get_scale_display()),
                   ("industry", target.industry)]
    if target.kind in (Kind.ENTERPRISE, Kind.PROJECT):
        fields.append(("is_key", _("是") if target.is_key else _("否")))
    if target.kind == Kind.PROJECT:
        fields.append(("stage", target.stage))
    if target.description or target.kind in (Kind.PROJECT, Kind.NOTABLE_PERSON):
        fields.append(("description", presenter.masker.text(target.description, target)))
    if target.archived_on:
        fields.append(("archived_on", target.archived_on))
    css = {"phone": "code phone", "id_number": "code", "credit_code": "code"}
    labels = {"name": NAME_LABELS.get(target.kind)}
    return [
        (labels.get(name) or getattr(Target._meta.get_field(name), "verbose_name", name), value, css.get(name, ""))
        for name, value in fields
    ]
