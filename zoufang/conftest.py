"""Personas and a small town, as the seeds name them: the town office, a town leader, a department
party member, a village cadre, a third-party auditor and an outsider."""

import datetime as dt
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.campaigns.models import Campaign
from zoufang.core.testwidths import SHOTS
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Target, Unit
from zoufang.registry.tests.factories import CadreFactory, TargetFactory, id_number

PASSWORD = "zoufang-test-password"
# Debian's Chromium; `make test` runs the PostgreSQL half, which takes no screenshots, in Debian's build of Chromium's
# own headless shell (ZOUFANG_CHROMIUM; decision 0017): the same engine and version, without the full browser's
# compositing of every frame, a third of the CPU.
FULL_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM = Path(os.environ.get("ZOUFANG_CHROMIUM") or FULL_CHROMIUM)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# Chromium's own widgets (date fields, validation bubbles) in Chinese, as on the users' phones: on Linux they follow
# the process's LANGUAGE (neither --lang nor the context's locale, which sets what pages read: navigator.language,
# Intl). Needs Debian's chromium-l10n (make browser). The character set stays UTF-8's: zh_CN.UTF-8 is not generated
# on these machines, and under the ASCII one glibc falls back to, Chromium names every Chinese download "download".
CHROMIUM_ENV = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "LANGUAGE": "zh_CN"}


