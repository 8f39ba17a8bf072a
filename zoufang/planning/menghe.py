"""A synthetic 孟河镇 of seed 002's shape, to plan the `menghe-dazoufang` campaign on.

Villages of 村民小组, households of both kinds, key and small-and-medium enterprises, key
projects, town leaders each posted to a village, departments with a head and staff, village
committees, and every cadre with a supervisor as an interviewee (上下谈一级). Deterministic;
building twice changes nothing.
"""

import random
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from zoufang.campaigns.config import shipped_campaign_path
from zoufang.campaigns.models import Campaign
from zoufang.campaigns.services import load_campaign_file
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Target, Unit

SLUG = "menghe-dazoufang"
SEED = 2018
VILLAGES = ["孟河社区", "小河村", "万绥社区", "东南村", "南兴村", "新市村", "通江村", "石桥村"]
LEADERS = ["书记", "镇长", "副书记", "副镇长甲", "副镇长乙", "副镇长丙"]
# The town's own units by the names its clerks write (decision 0032): every town has its 经发局.
TOWN = "孟河镇"
LEADERSHIP = "镇党政班子"
UNITED_FRONT = "党委宣统口"
DEPARTMENTS = [("经发局", 6), ("农业局", 5), ("人社局", 4), ("建设局", 5), ("社会事业局", 4), ("财政分局", 3),
               ("综治办", 4), ("城管中队", 5)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰春梅海林文斌"


def committee_name(village: str) -> str:
    return f"{village}{'居委会' if village.endswith('社区') else '村委会'}"  # untranslated: demo data (a unit's name)


# The names these units had before decision 0032, when a unit name was unique across the database: a demo loaded
# then has them renamed in place (`demo.menghe.rename_former_units`), never registered a second time.
FORMER_NAMES = {f"{TOWN}{name}": name  # untranslated: stored unit names matched as data
                for name in [UNITED_FRONT, *(n for n, _staff in DEPARTMENTS), *map(committee_name, VILLAGES)]}
FORMER_NAMES[f"{TOWN}党政班子"] = LEADERSHIP  # untranslated: a stored unit name matched as data


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def build_menghe_town(say: Callable[[str], None] = lambda message: None) -> Campaign:
    """Create the synthetic town once (load the campaign first if needed) and return the campaign."""
    campaign = Campaign.objects.filter(slug=SLUG).first() or load_campaign_file(shipped_campaign_path(SLUG))
    town = campaign.scope
    if Region.objects.filter(parent=town, level=Region.Level.VILLAGE).exists():
        return campaign
    rng = random.Random(SEED)  # noqa: S311 - synthetic data, not security
    with transaction.atomic():
        villages = [_village(town, name, index, rng) for index, name in enumerate(VILLAGES, start=1)]
        leadership = Unit.objects.create(name=LEADERSHIP, kind=Unit.Kind.TOWN_LEADERSHIP, region=town, sort_order=1)
        leaders: list[Cadre] = []
        for index, title in enumerate(LEADERS):
            leader = Cadre.objects.create(name=_unique_name(rng, leadership), unit=leadership, title=title,
                                          role=Cadre.Role.TOWN_LEADER, sort_order=index,
                                          supervisor=leaders[0] if index == 1 else (leaders[1] if index > 1 else None),
                                          is_demo=True)
            leader.linked_regions.set([villages[index % len(villages)]])
            leaders.append(leader)
        for order, (name, staff) in enumerate(DEPARTMENTS, start=2):
            unit = Unit.objects.create(name=name, kind=Unit.Kind.TOWN_DEPARTMENT, region=town, sort_order=order,
                                       party_member_count=staff)
            head = Cadre.objects.create(name=_unique_name(rng, unit), unit=unit, title="负责人", sort_order=0,
                                        role=Cadre.Role.PARTY_MEMBER, supervisor=leaders[order % len(leaders)],
                                        is_demo=True)
            for i in range(1, staff):
                Cadre.objects.create(name=_unique_name(rng, unit), unit=unit, title="工作人员", sort_order=i,
                                     role=Cadre.Role.PARTY_MEMBER, supervisor=head, is_demo=True)
        for index, village in enumerate(villages):
            committee = Unit.objects.create(name=committee_name(village.name), kind=Unit.Kind.VILLAGE_COMMITTEE,
                                            region=village, sort_order=100 + index)
            posted = [leader for leader in leaders if village in leader.linked_regions.all()]
            secretary = Cadre.objects.create(name=_unique_name(rng, committee), unit=committee, title="书记",
                                             role=Cadre.Role.VILLAGE_CADRE, sort_order=0, is_demo=True,
                                             supervisor=posted[0] if posted else leaders[0])
            for i in range(1, 5):
                Cadre.objects.create(name=_unique_name(rng, committee), unit=committee, title="村干部",
                                     role=Cadre.Role.VILLAGE_CADRE, sort_order=i, supervisor=secretary, is_demo=True)
        _united_front(town, villages, leaders, rng)
        _phones(town)
        interviewees = Cadre.objects.filter(unit__region__path__startswith=town.path, supervisor__isnull=False)
        Target.objects.bulk_create([
            Target(kind=Target.Kind.CADRE, cadre=cadre, name=cadre.name, region=cadre.unit.region or town,
                   is_demo=True)
            for cadre in interviewees.select_related("unit__region")
        ])
    say(_("孟河镇（合成）：%(n_villages)s 个村（社区），%(n_targets)s 个走访对象") % {
        "n_villages": len(villages), "n_targets": Target.objects.filter(region__path__startswith=town.path).count(),
    })
    return campaign


def _united_front(town: Region, villages: list[Region], leaders: list[Cadre], rng: random.Random) -> None:
    """镇党委宣统口, which leads the 名士 visits (seed 002 §四4), and the notable persons: a few living in
    the villages and some 孟河籍 elsewhere, registered under the town itself."""
    unit = Unit.objects.create(name=UNITED_FRONT, kind=Unit.Kind.TOWN_DEPARTMENT, region=town,
                               sort_order=len(DEPARTMENTS) + 2, party_member_count=3)
    head = Cadre.objects.create(name=_unique_name(rng, unit), unit=unit, title="负责人", sort_order=0,
                                role=Cadre.Role.PARTY_MEMBER, supervisor=leaders[2], is_demo=True)
    for i in (1, 2):
        Cadre.objects.create(name=_unique_name(rng, unit), unit=unit, title="工作人员", sort_order=i,
                             role=Cadre.Role.PARTY_MEMBER, supervisor=head, is_demo=True)
    notables = [Target(kind=Target.Kind.NOTABLE_PERSON, region=village, name=_name(rng), is_demo=True,
                       description=rng.choice(("党外知名人士", "工商界代表人士", "能人贤士")))
                for village in villages for _ in range(2)]
    notables += [Target(kind=Target.Kind.NOTABLE_PERSON, region=town, name=_name(rng), is_demo=True,
                        description=rng.choice(("孟河籍在外知名专家学者", "海外社团负责人", "孟河籍企业家")))
                 for _ in range(6)]
    Target.objects.bulk_create(notables)


def _phones(town: Region) -> None:
    """Every cadre's mobile number, for the walk lists and the 走访联系卡 (附件2-8); drawn apart from the town's
    shape, so the villages, names and plan stay what they were."""
    from zoufang.demo.synthetic import Names

    names = Names(random.Random(SEED + 1))  # noqa: S311 - synthetic data, not security
    cadres = list(Cadre.objects.filter(unit__region__path__startswith=town.path, phone="").order_by("id"))
    for cadre in cadres:
        cadre.phone = names.mobile()
    Cadre.objects.bulk_update(cadres, ["phone"])


def _unique_name(rng: random.Random, unit: Unit) -> str:
    while True:
        name = _name(rng)
        if not Cadre.objects.filter(unit=unit, name=name).exists():
            return name


def _village(town: Region, name: str, index: int, rng: random.Random) -> Region:
    village = Region(name=name, level=Region.Level.VILLAGE, parent=town, sort_order=index, is_demo=True)
    village.save()
    groups = rng.randint(7, 12)
    targets: list[Target] = []
    label = "居民小组" if name.endswith("社区") else "村民小组"
    for g in range(1, groups + 1):
        group = Region(name=f"第{g}{label}", level=Region.Level.GROUP, parent=village, sort_order=g, is_demo=True)  # untranslated: demo data (a generated group's name)
        group.save()
        for h in range(1, rng.randint(18, 45) + 1):
            kind = Target.Kind.RESIDENT_HOUSEHOLD if rng.random() < 0.15 else Target.Kind.REGISTERED_HOUSEHOLD
            targets.append(Target(kind=kind, region=group, name=_name(rng), address=f"{name}第{g}{label}{h}号",  # untranslated: demo data (generated units and targets; units are found by name)
                                  is_demo=True))
    for e in range(1, rng.randint(12, 30) + 1):
        key = rng.random() < 0.25
        targets.append(Target(kind=Target.Kind.ENTERPRISE, region=village, name=f"常州{name[:2]}{e}号企业有限公司",  # untranslated: demo data (generated units and targets; units are found by name)
                              is_key=key, is_demo=True,
                              scale=Target.Scale.ABOVE_SCALE if key or rng.random() < 0.3 else Target.Scale.SMALL_MEDIUM))
    for p in range(1, rng.randint(3, 6) + 1):
        targets.append(Target(kind=Target.Kind.PROJECT, region=village, name=f"{name}{p}号项目",  # untranslated: demo data (generated units and targets; units are found by name)
                              is_key=rng.random() < 0.7, is_demo=True))
    Target.objects.bulk_create(targets, batch_size=2000)
    return village
