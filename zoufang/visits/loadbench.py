"""`make bench`: visit submissions under load, beside the cheapest authenticated GET of the same stack (issue 14).

On PostgreSQL only (DATABASE_URL): the demo (锦溪镇, 孟河镇, 周庄镇) is loaded once into a template database (the
DATABASE_URL's name + "_loadtpl"); each run copies it to a fresh database ("_load"), gives every cadre with
unvisited assignments an account and an API token, starts gunicorn with 2 workers on a free port and drives it
with locust headless, one phase after the other on the same machine:

1. 200 concurrent users of the cheapest authenticated GET (GET /api/v1/auth/tokens), closed loop;
2. 200 concurrent users each submitting visits (POST /api/v1/visits, a fresh idempotency key on a fresh assigned
   target, with the campaign's questionnaires answered), closed loop;
3. the same 200 users submitting at a cadre's pace: a think time of ZOUFANG_LOAD_PACE_SECONDS on average
   (default 40: 5 submissions a second offered by the 200, more than ten times a city's evening peak in
   docs/deploy.md), after the closed-loop phases' backlog is answered.

Closed loop (no wait between requests): throughput is the stack's capacity and latency is users ÷ throughput
(Little's law). Printed: req/s, p50/p95/p99 and errors of each phase; the ratio submission/GET of the closed-loop
phases beside its goal (≥ 0.5); p99 < 1 s with 0 errors checked on both submission phases (decision 0010 says
which figure answers which goal). ZOUFANG_LOAD_SECONDS sets the closed-loop phases' length (default 30; the paced
phase runs three times as long, to gather enough answers for its p99), ZOUFANG_LOAD_USERS the users (default 200),
ZOUFANG_LOAD_THREADS the threads of each gunicorn worker (default 4, gthread; 1: sync workers).
"""

import contextlib
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.utils.translation import gettext as _

GOAL_RATIO = 0.5
GOAL_P99_MS = 1000
DEMO_TODAY = "2017-06-15"
MAX_JOBS = 40_000
BIN = Path(sys.executable).parent


