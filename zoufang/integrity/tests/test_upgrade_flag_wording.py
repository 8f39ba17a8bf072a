"""The upgrade to `integrity/0005` on a database whose stored flags say their moments the old way (06-14 23:46,
2017-06-14 22:10–22:40, 走访于 06-01 至 06-14): a real migration run on a scratch database of the test database's
engine, from 0004 with flags written by the historical models. Afterwards they read as a scan run today writes them
(decision 0045: 2017年6月14日 23:46), a day written without its year taken as the latest one not after the scan's
or the sitting's day; what was not a moment (a copied text, a flag already reworded) is left as it was."""

import datetime as dt

import pytest

from zoufang.registry.tests.test_upgrade_unit_names import migrate, region, scratch_database

pytestmark = pytest.mark.django_db

BEFORE = [("integrity", "0004_flag_scans")]
AFTER = [("integrity", "0005_stored_flags_say_moments_as_clock_does")]
COMPUTED = dt.datetime(2018, 1, 5, 1, 30, tzinfo=dt.UTC)  # 09:30 in Beijing, early in January: December is 2017

# kind, stored by an old scan, read after the upgrade
FLAGS = [
    ("pace", "2017-12-30 22:10–22:40 入户走访 6 户，一小时内超过 4 户",
     "2017年12月30日 22:10–22:40 入户走访 6 户，一小时内超过 4 户"),
    ("distance", "12-30 23:46 入户 王*明，登记位置距对象约 850 米（超过 300 米）",
     "2017年12月30日 23:46 入户 王*明，登记位置距对象约 850 米（超过 300 米）"),
    ("distance", "01-04 08:05 入户 李*，登记位置距对象所在村（社区）中心约 1500 米（超过 1000 米）",
     "2018年1月4日 08:05 入户 李*，登记位置距对象所在村（社区）中心约 1500 米（超过 1000 米）"),
    ("night", "2017-12-30 23:46 入户 王*明（22 时至次日 6 时之间）",
     "2017年12月30日 23:46 入户 王*明（22 时至次日 6 时之间）"),
    ("late_bulk", "2018-01-04 21:00–21:30 一次补录 12 次走访（走访于 12-28 至 01-03），平均晚 4.5 天",
     "2018年1月4日 21:00–21:30 一次补录 12 次走访（走访于 2017年12月28日 至 2018年1月3日），平均晚 4.5 天"),
    ("late_bulk", "2017-12-20 21:00–21:30 一次补录 9 次走访（走访于 12-01 至 12-14），平均晚 9.0 天",
     "2017年12月20日 21:00–21:30 一次补录 9 次走访（走访于 2017年12月1日 至 12月14日），平均晚 9.0 天"),
    ("pace", "王*明 22:10 与 李* 22:15 两次入户相隔 5 分钟（每次入户至少 10 分钟）",
     "王*明 22:10 与 李* 22:15 两次入户相隔 5 分钟（每次入户至少 10 分钟）"),
    ("copied_text", "12 次走访（占 80%）的走访情况与本人其他记录相同或几乎相同（相似度不低于 0.90），最多的一组 6 次，如：“12-30 走访，户内正常”",
     "12 次走访（占 80%）的走访情况与本人其他记录相同或几乎相同（相似度不低于 0.90），最多的一组 6 次，如：“12-30 走访，户内正常”"),
    ("night", "2017年12月30日 23:46 入户 王*明（22 时至次日 6 时之间）",
     "2017年12月30日 23:46 入户 王*明（22 时至次日 6 时之间）"),
]


def test_an_upgrade_rewrites_the_stored_flags_moments_as_the_clock_says_them(tmp_path):
    with scratch_database(tmp_path):
        apps = migrate(BEFORE)
        town = region(apps, "锦溪镇", "town")
        campaign = apps.get_model("campaigns", "Campaign").objects.create(
            scope=town, slug="jinxi-2017", name="锦溪镇走访", starts_on=dt.date(2017, 6, 1), ends_on=dt.date(2018, 3, 31))
        unit = apps.get_model("registry", "Unit").objects.create(name="综治办", kind="town_department")
        cadre = apps.get_model("registry", "Cadre").objects.create(name="张三", role="party_member", unit=unit)
        scan = apps.get_model("integrity", "FlagScan").objects.create(campaign=campaign, computed_at=COMPUTED)
        row = apps.get_model("integrity", "ScannedCadre").objects.create(scan=scan, cadre=cadre, name="张三")
        ScannedFlag = apps.get_model("integrity", "ScannedFlag")
        for n, (kind, stored, _read) in enumerate(FLAGS):
            ScannedFlag.objects.create(scan=scan, row=row, key=f"{kind}:{n}", kind=kind, weight=3, evidence=stored)

        apps = migrate(AFTER)

        read = list(apps.get_model("integrity", "ScannedFlag").objects.order_by("pk").values_list("evidence", flat=True))
        assert read == [after for _kind, _stored, after in FLAGS]
