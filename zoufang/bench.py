"""`make bench`: import and list speed as ratios against baselines measured in the same run.

Absolute seconds mean little on a shared machine; a ratio to a baseline taken moments before
on the same machine does. Each case reports best-of-N times and the ratio.
"""

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPEAT = 3


def best_of(func: Callable[[], object], repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="zoufang-bench-"))
    os.environ["ZOUFANG_VAR_DIR"] = str(workdir)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoufang.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import transaction

    from zoufang.demo.loader import load_demo
    from zoufang.registry.imports import run_import
    from zoufang.registry.models import Target

    campaign = load_demo()
    households = workdir / "demo" / "households.csv"
    rows = households.read_text(encoding="utf-8").count("\n") - 1

    def baseline_insert() -> None:
        # The floor: the same number of rows bulk-inserted with no reading, checking or matching.
        region = Target.objects.first().region  # type: ignore[union-attr]
        with transaction.atomic():
            Target.objects.bulk_create(
                [Target(kind=Target.Kind.RESIDENT_HOUSEHOLD, region=region, name=f"b{i}") for i in range(rows)],
                batch_size=1000,
            )
            transaction.set_rollback(True)

    def reimport() -> None:
        report = run_import("households", households, campaign=campaign)
        if not report.ok or report.unchanged != rows:
            raise SystemExit(f"重新导入结果不符：{report.summary()}")

    def dry_run() -> None:
        if not run_import("households", households, campaign=campaign, dry_run=True).ok:
            raise SystemExit("演示居民户文件检查未通过")

    baseline = best_of(baseline_insert)
    print(f"基准：直接批量插入 {rows} 行  {baseline:.3f} 秒")
    for label, func in (("重新导入居民户（全部未变）", reimport), ("仅检查居民户文件", dry_run)):
        seconds = best_of(func)
        print(f"{label}：{seconds:.3f} 秒，是基准的 {seconds / baseline:.1f} 倍")


if __name__ == "__main__":
    main()
