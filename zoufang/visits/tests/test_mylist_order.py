"""我的走访 lists a village's targets in natural order: 幸福路2号 before 幸福路10号, 户主2 before 户主100."""

import re

import pytest

from zoufang.planning.models import Assignment
from zoufang.registry.models import Target
from zoufang.registry.tests.factories import TargetFactory
from zoufang.visits.mylist import assigned_targets

pytestmark = pytest.mark.django_db

NUMBERS = (101, 0, 2, 100, 10, 1)


@pytest.fixture
def numbered(town):
    """The 派出所 party member given six households of 第1居民小组, their numbers in the name and the address."""
    group = town.households["shangxiatang"][0].region
    for n in NUMBERS:
        target = TargetFactory(region=group, name=f"户主{n}", address=f"幸福路{n}号")
        Assignment.objects.create(campaign=town.campaign, target=target, unit=town.police,
                                  cadre=town.users["dept"].cadre)
    return town


def test_it_orders_addresses_with_their_numbers_as_numbers(numbered):
    names = [item.target.name for item in assigned_targets(numbered.users["dept"])]
    assert names == ["户主0", "户主1", "户主2", "户主10", "户主100", "户主101"]


def test_it_orders_by_name_where_the_addresses_are_the_same(numbered):
    Target.objects.filter(name__startswith="户主").update(address="")
    names = [item.target.name for item in assigned_targets(numbered.users["dept"])]
    assert names == ["户主0", "户主1", "户主2", "户主10", "户主100", "户主101"]


def test_the_page_lists_the_cards_and_the_ones_to_visit_in_that_order(login, numbered):
    page = login(numbered.users["dept"]).get("/me/").content.decode()
    due = page[page.index('data-part="due"'):page.index("</section>", page.index('data-part="due"'))]
    cards = page[page.index('class="my-village"'):page.index('id="visit-form"')]
    listed = list(dict.fromkeys(re.findall(r"户主\d+", cards)))
    assert listed == ["户主0", "户主1", "户主2", "户主10", "户主100", "户主101"]
    assert re.findall(r"户主\d+", due) == ["户主0", "户主1", "户主2", "户主10", "户主100"]