@pytest.fixture(scope="session")
def _playwright() -> Any:
    if not CHROMIUM.exists() and os.environ.get("ZOUFANG_CHROMIUM"):
        pytest.fail(f"ZOUFANG_CHROMIUM: {CHROMIUM} is not installed (make browser installs it from Debian's packages)")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (make browser installs it from Debian's packages)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the tests' own ORM calls stay synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        yield playwright


def _launch(playwright: Any, path: Path) -> Any:
    return playwright.chromium.launch(executable_path=str(path), headless=True, args=CHROMIUM_ARGS,
                                      env={**os.environ, **CHROMIUM_ENV})


@pytest.fixture(scope="session")
def browser(_playwright: Any) -> Any:
    """Debian's Chromium through Playwright, launched once for the whole run; never a downloaded browser."""
    chromium = _launch(_playwright, CHROMIUM)
    yield Browser(chromium)
    chromium.close()


@pytest.fixture(scope="session")
def full_browser(_playwright: Any, browser: Any) -> Any:
    """The full browser the users run, for what only it has (its own messages in Chinese, from chromium-l10n): the
    session's `browser` itself, unless that is the headless shell (ZOUFANG_CHROMIUM; decision 0017)."""
    if CHROMIUM.resolve() == FULL_CHROMIUM.resolve():
        yield browser
        return
    chromium = _launch(_playwright, FULL_CHROMIUM)
    yield Browser(chromium)
    chromium.close()


# What every browser test's context starts from. Chinese, as the users' browsers are; reduced motion, as some users
# set it: the charts draw their last frame at once (web/static/web/charts.js), rather than animating on a
# software-rendered canvas for every chart of every page, and a screenshot shows the finished chart. A test that
# looks at the animation asks for reduced_motion="no-preference".
CONTEXT_DEFAULTS = {"locale": "zh-CN", "reduced_motion": "reduce"}


class Browser:
    """Playwright's browser, whose new contexts and pages start from CONTEXT_DEFAULTS."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    def new_context(self, **options: Any) -> Any:
        return self._browser.new_context(**{**CONTEXT_DEFAULTS, **options})

    def new_page(self, **options: Any) -> Any:
        return self._browser.new_page(**{**CONTEXT_DEFAULTS, **options})

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup: Any) -> Any:
    """Close every database connection left open before the test database is dropped.

    Django keeps one connection per context (asgiref Local), and Playwright's sync API runs on greenlets
    that each carry their own context: after a browser test the main thread can hold a second, idle
    connection that is no context's to close, and PostgreSQL refuses to drop a database with a
    session open. Depending on django_db_setup makes this teardown run before the drop.
    """
    yield
    import gc

    from django.db.backends.base.base import BaseDatabaseWrapper

    # type(), not isinstance(): isinstance would evaluate lazy objects (a CSP nonce raises when evaluated late).
    for wrapper in [o for o in gc.get_objects() if issubclass(type(o), BaseDatabaseWrapper)]:
        if wrapper.connection is not None and wrapper._thread_ident == threading.get_ident():  # noqa: SLF001
            wrapper.close()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None,
                                 django_db_use_migrations: bool, django_db_blocker: Any) -> None:
    """PostgreSQL: each worker's test database is a copy of one migrated template; SQLite: the tables are made
    from the models, not by the migrations (zoufang/core/testdb.py, decision 0014)."""
    if django_db_use_migrations:
        from zoufang.core.testdb import build_sqlite_from_models, use_migrated_template

        build_sqlite_from_models()
        with django_db_blocker.unblock():
            use_migrated_template()


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete() -> Iterator[None]:
    """PostgreSQL: a transactional test's flush deletes its rows rather than truncating every table."""
    from zoufang.core.testdb import flush_by_delete

    with flush_by_delete():
        yield


@pytest.fixture(scope="session", autouse=True)
def _run_settings(_downloads_dir: Path) -> Iterator[None]:
    """Settings for the whole run, so that module- and session-scoped fixtures (the demo's, 孟河镇's and the
    matrix's) work as the tests do: the real hasher is slow by design (about 0.4 s a password) and tests only need
    passwords to round-trip; the demo's accounts have the tests' password, whichever test builds them first; a file
    a fixture's job builds goes to the run's temporary folder (the matrix's ledger was left in var/downloads)."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                           ZOUFANG_DEMO_PASSWORD=PASSWORD, ZOUFANG_DOWNLOADS_DIR=_downloads_dir):
        yield


def pinned_day_starts_at() -> dt.time | None:
    """The time of day a pinned day's clock starts at in this run: 00:30 Beijing unless ZOUFANG_TEST_TIME_OF_DAY
    names another (HH:MM), or "real" for the machine's own (decision 0072)."""
    asked = os.environ.get("ZOUFANG_TEST_TIME_OF_DAY", "00:30")
    if asked == "real":
        return None
    try:
        return dt.time.fromisoformat(asked)
    except ValueError:
        raise pytest.UsageError(f"ZOUFANG_TEST_TIME_OF_DAY: HH:MM or real, not {asked!r}") from None


def pytest_report_header(config: pytest.Config) -> str:
    start = pinned_day_starts_at()
    return (f"pinned days start at {start.isoformat('minutes')} Beijing time (ZOUFANG_TEST_TIME_OF_DAY=real for "
            "the machine's)"
            if start else "pinned days run at the machine's time of day (ZOUFANG_TEST_TIME_OF_DAY=real)")


@pytest.fixture(scope="session", autouse=True)
def _pinned_days_start_at_a_hard_hour() -> Iterator[None]:
    """A test that pins the day (ZOUFANG_TODAY) sees the clock start at one hard hour, whatever the hour the machine
    runs it: a visit dated at 10:00 on the pinned day is then "later than now" on every run, not only on those that
    fall between midnight and 10:00 in Beijing (decision 0072). Time still runs from there."""
    from django.utils import timezone

    from zoufang import clock

    start = pinned_day_starts_at()
    if start is None:
        yield
        return
    real = timezone.localtime().replace(tzinfo=None)
    clock.PINNED_TIME_SHIFT = (dt.datetime.combine(real.date(), start) - real) % dt.timedelta(days=1)
    try:
        yield
    finally:
        clock.PINNED_TIME_SHIFT = dt.timedelta(0)


@pytest.fixture(scope="session", autouse=True)
def _static_index_once() -> Iterator[None]:
    """WhiteNoise's index of STATIC_ROOT read once a process, not for every test client.

    The test client makes Django's middleware again for each Client, and WhiteNoise's middleware, when it is made,
    reads every collected file (a stat and a look for compressed twins of each: about 30 ms, where the rest of the
    middleware takes 1 ms), before the test's first request. Its index is kept by what it is read from: the root and
    URL prefix, the settings WhiteNoise takes its headers from, and each file's path, size and time, which a walk of
    the folder gives for a tenth of the reading. Changed files are read again (core/tests/test_static_index.py)."""
    from django.conf import settings
    from whitenoise.base import WhiteNoise, scantree

    original = WhiteNoise.update_files_dictionary
    indexes: dict[Any, dict[str, Any]] = {}

    def update_files_dictionary(self: Any, root: str, prefix: str) -> None:
        files = tuple(sorted((path, stat.st_size, stat.st_mtime_ns) for path, stat in scantree(root)))
        configured = repr([settings.DEBUG, settings.STATIC_URL, settings.STORAGES.get("staticfiles"),
                           *((name, getattr(settings, name)) for name in dir(settings) if name.startswith("WHITENOISE_"))])
        key = (type(self), root, prefix, configured, files)
        if key not in indexes:
            before = dict(self.files)
            original(self, root, prefix)
            indexes[key] = {url: file for url, file in self.files.items() if before.get(url) is not file}
        self.files.update(indexes[key])

    WhiteNoise.update_files_dictionary = update_files_dictionary  # type: ignore[method-assign]
    try:
        yield
    finally:
        WhiteNoise.update_files_dictionary = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def plain_templates(request: pytest.FixtureRequest, monkeypatch: Any) -> None:
    """Templates render as outside tests, unless a test reads `response.context` (mark `recorded_templates`):
    Django's test client otherwise records every template rendered with a copy of its context (every include and
    form widget is one), a twentieth of the authorization matrix's time and of every page a test opens. A test
    that reads `response.context` unmarked fails at once (it is None), never silently."""
    if request.node.get_closest_marker("recorded_templates") is None:
        from django.template.base import Template

        monkeypatch.setattr(Template, "_render", _render_plain)


def _render_plain(template: Any, context: Any) -> Any:
    return template.nodelist.render(context)


@pytest.fixture(scope="session")
def _downloads_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, _downloads_dir: Path) -> None:
    # Background jobs (zoufang/jobs) run inside the request, into a temporary folder; the jobs app's own tests
    # start real workers on the database and Redis backends.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    settings.ZOUFANG_DOWNLOADS_DIR = _downloads_dir
    # Rate-limit counters live in the cache: each test starts with none (the same address sends every request).
    # In memory even when REDIS_URL is set: clearing a Redis cache would empty its whole database (the queue's too).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()
    # The manifest exists only after `collectstatic`; pages under test need not depend on it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@dataclass
