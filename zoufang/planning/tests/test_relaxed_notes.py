"""The planner's note on a per-person rule it had to relax, read by a town clerk: the departments it pooled are all
named, and the relaxed counts read as Chinese, not as a Python list (千灯镇, a town with few households)."""

from pathlib import Path

import pytest
from django.core.management import call_command

from zoufang.campaigns.models import Campaign
from zoufang.planning.services import run_plan
from zoufang.registry.imports import run_import
from zoufang.web.tests import qiandeng

pytestmark = pytest.mark.django_db


def test_it_names_every_pooled_department_and_writes_the_counts_as_text(tmp_path: Path):
    call_command("campaign", "load", str(qiandeng.campaign_yaml(tmp_path)), stdout=None)
    campaign = Campaign.objects.get(slug=qiandeng.SLUG)
    files = qiandeng.all_files(tmp_path)
    for kind in ("regions", "units", "departments", "cadres", "households", "enterprises", "projects", "allocation"):
        report = run_import(kind, files[kind], filename=files[kind].name, campaign=campaign)
        assert report.ok, (kind, [str(e) for e in report.errors])

    notes = run_plan(campaign, dry_run=True).notes

    relaxed = [note for note in notes if "无法分尽" in note]
    assert relaxed, notes
    for note in relaxed:
        assert "[" not in note, note
        assert note.startswith("党政办、经发局："), note  # 5 people: 党政办's 3 and 经发局's 2
