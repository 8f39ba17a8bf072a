"""Page benchmark (`make bench`, or `python -m zoufang.pagebench`): do the pages cost what they show (issue 14)?

On PostgreSQL only (DATABASE_URL). Two generated cities of the oversight benchmark's shape (zoufang/oversight/bench.py:
10 towns × 50 villages × 20 grids, 200 units a town, every target assigned, N visits over N/2 targets, N/10 cases),
by default N = 100,000 and N = 1,000,000, in the bench database of the oversight benchmark (made once, reused).
In each, accounts of six roles — the city office (上级活动办, the whole city), a town's office and leader, a
department's handler, a village's cadre and a cadre — read the pages and list endpoints each of them uses, in
process through Django's test client, each request REPEATS times (the fastest counts: the others are the machine's
noise). Printed per page and role: the time at both sizes, the queries, the ratio large / small, and the ratio of
the answers' sizes. A page that shows a page of rows, or figures kept up to date, costs the same in a city ten
times larger: the goal is a time ratio of at most GOAL_RATIO times what the page shows more (its bytes: a
department with ten times the cases fills its page of 50 where it showed 5). A page that reads what is stored
grows with it and fails.

ZOUFANG_PAGE_BENCH_SIZES="20000,200000" for a quick run; ZOUFANG_PAGE_BENCH_ONLY=<regex> times only matching URLs.
"""

import os
import re
import statistics
import time
from typing import Any

from django.utils.translation import gettext as _

GOAL_RATIO = 2.0
DEFAULT_SIZES = "100000,1000000"
REPEATS = 3
TODAY = "2017-07-15"  # the oversight benchmark's day (its visits run from March to July 2017)

# The pages and endpoints of each role, as its menu reaches them ("{slug}": the generated campaign).
PAGES = {
    "city": ["/", "/targets/", "/visits/", "/cases/", "/cases/agenda/", "/cases/weekly/", "/cases/shared/",
             "/regions/", "/oversight/{slug}/", "/oversight/{slug}/rows/", "/oversight/{slug}/rows/?what=visits",
             "/oversight/{slug}/rows/?what=cases", "/api/v1/targets", "/api/v1/cases/",
             "/api/v1/oversight/{slug}/coverage", "/api/v1/oversight/{slug}/cases",
             "/api/v1/oversight/{slug}/behind", "/api/v1/oversight/{slug}/rows",
             "/api/v1/oversight/{slug}/rows?what=visits", "/api/v1/oversight/units", "/open311/v2/requests.json"],
    "office": ["/", "/targets/", "/targets/?kind=enterprise", "/visits/", "/cases/", "/cases/board/",
               "/cases/agenda/", "/cases/weekly/", "/cases/shared/", "/cases/signoff/", "/regions/",
               "/api/v1/targets", "/api/v1/cases/", "/api/v1/regions", "/api/v1/units", "/api/v1/cadres"],
    "leader": ["/", "/targets/", "/visits/", "/cases/", "/cases/agenda/", "/cases/signoff/"],
    "unit": ["/", "/cases/", "/cases/desk/", "/visits/", "/targets/", "/api/v1/cases/",
             "/oversight/{slug}/rows/?what=cases", "/api/v1/oversight/{slug}/cases"],
    "village": ["/", "/targets/", "/visits/", "/cases/", "/api/v1/targets"],
    "cadre": ["/", "/me/", "/targets/", "/api/v1/me/targets", "/api/v1/targets",
              "/oversight/{slug}/rows/?what=visits"],
}


def _accounts(campaign: Any) -> dict[str, Any]:
    """The six roles' accounts in the campaign's city (made once; a second run finds them)."""
    from django.contrib.auth import get_user_model

    from zoufang.accounts.models import RoleGrant
    from zoufang.regions.models import Region
    from zoufang.registry.models import Cadre, Unit

    city = campaign.scope
    town = Region.objects.filter(path__startswith=city.path, level=Region.Level.TOWN).order_by("path")[0]
    village = Region.objects.filter(path__startswith=town.path, level=Region.Level.VILLAGE).order_by("path")[0]
    unit = Unit.objects.filter(region=town).order_by("id")[0]
    cadre = Cadre.objects.filter(unit=unit).order_by("id")[0]
    User = get_user_model()
    role = RoleGrant.Role
    grants = {"city": (role.CITY_OFFICE, city, None), "office": (role.OFFICE, town, None),
              "leader": (role.LEADER, town, None), "unit": (role.UNIT_HANDLER, town, unit),
              "village": (role.VILLAGE, village, None), "cadre": None}
    users = {}
    for name, grant in grants.items():
        user, _created = User.objects.get_or_create(username=f"pagebench-{campaign.pk}-{name}")
        if grant is not None:
            RoleGrant.objects.get_or_create(user=user, role=grant[0], region=grant[1], unit=grant[2])
        elif cadre.user_id != user.pk:
            cadre.user = user
            cadre.save(update_fields=["user"])
        users[name] = user
    return users


