"""Two towns set up through the office's import path from the same tables, with the same unit names (镇党政班子,
综治办, 经发局, 社事局, the villages' 村委会): each registers its own units (decision 0032), each plans and proves
its plan, and each town's departments visit only their own town."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command
from openpyxl import load_workbook

from zoufang.demo.loader import SeedFigures
from zoufang.planning.check import check_plan, is_clean
from zoufang.planning.models import Assignment
from zoufang.planning.services import run_plan
from zoufang.planning.tests.test_new_town import CADRES, FILES, STEPS, TOWN, VILLAGES
from zoufang.planning.tests.towns import build_town
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Unit
from zoufang.registry.unitnames import named

OTHER = "东湖镇"


def test_two_towns_import_the_same_tables_and_each_plans_its_own_departments(db, tmp_path: Path):
    campaigns = {}
    for town, slug, seed in ((TOWN, "shihu-2017", None), (OTHER, "donghu-2017", 2)):
        files = {name: body.replace(TOWN, town) for name, body in FILES.items()}
        (tmp_path / slug).mkdir()
        campaigns[town] = build_town(tmp_path / slug, town, slug, SeedFigures(VILLAGES, CADRES), files, STEPS,
                                     seed=seed)
    assert Unit.objects.filter(name="经发局").count() == 2
    assert Unit.objects.filter(name="市商务局").count() == 1  # the shared unit both towns' tables name
    for town, campaign in campaigns.items():
        run_plan(campaign)
        assert is_clean(check_plan(campaign))
        region = Region.objects.get(name=town)
        department = named("经发局", region)
        assert department is not None
        assert department.region == region
        assert Cadre.objects.filter(unit=department).count() == 22
        visited = Assignment.objects.filter(campaign=campaign, unit=department).values_list(
            "target__region__path", flat=True)
        assert visited
        assert all(path.startswith(region.path) for path in visited)
        # `plan export --unit 经发局` is the campaign's town's 经发局.
        out = tmp_path / f"{town}经发局.xlsx"
        said = StringIO()
        call_command("plan", "export", campaign=campaign.slug, unit="经发局", out=str(out), stdout=said)
        assert f"经发局 {Cadre.objects.filter(unit=department, assignments__campaign=campaign).distinct().count()}" \
            in said.getvalue()
        assert load_workbook(out, read_only=True).sheetnames
