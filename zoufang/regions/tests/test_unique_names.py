"""Two regions of one name under one parent would make every “锦溪镇/…” path ambiguous; regions at the top of the tree
(a city, or a town loaded without its county) have no parent, and an empty parent is a value too."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from zoufang.regions.models import Region

pytestmark = pytest.mark.django_db


def test_two_regions_at_the_top_of_the_tree_cannot_share_a_name() -> None:
    Region.objects.create(name="昆山市", level=Region.Level.CITY)
    second = Region(name="昆山市", level=Region.Level.CITY)
    with pytest.raises(ValidationError) as refused:  # what the admin's form shows
        second.full_clean()
    assert "已有同名的最上级区划" in str(refused.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_the_same_name_may_stand_under_two_parents() -> None:
    city = Region.objects.create(name="昆山市", level=Region.Level.CITY)
    other = Region.objects.create(name="常州市", level=Region.Level.CITY)
    Region.objects.create(name="新区", level=Region.Level.COUNTY, parent=city)
    Region.objects.create(name="新区", level=Region.Level.COUNTY, parent=other)