def _client(user: Any) -> tuple[Any, dict[str, str]]:
    """A signed-in client whose session passed the second factor, and an API token's header."""
    import datetime as dt

    from django.test import Client
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    from zoufang.accounts.models import ApiToken

    client = Client()
    client.force_login(user)
    device, _created = StaticDevice.objects.get_or_create(user=user, name="pagebench")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    secret = ApiToken.new_secret()
    ApiToken.objects.create(user=user, digest=ApiToken.digest_of(secret),
                            expires_at=timezone.now() + dt.timedelta(hours=2))
    client.get("/")  # the session's first page: its checks (second factor, password age) are kept
    return client, {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def measure(campaign: Any, only: str) -> dict[tuple[str, str], tuple[float, int, int, int]]:
    """(role, url) → (fastest ms, queries, status, bytes) in the campaign's city."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results = {}
    for name, user in _accounts(campaign).items():
        client, headers = _client(user)
        for pattern in PAGES[name]:
            url = pattern.format(slug=campaign.slug)
            if only and not re.search(only, url):
                continue
            times, queries, status, size = [], 0, 0, 0
            for _round in range(REPEATS):
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(url, **headers)
                times.append((time.perf_counter() - started) * 1000)
                queries, status, size = len(captured), response.status_code, len(response.content)
            results[(name, pattern)] = (min(times), queries, status, size)
    return results


def main() -> None:
    from zoufang.oversight import bench

    os.environ.setdefault("ZOUFANG_TODAY", TODAY)
    if not bench._setup():
        print("页面基准：需要 PostgreSQL（DATABASE_URL=postgres://…），跳过")
        return
    import logging

    from django.conf import settings

    logging.disable(logging.WARNING)  # sign-ins (django-axes) and refusals are logged; the table is the output
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    sizes = [int(s) for s in os.environ.get("ZOUFANG_PAGE_BENCH_SIZES", DEFAULT_SIZES).split(",")]
    only = os.environ.get("ZOUFANG_PAGE_BENCH_ONLY", "")
    print(_("页面基准（PostgreSQL）：同一批页面在 %(sizes)s 与 %(sizes2)s 次走访的两个市中各读 %(repeats)s 次取最快；"
            "目标：大/小 耗时比 ≤ %(goal_ratio)g × 内容比（页面字节之比，不足 1 按 1 计）：页面只为所显示的内容付出") % {
        "sizes": f'{sizes[0]:,}', "sizes2": f'{sizes[-1]:,}', "repeats": REPEATS, "goal_ratio": GOAL_RATIO,
    }, flush=True)
    measured = []
    for size in (sizes[0], sizes[-1]):
        campaign = bench.prepared(size)
        measured.append(measure(campaign, only))
    small, large = measured
    failed = []
    print(f"  {_('角色'):6} {_('页面'):48} {_('小（毫秒）'):>10} {_('大（毫秒）'):>10} {_('查询'):>6} {_('耗时比'):>6}"
          f" {_('内容比'):>6}")
    for key in small:
        (ms_small, q_small, status_small, size_small), (ms_large, q_large, status_large, size_large) = \
            small[key], large[key]
        ratio = ms_large / ms_small if ms_small else 0.0
        shown = size_large / size_small if size_small else 1.0
        ok = ratio <= GOAL_RATIO * max(1.0, shown) and status_small == status_large
        if not ok:
            failed.append(key)
        queries = f"{q_small}/{q_large}" if q_small != q_large else str(q_large)
        status = "" if status_large == 200 else f" [{status_large}]"
        print(f"  {key[0]:8} {key[1]:50} {ms_small:10.0f} {ms_large:10.0f} {queries:>6} {ratio:6.2f} {shown:6.2f}"
              f"{'' if ok else '  ' + _('未达标')}{status}", flush=True)
    ratios = [large[k][0] / small[k][0] for k in small if small[k][0]]
    print(_("  %(passed)s/%(pages)s 个页面达标；比值中位数 %(median).2f，"
            "最大 %(largest).2f；机器负载（1 分钟平均）%(load).1f") % {
        "passed": len(small) - len(failed), "pages": len(small), "median": statistics.median(ratios),
        "largest": max(ratios), "load": os.getloadavg()[0],
    })


if __name__ == "__main__":
    main()