class Town:
    town: Region
    shangxiatang: Region  # 上下塘社区
    jijiadun: Region  # 计家墩村
    campaign: Campaign
    police: Unit  # 派出所
    users: dict[str, Any]
    households: dict[str, list[Target]]
    enterprise: Target


def _region(name: str, level: str, parent: Region | None) -> Region:
    region = Region(name=name, level=level, parent=parent)
    region.save()
    return region


@pytest.fixture
def town(db: Any) -> Town:
    """The small town, built once a run for each day and written back for every test that starts from an empty
    database (zoufang/core/testsnap.py: a tenth of the time its accounts take to make); built where other fixtures
    wrote first. A live server's test commits it, and the test's flush removes it."""
    from zoufang import clock
    from zoufang.core.testatomic import harness_block
    from zoufang.core.testsnap import built

    with harness_block():
        return built(f"town-{clock.today()}-{_town_settings()}", make_town, fresh=True)


def _town_settings() -> str:
    """What the town's stored rows depend on besides the day: the password hashes, the audit chain's key, the
    keys of the encrypted fields (a test may set others before the town is made)."""
    import hashlib

    from django.conf import settings

    used = repr([settings.PASSWORD_HASHERS[0], settings.SECRET_KEY, settings.DATA_KEYS, settings.INDEX_KEY,
                 settings.AUTH_PASSWORD_VALIDATORS])
    return hashlib.sha256(used.encode()).hexdigest()[:8]


def _demo_settings() -> str:
    """The town's, and the demo accounts' password: a test that builds a demo town with a password of its own gets
    a record of its own, rather than the run's other tests finding accounts they cannot log in to."""
    import hashlib

    from django.conf import settings

    return _town_settings() + hashlib.sha256(settings.ZOUFANG_DEMO_PASSWORD.encode()).hexdigest()[:8]


# The town's households carry numbers of their own: born on a day neither the factories (1940-02-02 on) nor the
# tests' hand-written numbers (1 January) use, so that a household a test makes never repeats one of them.
TOWN_BORN = dt.date(1945, 3, 3)