def _database_urls(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "zoufang"
    return (urlunsplit(parts._replace(path="/postgres")), urlunsplit(parts._replace(path=f"/{name}_loadtpl")),
            urlunsplit(parts._replace(path=f"/{name}_load")))


def _manage(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "ZOUFANG_TODAY": DEMO_TODAY}
    subprocess.run([str(BIN / "zoufang"), *args], env=env, check=True)  # noqa: S603 - our own command


def _prepare_databases(url: str) -> str:
    """The run's database, copied from the demo template (made on the first run: migrate and loaddemo)."""
    import psycopg

    admin_url, template_url, run_url = _database_urls(url)
    template, run = (urlsplit(u).path.lstrip("/") for u in (template_url, run_url))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{template}"')
    if not exists:
        print("  首次运行：在模板库中建表并载入演示数据（约几分钟）…", flush=True)
        _manage(template_url, "migrate", "--noinput", "-v0")
        _manage(template_url, "loaddemo", "--if-empty")
    else:
        _manage(template_url, "migrate", "--noinput", "-v0")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{run}"')
        admin.execute(f'CREATE DATABASE "{run}" TEMPLATE "{template}"')
    return run_url


def _setup(run_url: str) -> None:
    """Django in this process, on the run's database (made later, by _prepare_databases): set up before the
    first line is printed, since every line goes through gettext."""
    os.environ["DATABASE_URL"] = run_url
    os.environ["ZOUFANG_TODAY"] = DEMO_TODAY
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoufang.settings")
    import django

    django.setup()


def _jobs(path: Path) -> int:
    """Accounts and tokens for the cadres, and one prepared visit per unvisited assignment; written to `path`."""
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef

    from zoufang.accounts import tokens
    from zoufang.forms import services as form_services
    from zoufang.planning.models import Assignment
    from zoufang.registry.models import Cadre
    from zoufang.visits import rules
    from zoufang.visits.demo import demo_answers
    from zoufang.visits.models import Visit

    User = get_user_model()
    unvisited = (Assignment.objects.filter(cadre__isnull=False)
                 .exclude(Exists(Visit.objects.filter(target=OuterRef("target"), cadre=OuterRef("cadre"))))
                 .select_related("target__region", "campaign", "cadre").order_by("id"))
    by_cadre: dict[int, list[Any]] = {}
    for assignment in unvisited.iterator(chunk_size=2000):
        by_cadre.setdefault(assignment.cadre_id or 0, []).append(assignment)
    token_of: dict[int, str] = {}
    for cadre in Cadre.objects.filter(pk__in=by_cadre).select_related("user"):
        user = cadre.user
        if user is None:
            user = User.objects.create(username=f"load-{cadre.pk}", first_name=cadre.name)
            cadre.user = user
            cadre.save(update_fields=["user"])
        token_of[cadre.pk] = tokens.issue(user, client="loadbench")[1]
    forms: dict[tuple[int, str], dict[str, Any]] = {}
    submissions: list[dict[str, Any]] = []
    queues = [iter(items) for items in by_cadre.values()]
    while queues and len(submissions) < MAX_JOBS:  # round robin: neighbouring requests come from other cadres
        for queue in list(queues):
            item: Any = next(queue, None)
            if item is None:
                queues.remove(queue)
                continue
            campaign, target, cadre = item.campaign, item.target, item.cadre
            key = (campaign.pk, target.kind)
            if key not in forms:
                forms[key] = {
                    entry["key"]: form_services.check_answers(version, demo_answers(version.spec))[0]
                    for entry, version in form_services.questionnaires_for(campaign, target.kind)
                    if entry.get("one_per", "target") == "target"
                }
            submissions.append({"token": token_of[cadre.pk], "body": {
                "target_id": str(target.public_id), "campaign": campaign.slug,
                "visited_at": "2017-06-14T09:30:00+08:00", "mode": rules.allowed_modes(campaign, target, cadre)[0],
                "summary": "（负载测试）了解近况", "answers": forms[key],
                "opinions": [{"kind": "suggestion", "description": "希望多开展政策宣讲"}] if len(submissions) % 4 == 0
                else [],
            }})
    readers = list(token_of.values())[:200]
    path.write_text(json.dumps({"submissions": submissions, "readers": readers}, ensure_ascii=False), encoding="utf-8")
    return len(submissions)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    for _attempt in range(300):
        if server.poll() is not None:
            raise SystemExit(_("gunicorn 未能启动"))
        try:  # the health check: answered without a token, so no 401 is logged among the bench's lines
            urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310 - our own local server
            return
        except urllib.error.HTTPError:
            return  # up and answering, if not well: the phases will say
        except OSError:
            time.sleep(0.2)
    raise SystemExit(_("gunicorn 60 秒内未就绪"))


def _drain(base: str) -> None:
    """Wait until the server has answered what a closed-loop phase left queued (up to a minute): the next phase
    measures its own requests, not the backlog of the one before."""
    for _attempt in range(120):
        started = time.perf_counter()
        with contextlib.suppress(OSError):  # an answer of any status is what is awaited
            urllib.request.urlopen(f"{base}/healthz", timeout=30)  # noqa: S310 - our own local server
        if time.perf_counter() - started < 0.2:
            return
        time.sleep(0.5)


def _phase(user_class: str, base: str, jobs: Path, seconds: int, users: int, folder: Path,
           skip: int = 0) -> dict[str, float]:
    """One locust run of `user_class`; `skip`: the prepared visits earlier phases recorded."""
    prefix = folder / user_class
    subprocess.run(  # noqa: S603 - the venv's locust, fixed arguments
        [str(BIN / "locust"), "-f", str(Path(__file__).with_name("locustfile.py")), "--headless", "--only-summary",
         "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s", "--host", base,
         "--csv", str(prefix), "--loglevel", "ERROR", "--stop-timeout", "10", "--exit-code-on-error", "0",
         user_class],
        env={**os.environ, "ZOUFANG_LOAD_JOBS": str(jobs), "ZOUFANG_LOAD_SKIP": str(skip)}, check=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv", encoding="utf-8") as file:
        row = next(r for r in csv.DictReader(file) if r["Name"] == "Aggregated")
    failures = folder / f"{user_class}_failures.csv"
    if failures.exists():
        for line in list(csv.DictReader(failures.open(encoding="utf-8")))[:3]:
            print(_("    错误示例：%(error)s（%(occurrences)s 次）") % {
                "error": line.get('Error', '')[:200], "occurrences": line.get('Occurrences'),
            })
    return {"requests": float(row["Request Count"]), "errors": float(row["Failure Count"]),
            "rps": float(row["Requests/s"]), "p50": float(row["50%"]), "p95": float(row["95%"]),
            "p99": float(row["99%"])}


def _line(label: str, stats: dict[str, float]) -> str:
    return (_("  %(label)s：%(rps).1f 请求/秒，p50 %(p50).0f ms，p95 %(p95).0f ms，"
              "p99 %(p99).0f ms，错误 %(errors).0f/%(requests).0f") % {
        "label": label, "rps": stats['rps'], "p50": stats['p50'], "p95": stats['p95'], "p99": stats['p99'],
        "errors": stats['errors'], "requests": stats['requests'],
    })


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    postgres = url.startswith(("postgres://", "postgresql://"))
    _setup(_database_urls(url)[2] if postgres else url)
    if not postgres:
        print(_("走访登记负载基准：需要 PostgreSQL（DATABASE_URL=postgres://…），跳过"))
        return
    name = urlsplit(url).path.lstrip("/")
    if name.startswith("test_"):
        raise SystemExit(_("负载基准不在测试数据库 %(name)s 上运行") % {"name": name})
    seconds = int(os.environ.get("ZOUFANG_LOAD_SECONDS", "30"))
    users = int(os.environ.get("ZOUFANG_LOAD_USERS", "200"))
    pace = float(os.environ.get("ZOUFANG_LOAD_PACE_SECONDS", "40"))
    threads = int(os.environ.get("ZOUFANG_LOAD_THREADS", "4"))
    kind = _("gthread，每个 %(threads)s 个线程") % {"threads": threads} if threads > 1 else _("同步")
    print(_("走访登记负载基准（PostgreSQL，gunicorn 2 个 worker（%(kind)s），%(users)s 个并发用户，闭环阶段各 %(seconds)s 秒）") % {
        "kind": kind, "users": users, "seconds": seconds,
    },
          flush=True)
    run_url = _prepare_databases(url)
    folder = Path(tempfile.mkdtemp(prefix="zoufang-load-"))
    jobs = folder / "jobs.json"
    count = _jobs(jobs)
    print(_("  准备了 %(count)s 条待登记走访（各干部已分配未走访的对象）") % {"count": count}, flush=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": run_url, "ZOUFANG_TODAY": DEMO_TODAY, "ZOUFANG_LOG_LEVEL": "WARNING"}
    workers = ["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []
    server = subprocess.Popen(  # noqa: S603 - the venv's gunicorn, fixed arguments
        [str(BIN / "gunicorn"), "zoufang.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2", *workers,
         "--timeout", "30", "--keep-alive", "130", "--backlog", "2048", "--log-level", "warning"], env=env)
    try:
        _wait_until_up(base, server)
        get = _phase("CheapestGet", base, jobs, seconds, users, folder)
        print(_line("闭环·最便宜的认证 GET（/api/v1/auth/tokens）", get), flush=True)
        _drain(base)
        post = _phase("VisitSubmission", base, jobs, seconds, users, folder)
        print(_line("闭环·登记走访（POST /api/v1/visits）", post), flush=True)
        _drain(base)
        paced = _phase("PacedVisitSubmission", base, jobs, 3 * seconds, users, folder, skip=int(post["requests"]))
        print(_line(_("按干部节奏·登记走访（平均间隔 %(pace)g 秒，稳态约 %(users).1f 次/秒）") % {
            "pace": pace, "users": users / pace,
        }, paced), flush=True)
    finally:
        server.terminate()  # the workers finish the requests still queued, then stop
        try:
            server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    load = os.getloadavg()[0]
    print(_("  机器负载（1 分钟平均）%(load).1f，%(cpu_count)s 核：绝对数字随机器忙闲变化，比值在同一次运行中测得") % {
        "load": load, "cpu_count": os.cpu_count(),
    })
    ratio = post["rps"] / get["rps"] if get["rps"] else 0.0
    print(_("  闭环：登记走访 / 最便宜 GET 吞吐比 %(ratio).2f（目标 ≥ %(goal_ratio)s）"
            "%(reached)s") % {
        "ratio": ratio, "goal_ratio": GOAL_RATIO, "reached": _("，达标") if ratio >= GOAL_RATIO else _("，未达标"),
    })
    for label, stats in ((_("闭环"), post), (_("按干部节奏"), paced)):
        ok = stats["p99"] < GOAL_P99_MS and stats["errors"] == 0
        print(_("  %(label)s：登记走访 p99 %(p99).0f ms、错误 %(errors).0f"
                "（目标 p99 < %(goal_p99_ms)s ms 且 0 错误）%(reached)s") % {
            "label": label, "p99": stats['p99'], "errors": stats['errors'], "goal_p99_ms": GOAL_P99_MS,
            "reached": _("，达标") if ok else _("，未达标"),
        })


if __name__ == "__main__":
    main()
