"""组织机构与工作机制 over the API (decision 0076): the page's content, read by the same accounts (every account that
sees the campaign; 404 for any other), links only to the pages the caller opens."""

import dataclasses
import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from zoufang.accounts import scope
from zoufang.campaigns.organisation import organisation_of

router = Router(tags=["组织机构"])


class LinkOut(Schema):
    label: str
    url: str = Field(description="办理这项工作的页面（仅列出调用者可打开的）")


class PostOut(Schema):
    title: str = Field(description="职务：组长、副组长、成员、主任 …")
    people: list[str]


class BodyOut(Schema):
    key: str
    kind: str = Field(description="领导小组、办公室、专项工作组或牵头单位")
    name: str
    duties: str
    posts: list[PostOut] = Field(description="配置文件未列人员的机构为空")
    target_kinds: list[str] = Field(description="牵头单位牵头协调的走访对象种类")
    role: str = Field(description="在本平台办理该机构工作的角色；无对应角色为空")
    links: list[LinkOut]


class LineOut(Schema):
    label: str
    text: str
    state: str = Field(description="done 已印发/已定稿，missing 已过期未印发，now 本期，later 未到，ended 已结束，空为无")


class MechanismOut(Schema):
    key: str
    name: str
    every: str = Field(description="频次：每月、每季、每半年、每年、不定期（随时）…")
    description: str
    note: str
    lines: list[LineOut] = Field(description="当前情况，取自平台已有的公文、考核和工作总结；平台无对应数据的机制为空")
    links: list[LinkOut]


class OrganisationOut(Schema):
    campaign: str
    name: str
    as_of: dt.date = Field(description="情况截至的日期")
    note: str
    bodies: list[BodyOut]
    mechanisms: list[MechanismOut]


@router.get("/{slug}/organisation", response=OrganisationOut,
            summary="走访活动的组织机构与工作机制：领导小组、办公室、各工作组及其人员和职责，各项工作机制的当前情况"
                    "（能看到该活动的账号均可读取）")
def get_organisation(request: HttpRequest, slug: str) -> dict[str, Any]:
    campaign = scope.visible_campaigns(request.user).filter(slug=slug).first()
    if campaign is None:
        raise Http404
    found = organisation_of(request.user, campaign)
    return {"campaign": campaign.slug, "name": campaign.name, "as_of": found.today, "note": found.note,
            "bodies": [dataclasses.asdict(body) for body in found.bodies],
            "mechanisms": [dataclasses.asdict(mechanism) for mechanism in found.mechanisms]}
