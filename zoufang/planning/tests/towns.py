"""A town built from scratch through the office's own import path, as a new user would: for the planner's tests."""

import hashlib
from collections.abc import Callable
from pathlib import Path

from django.db import transaction

from zoufang.campaigns.config import shipped_campaign_path
from zoufang.campaigns.models import Campaign
from zoufang.campaigns.services import load_campaign_file
from zoufang.demo.loader import SeedFigures, generate_files
from zoufang.registry.imports import run_import

Step = tuple[str, str, str | None]  # (import kind, file: a name in `files` or a generated one, source label)
# The registry in the order the README gives, from the generated files and the town's units.csv,
# departments.csv and leaders.csv; a town's tables follow.
REGISTRY_STEPS: list[Step] = [
    ("regions", "regions", None), ("units", "units.csv", None), ("departments", "departments.csv", "附件4-1"),
    ("units", "units", None), ("cadres", "leaders.csv", None), ("cadres", "cadres", None),
    ("households", "households", None), ("enterprises", "enterprises", None), ("projects", "projects", None),
]


def build_town(tmp_path: Path, town: str, slug: str, figures: SeedFigures, files: dict[str, str],
               steps: list[Step], *, extend: Callable[[dict[str, Path]], None] | None = None,
               config: Path | None = None, seed: int | None = None) -> Campaign:
    """The jinxi-2017 rules under another town and slug (or the town's own `config`), its own files and a generated
    registry (drawn with `seed`: another town's residents), imported in order.

    A step's file is one of `files` (written to tmp_path) or one generated: regions, units, cadres,
    households, enterprises, projects. `extend` may add rows to the generated files first.
    """
    if config is None:
        text = shipped_campaign_path("jinxi-2017").read_text(encoding="utf-8")
        text = text.replace("slug: jinxi-2017", f"slug: {slug}").replace("{name: 锦溪镇, level: town}",
                                                                        f"{{name: {town}, level: town}}")
        config = tmp_path / f"{slug}.yaml"
        config.write_text(text, encoding="utf-8")
    paths = generate_files(figures, town, tmp_path / "registry", seed)
    for name, body in files.items():
        paths[name] = tmp_path / name
        paths[name].write_text(body, encoding="utf-8")
    if extend is not None:
        extend(paths)

    def imported() -> Campaign:
        campaign = load_campaign_file(config)
        for kind, name, label in steps:
            report = run_import(kind, paths[name], campaign=campaign, source_label=label)
            assert report.ok, (kind, name, [str(e) for e in report.errors[:5]])
        return campaign

    return _built_once(imported, config, paths, steps)


def _built_once(imported: Callable[[], Campaign], config: Path, paths: dict[str, Path], steps: list[Step]) -> Campaign:
    """`imported()`'s campaign, imported here or written back from the run's record of the same files imported into
    an empty test database (zoufang/core/testsnap.py, as the `town` fixture): the planner's modules build their town
    for each test, the same files every time. The files are written either way; what the rows depend on besides
    them (the day, the settings) is in the record's name, and the database keeps only the files' names. The campaign
    is the one `load_campaign_file` returned, as it was (its configuration in the file's order, not PostgreSQL's)."""
    from zoufang import clock
    from zoufang.conftest import _town_settings
    from zoufang.core.testsnap import built

    digest = hashlib.sha256(repr(steps).encode())
    for path in (config, *(paths[name] for _kind, name, _label in steps)):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    with transaction.atomic():
        return built(f"built-town-{digest.hexdigest()[:16]}-{clock.today()}-{_town_settings()}", imported, fresh=True)
