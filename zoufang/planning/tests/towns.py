"""A town built from scratch: the shipped campaign renamed, its own tables and a synthetic registry imported."""

from pathlib import Path

from zoufang.campaigns.config import shipped_campaign_path
from zoufang.campaigns.models import Campaign
from zoufang.campaigns.services import load_campaign_file
from zoufang.demo.loader import SeedFigures, generate_files
from zoufang.registry.imports import run_import


def import_town(tmp_path: Path, town: str, slug: str, figures: SeedFigures, files: dict[str, str],
                tables: list[tuple[str, str, str | None]]) -> Campaign:
    """Write `files`, import the registry in the seed's order, then each (kind, file, label) of `tables`."""
    text = shipped_campaign_path("jinxi-2017").read_text(encoding="utf-8")
    text = text.replace("slug: jinxi-2017", f"slug: {slug}").replace("{name: 锦溪镇, level: town}",
                                                                    f"{{name: {town}, level: town}}")
    config = tmp_path / f"{slug}.yaml"
    config.write_text(text, encoding="utf-8")
    campaign = load_campaign_file(config)
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    generated = generate_files(figures, town, tmp_path / "registry")
    steps = [("regions", generated["regions"], None), ("units", tmp_path / "units.csv", None),
             ("departments", tmp_path / "departments.csv", "附件4-1"), ("units", generated["units"], None),
             ("cadres", tmp_path / "leaders.csv", None), ("cadres", generated["cadres"], None),
             ("households", generated["households"], None), ("enterprises", generated["enterprises"], None),
             ("projects", generated["projects"], None),
             *[(kind, tmp_path / name, label) for kind, name, label in tables]]
    for kind, path, label in steps:
        report = run_import(kind, path, campaign=campaign, source_label=label)
        assert report.ok, (kind, [str(e) for e in report.errors[:5]])
    return campaign