def make_town() -> Town:
    """The small town most tests start from (the `town` fixture; a module-scoped fixture may call it itself). Every
    value is written here, none drawn from a factory's sequence: the town written back in another process must not
    hold the numbers that process's factories give next."""
    city = _region("苏州市", Region.Level.CITY, None)
    county = _region("昆山市", Region.Level.COUNTY, city)
    town = _region("锦溪镇", Region.Level.TOWN, county)
    sxt = _region("上下塘社区", Region.Level.VILLAGE, town)
    sxt_group = _region("第1居民小组", Region.Level.GROUP, sxt)
    jjd = _region("计家墩村", Region.Level.VILLAGE, town)
    jjd_group = _region("第1村民小组", Region.Level.GROUP, jjd)
    campaign = Campaign.objects.create(
        slug="jinxi-test", name="锦溪镇测试走访", scope=town,
        starts_on=dt.date(2017, 1, 1), ends_on=dt.date(2017, 12, 31),
    )
    leadership = Unit.objects.create(name="镇党政班子", kind=Unit.Kind.TOWN_LEADERSHIP, region=town)
    police = Unit.objects.create(name="派出所", kind=Unit.Kind.TOWN_DEPARTMENT, region=town, party_member_count=31)
    committee = Unit.objects.create(name="上下塘社区居委会", kind=Unit.Kind.VILLAGE_COMMITTEE, region=sxt)
    wangwen = CadreFactory(name="王文", unit=leadership, role=Cadre.Role.TOWN_LEADER, phone="13912340001")
    officer = CadreFactory(name="派出所党员甲", unit=police, role=Cadre.Role.PARTY_MEMBER, phone="13912340002")
    village_cadre = CadreFactory(name="居委会干部甲", unit=committee, role=Cadre.Role.VILLAGE_CADRE,
                                 phone="13912340003")
    users = {
        "office": ensure_user("office", PASSWORD, role=RoleGrant.Role.OFFICE, region=town),
        "leader": ensure_user("leader", PASSWORD, role=RoleGrant.Role.LEADER, region=town, cadre=wangwen),
        "dept": ensure_user("dept", PASSWORD, cadre=officer),
        "village": ensure_user("village", PASSWORD, role=RoleGrant.Role.VILLAGE, region=sxt, cadre=village_cadre),
        "auditor": ensure_user("auditor", PASSWORD, role=RoleGrant.Role.AUDITOR, region=town),
        "outsider": ensure_user("outsider", PASSWORD),
    }
    households = {
        village: [
            TargetFactory(region=group, name=name, address=f"{group.parent.name}{n}号", phone=f"1381234{n:04d}",
                          id_number=id_number(n, born=TOWN_BORN))
            for name, n in names]
        for village, group, names in (
            ("shangxiatang", sxt_group, [("张建国", 1), ("李秀英", 2), ("王志强", 3)]),
            ("jijiadun", jjd_group, [("赵桂兰", 4), ("陈国华", 5)]))
    }
    enterprise = TargetFactory(
        kind=Target.Kind.ENTERPRISE, region=jjd, name="锦溪精密机械有限公司", id_number="",
        credit_code="91110000600037341L", address="计家墩村工业区8号", phone="13812349999",
    )
    return Town(town, sxt, jjd, campaign, police, users, households, enterprise)


DEMO_FIXTURE = "demo"
SNAPSHOTS = pytest.StashKey[ExitStack]()


def pytest_configure(config: pytest.Config) -> None:
    """The run's folder of fixture snapshots (zoufang/core/testsnap.py), made by the controller before it starts
    the pytest-xdist workers, which find it in their environment; on PostgreSQL, the migrated template database
    the workers' test databases are copied from, built meanwhile (zoufang/core/testdb.py)."""
    if not hasattr(config, "workerinput"):
        from zoufang.core.testdb import template_ahead
        from zoufang.core.testsnap import run_folder

        stack = config.stash[SNAPSHOTS] = ExitStack()
        stack.enter_context(run_folder())
        if not config.option.collectonly and not config.getoption("nomigrations", False):
            stack.enter_context(template_ahead())  # PostgreSQL: migrated while the workers start
    from zoufang.core.testatomic import Guard

    config.pluginmanager.register(Guard(), "zoufang-atomic-guard")


def pytest_unconfigure(config: pytest.Config) -> None:
    stack = config.stash.get(SNAPSHOTS, None)
    if stack is not None:
        stack.close()


