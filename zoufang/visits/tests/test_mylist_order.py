"""我的走访 lists a village's targets in natural order: 幸福路2号 before 幸福路10号, 户主2 before 户主100."""

import re

import pytest
from django.db.models import F

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


def _api_names(client, headers, size):
    """The names of /api/v1/me/targets read page by page through its `next` cursor, and the pages' sizes."""
    names, pages, after = [], [], None
    while True:
        query = f"?page_size={size}" + (f"&after={after}" if after else "")
        answer = client.get(f"/api/v1/me/targets{query}", **headers).json()
        names += [row["name"] for row in answer["items"]]
        pages.append(len(answer["items"]))
        after = answer["next"]
        if after is None:
            return names, pages


def test_the_paged_api_lists_them_in_the_pages_order_across_a_page_boundary(client, numbered, api_token):
    headers = api_token("dept")
    names, pages = _api_names(client, headers, 3)
    # 户主2 ends the first page, 户主10 begins the second: as text 户主10 would come first.
    assert (names, pages) == (["户主0", "户主1", "户主2", "户主10", "户主100", "户主101"], [3, 3])
    assert names == [item.target.name for item in assigned_targets(numbered.users["dept"])]


def test_the_paged_api_orders_by_name_where_the_addresses_are_the_same(client, numbered, api_token):
    for target in Target.objects.filter(name__startswith="户主"):
        target.address = "幸福路1号"
        target.save()
    names, _pages = _api_names(client, api_token("dept"), 2)
    assert names == ["户主0", "户主1", "户主2", "户主10", "户主100", "户主101"]


def test_every_write_of_a_name_keeps_its_natural_key(numbered):
    from zoufang.core.natural import natural_key

    target = Target.objects.get(name="户主2")
    target.name = "户主20"
    target.save(update_fields=["name"])
    Target.objects.filter(name="户主10").update(address="幸福路110号")
    renamed = Target.objects.get(name="户主101")
    renamed.name = "户主7"
    Target.objects.bulk_update([renamed], ["name"])
    stored = dict(Target.objects.filter(name__startswith="户主").values_list("name", "name_order"))
    assert all(key == natural_key(name) for name, key in stored.items())
    assert Target.objects.values_list("address_order", flat=True).get(name="户主10") == natural_key("幸福路110号")
    with pytest.raises(TypeError):
        Target.objects.filter(name="户主7").update(name=F("address"))


def test_the_key_reads_numbers_as_numbers_and_text_as_text():
    from zoufang.core.natural import natural_key

    texts = ["户主a", "户主10", "户主", "户主２", "幸福路", "户主2号", "户主02"]
    assert sorted(texts, key=natural_key) == ["幸福路", "户主", "户主２", "户主02", "户主2号", "户主10", "户主a"]


def test_every_cursor_the_api_gives_is_taken_back_even_after_the_longest_address(client, numbered, api_token):
    """An address at the field's full length, in Chinese with runs of digits, control and odd characters: its sort
    key signed into the cursor would run past `after`'s 500 characters, so the next page was refused (decision
    0049). Every `next` fits and reads on."""
    longest = Target._meta.get_field("address").max_length
    odd = "锦溪镇幸福路\x01\t\x1f\u200b\u202e\U0001F3E0'\"<>&%?#/\\12号" * 20
    for n, target in enumerate(Target.objects.filter(name__in=["户主1", "户主2", "户主10"])):
        target.address = (f"{n}" + odd)[:longest]
        target.save()
    assert len(Target.objects.get(name="户主1").address) == longest
    headers = api_token("dept")
    seen, after = [], None
    while True:
        query = "?page_size=1" + (f"&after={after}" if after else "")
        answer = client.get(f"/api/v1/me/targets{query}", **headers)
        assert answer.status_code == 200, answer.content
        seen += [row["name"] for row in answer.json()["items"]]
        after = answer.json()["next"]
        if after is None:
            break
        assert len(after) <= 500
    assert seen == [item.target.name for item in assigned_targets(numbered.users["dept"])]
    assert sorted(seen) == sorted(f"户主{n}" for n in NUMBERS)