def menghe_campaign() -> Campaign:
    """孟河镇 loaded once a run from each starting point and written back elsewhere: on the demo (inside the
    module's savepoint), or alone in a live server's empty database (committed here, flushed after the test)."""
    from zoufang.core.testatomic import harness_block
    from zoufang.core.testsnap import built
    from zoufang.demo.menghe import load_menghe_demo

    with harness_block():
        return Campaign.objects.get(pk=built(f"menghe-{_demo_settings()}", lambda: load_menghe_demo().pk))


def _uses_demo(item: pytest.Item | None) -> bool:
    return item is not None and DEMO_FIXTURE in getattr(item, "fixturenames", ())


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests that use the demo run in blocks, one block a pytest-xdist worker; the rest in pytest-django's order.

    The demo is loaded for a block (`SharedDemo`) inside a transaction that stays open while its tests run: none
    of them may be transactional (a live server could not see the uncommitted demo, a flush would delete it). It
    is rolled back after the last of them, before any other test runs. The first worker to need it loads it and
    records it (zoufang/core/testsnap.py); the others write the record back in seconds. With three workers or
    more, the transactional tests form a lane of their own for the last worker (zoufang/core/testlanes.py).
    """
    from zoufang.core.testlanes import is_late, order

    for item in items:
        if _uses_demo(item) and is_late(item):
            raise pytest.UsageError(f"{item.nodeid}: the demo is shared by the tests that use it inside one "
                                    "transaction; a transactional test or a live server cannot use it")
    once_is_enough(config, items)
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    items[:] = order(items, workers, spread)


# The fixtures through which a test reaches the test database (pytest-django's, and the demo's).
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_blocker", "django_db_setup", "live_server",
                     "django_db_reset_sequences", "django_db_serialized_rollback", DEMO_FIXTURE}


def uses_database(item: pytest.Item) -> bool:
    """Whether the test reaches the test database: marked django_db, or asks (through its fixtures) for one of
    DATABASE_FIXTURES. The session's autouse fixtures, which every test gets, are not followed."""
    if item.get_closest_marker("django_db") or item.get_closest_marker("every_database"):
        return True
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return True
    asked = list(info.argnames) + [name for mark in item.iter_markers("usefixtures") for name in mark.args]
    seen: set[str] = set()
    while asked:
        name = asked.pop()
        if name in DATABASE_FIXTURES:
            return True
        if name not in seen:
            seen.add(name)
            asked += [arg for fixturedef in info.name2fixturedefs.get(name, ()) for arg in fixturedef.argnames]
    return False


ENGINES = ("postgresql", "sqlite")


def runs_in_half(only: str | None, engine: str, *, halves: bool, reaches_database: bool) -> bool:
    """Whether a test runs on `engine`: one marked for one engine (`only`) runs on that one where both halves run,
    whether or not it reaches the database; otherwise a test that never reaches the database runs on SQLite only
    (PostgreSQL's half asks it only if it does)."""
    if only is not None and halves:
        return only == engine
    return engine == "sqlite" or reaches_database


def default_half(item: pytest.Item) -> str | None:
    """The half a test without a one_database mark runs in where both run: a browser test the SQLite half's,
    unless marked `every_database` (decision 0053); any other test both."""
    drives_chromium = "browser" in getattr(item, "fixturenames", ()) or item.get_closest_marker("browser")
    return "sqlite" if drives_chromium and not item.get_closest_marker("every_database") else None


def once_is_enough(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out what the other half of `make test` already runs (decisions 0014, 0046).

    On PostgreSQL (the second half), the tests that never reach the test database: the SQLite half ran the same
    code on the same input (about 500 tests, 75 s of the half). A test that reads the database settings without a
    database fixture (the router's, the test templates') is marked `every_database`.
    In either half, a test marked `one_database("postgresql")` or `one_database("sqlite")` runs in that half only:
    the crawls of every page for every role, whose subject is either the templates (the same on both engines) or
    what production's engine answers. A test that drives Chromium runs in the SQLite half only, which takes the
    screenshots, unless marked `every_database` (decision 0053: the queue's progress bar on PostgreSQL with Redis,
    a visit sent twice, hostile queries, a new town's deployment). Only where `make test` runs both halves (it
    sets ZOUFANG_BOTH_HALVES): a module run on its own runs whole on either engine."""
    from django.conf import settings

    engine = "postgresql" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"
    halves = bool(os.environ.get("ZOUFANG_BOTH_HALVES"))
    kept, left = [], []
    for item in items:
        only = item.get_closest_marker("one_database")
        if only and (len(only.args) != 1 or only.args[0] not in ENGINES):
            raise pytest.UsageError(f"{item.nodeid}: one_database takes 'postgresql' or 'sqlite', not {only.args}")
        here = runs_in_half(only.args[0] if only else default_half(item), engine, halves=halves,
                            reaches_database=engine == "sqlite" or uses_database(item))
        (kept if here else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


LATER_CHUNK = 4  # tests handed to a worker at a time after the first runs


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist load` with the first runs as xdist makes them (`spread` builds on them), then a few tests at a time.

    xdist hands a worker that runs low up to a quarter of what is left at once. The suite's last tests are its
    long ones (pytest-django runs the transactional tests, the browser's, after the others), so one worker could
    take a chunk of them minutes long while the other soon had nothing left to do: 100 s of a 12½-minute
    PostgreSQL half were one worker alone. With three workers or more, the transactional tests have a lane of
    their own (zoufang/core/testlanes.py).
    """
    if config.getoption("dist") != "load":
        return None
    from xdist.scheduler import LoadScheduling

    from zoufang.core.testlanes import scheduler

    class FirstRunsThenSmallChunks(LoadScheduling):
        def schedule(self) -> None:
            first = self.collection is None
            super().schedule()
            if first and self.collection is not None:
                self.maxschedchunk = min(self.maxschedchunk or LATER_CHUNK, LATER_CHUNK)

    return scheduler(FirstRunsThenSmallChunks, LATER_CHUNK)(config, log)


def _module(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


def spread(items: list[pytest.Item], workers: int) -> list[pytest.Item]:
    """The order that gives each of `workers` pytest-xdist workers one block of the demo's tests.

    `--dist load` first hands each worker a run of consecutive tests (a quarter of its share; xdist's
    LoadScheduling) and the rest one by one as they finish. The demo's tests, kept by module and in order (a
    layer's modules together: `_blocks`), are cut into one block a worker: the first worker's block opens its run
    (it loads and records the demo), every other worker's closes its run, so that the record is there when that
    worker reaches it, after tests of its own. With one worker, or when a block would not fit in a run, the demo's
    tests simply come first.
    """
    demo = [item for item in items if _uses_demo(item)]
    rest = [item for item in items if not _uses_demo(item)]
    run = len(items) // max(workers, 1) // 4
    blocks = _blocks(demo, workers)
    fits = len(blocks) == workers and all(len(block) <= run for block in blocks) and workers * run <= len(items)
    if workers < 2 or not demo or not fits:
        return [item for block in blocks for item in block] + rest
    ordered: list[pytest.Item] = list(blocks[0])
    others = iter(rest)
    ordered += [next(others) for _ in range(run - len(blocks[0]))]
    for block in blocks[1:]:
        ordered += [next(others) for _ in range(run - len(block))] + block
    return ordered + list(others)


def _blocks(demo: list[pytest.Item], workers: int) -> list[list[pytest.Item]]:
    """The demo's tests in `workers` blocks of about as many tests each, a module never cut in two; the modules of
    one layer (`demo_layer`) one after another, where the first of them was, so that it is built once a block."""
    modules: dict[str, list[pytest.Item]] = {}
    for item in demo:
        modules.setdefault(_module(item), []).append(item)
    first: dict[str, int] = {}
    for n, module in enumerate(modules):
        first.setdefault(_layer_of(modules[module], module) or module, n)
    placed = sorted(modules, key=lambda module: first[_layer_of(modules[module], module) or module])
    blocks: list[list[pytest.Item]] = [[]]
    share = len(demo) / max(workers, 1)
    for tests in (modules[module] for module in placed):
        if blocks[-1] and len(blocks) < workers and len(blocks[-1]) + len(tests) / 2 > share:
            blocks.append([])
        blocks[-1] += tests
    return blocks


@contextmanager
def rolled_back(django_db_blocker: Any) -> Iterator[None]:
    """For a module- or session-scoped fixture: database access, and everything written inside rolled back
    at the end (a transaction, or a savepoint inside an enclosing one). Each test's own writes are rolled
    back before that, as usual, so the data stays as the fixture left it for every test of its scope."""
    from django.db import transaction

    from zoufang.core.testatomic import harness_block

    with django_db_blocker.unblock(), harness_block():
        yield
        transaction.set_rollback(True)


class SharedDemo:
    """The 锦溪镇 2017 demo (with its plan, visits and cases), loaded once for all the tests that use it, in a
    transaction rolled back after the last of them (see pytest_runtest_teardown); and over it, at most one layer
    (`demo_layer`: the matrix's town), kept while the modules that ask for it follow one another."""

    def __init__(self, django_db_blocker: Any) -> None:
        self._blocker = django_db_blocker
        self._open = ExitStack()
        self._campaign: int | None = None
        self._layer = ExitStack()
        self._layer_name: str | None = None
        self._layer_result: bytes = b""

    def campaign(self) -> int:
        if self._campaign is None:
            from zoufang.core.testsnap import built
            from zoufang.demo.loader import load_demo

            self._open.enter_context(rolled_back(self._blocker))
            try:
                self._campaign = built(f"demo-{_demo_settings()}", lambda: load_demo().pk)
                _refresh_statistics(self._blocker)  # here: a module's savepoint would roll them back
            except BaseException:
                self._open.close()
                raise
        return self._campaign

    def keep_layer(self, name: str | None) -> None:
        """The layer `name` over the demo (none for None), before a module's own savepoint opens: the one already
        there if it is that one, else built in a savepoint of its own (the one before rolled back first). Its
        foreign keys are checked and its tables' statistics gathered here, in its savepoint: in the module's they
        would go with the module."""
        if name == self._layer_name:
            return
        self.drop_layer()
        if name is None:
            return
        import pickle

        from django.db import connection

        self._layer.enter_context(rolled_back(self._blocker))
        try:
            with self._blocker.unblock():
                result = DEMO_LAYERS[name](Campaign.objects.get(pk=self.campaign()))
                if connection.vendor == "postgresql":
                    connection.check_constraints()
            _refresh_statistics(self._blocker)
            self._layer_result = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            self._layer.close()
            raise
        self._layer_name = name

    def layer(self, name: str) -> Any:
        """The layer's result, unpickled afresh for each module (a module's changes to it stay its own)."""
        import pickle

        assert self._layer_name == name, f"the demo's layer {name} is not open (the `demo` fixture opens it)"
        return pickle.loads(self._layer_result)  # noqa: S301 - pickled by this process

    def drop_layer(self) -> None:
        self._layer_name = None
        self._layer.close()

    def roll_back(self) -> None:
        self.drop_layer()
        self._campaign = None
        self._open.close()


# A state built over the demo by many modules (`demo_layer`): its name (the fixture's) → what builds it.
DEMO_LAYERS: dict[str, Callable[[Campaign], Any]] = {}


def demo_layer(name: str) -> Callable[[Callable[[Campaign], Any]], Any]:
    """A module-scoped fixture `name` of the rows `build(demo)` writes over the demo, built once and kept while the
    modules that ask for it run one after another on a worker (the demo's tests are ordered so that they do:
    `_blocks`), rolled back before any other module of the demo's runs and with the demo.

    Each module still runs in a savepoint of its own, opened over the layer by the `demo` fixture: what a module
    writes is rolled back at its end, as before, and the next module finds the layer as built. `build` is run
    where the demo is open and nothing else; each module gets its own copy of its result."""

    def fixture(build: Callable[[Campaign], Any]) -> Any:
        DEMO_LAYERS[name] = build

        @pytest.fixture(scope="module", name=name)
        def layer(demo: Campaign, _shared_demo: SharedDemo) -> Any:
            return _shared_demo.layer(name)

        layer.__doc__ = build.__doc__
        return layer

    return fixture


def _refresh_statistics(django_db_blocker: Any) -> None:
    from django.db import connection

    from zoufang.core.testdb import refresh_statistics

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock():
            refresh_statistics(connection)


def _layer_of(items: list[pytest.Item], module: str) -> str | None:
    """The demo's layer the module's tests ask for, if any (one at most)."""
    asked = {name for item in items if _module(item) == module for name in DEMO_LAYERS
             if name in getattr(item, "fixturenames", ())}
    if len(asked) > 1:
        raise pytest.UsageError(f"{module}: its tests ask for {sorted(asked)}; the demo holds one layer at a time")
    return next(iter(asked), None)


SHARED_DEMO = pytest.StashKey[SharedDemo]()


@pytest.fixture(scope="session")
def _shared_demo(request: pytest.FixtureRequest, django_db_setup: Any, django_db_blocker: Any) -> Any:
    shared = request.config.stash[SHARED_DEMO] = SharedDemo(django_db_blocker)
    yield shared
    shared.roll_back()


@pytest.fixture(scope="module")
def demo(request: pytest.FixtureRequest, _shared_demo: SharedDemo, django_db_blocker: Any) -> Any:
    """The 锦溪镇 2017 demo for one test module: whatever the module writes is rolled back at its end
    (a savepoint inside the shared demo's transaction), so each module starts from the demo as loaded, with the
    layer its tests ask for (`demo_layer`) under that savepoint."""
    campaign = _shared_demo.campaign()
    _shared_demo.keep_layer(_layer_of(request.session.items, request.node.nodeid))
    with rolled_back(django_db_blocker):
        yield Campaign.objects.get(pk=campaign)


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest) -> Any:
    """After a module- or session-scoped fixture wrote rows inside an open transaction (the demo, the matrix's
    town): PostgreSQL checks their foreign keys now, once, and gathers the statistics of the tables it filled
    (core/testdb.py's `refresh_statistics`).

    Django's foreign keys are DEFERRABLE INITIALLY DEFERRED, and each test's teardown checks them with `SET
    CONSTRAINTS ALL IMMEDIATE` inside the test's savepoint. That fires every check still queued in the whole
    transaction, the fixture's hundreds of thousands of rows included, and the savepoint's rollback queues them
    again: about a second after every test of the demo, for checks that pass each time. Fired here, outside any
    test, they leave the queue; each test's teardown then checks what the test wrote, as before.
    """
    if fixturedef.scope == "function":
        return (yield)
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    from zoufang.core.testdb import refresh_statistics, table_changes

    def in_transaction() -> bool:
        return connection.vendor == "postgresql" and connection.in_atomic_block and connection.connection is not None

    blocker = request.config.stash[blocking_manager_key]
    before = None
    if in_transaction():
        with blocker.unblock():
            before = table_changes(connection)
    result = yield
    if in_transaction():
        with blocker.unblock():
            connection.check_constraints()
            refresh_statistics(connection, before)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """After the last test that uses the demo (its module's savepoint already gone), roll the demo back."""
    try:
        return (yield)
    finally:
        shared = item.config.stash.get(SHARED_DEMO, None)
        if shared is not None and _uses_demo(item) and not _uses_demo(nextitem):
            shared.roll_back()


def second_factor_code(user: Any) -> str | None:
    """A fresh single-use recovery code for a user who needs two factors (None for one who does not)."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from zoufang.accounts.twofactor import requires_two_factor

    if not requires_two_factor(user):
        return None
    device, _created = StaticDevice.objects.get_or_create(user=user, name="测试恢复码", defaults={"confirmed": True})
    return str(device.token_set.create(token=StaticToken.random_token()).token)


def verify_session(client: Client, user: Any) -> None:
    """What typing a valid code does to the session: marked as verified with one of the user's devices."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    if second_factor_code(user) is None:
        return
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = StaticDevice.objects.get(user=user, name="测试恢复码").persistent_id
    session.save()


def browser_login(page: Any, url: str, username: str, password: str = PASSWORD) -> None:
    """Log in through the real form, the second factor included when the account needs it."""
    from django.contrib.auth import get_user_model

    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    if "/account/2fa/" in page.url:
        code = second_factor_code(get_user_model().objects.get(username=username))
        page.fill("input[name=code]", code or "")
        page.click("form button[type=submit]")
    page.wait_for_url(f"{url}/")


@pytest.fixture(autouse=True)
def _force_login_includes_the_second_factor(monkeypatch: Any) -> None:
    """In tests, `force_login` stands for a whole login: password and, where required, the second factor."""
    original = Client.force_login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        original(self, user, backend)
        verify_session(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def login(client: Client) -> Any:
    def as_user(user: Any) -> Client:
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def api_token(client: Client) -> Any:
    return lambda username: api_token_for(client, username)


def api_token_for(client: Client, username: str) -> dict[str, str]:
    """The Authorization header of a token the user signs in for through the API (password and second factor)."""
    from django.contrib.auth import get_user_model

    otp = second_factor_code(get_user_model().objects.get(username=username))
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": PASSWORD, "otp": otp},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}
