"""factory_boy factories for the registry; deterministic, valid identifiers."""

import datetime as dt

import factory

from zoufang.regions.models import Region
from zoufang.registry.identifiers import id_number_check_digit
from zoufang.registry.models import Cadre, Target, Unit


def id_number(seq: int, *, area: str = "320583", born: dt.date = dt.date(1970, 1, 1)) -> str:
    body = f"{area}{born:%Y%m%d}{seq % 1000:03d}"
    return body + id_number_check_digit(body)


# The factories' households are born on days no test writes by hand (tests use id_number(k), born 1970-01-01): a
# hand-written number never duplicates a household the factory made earlier in the same process, whatever the
# factory's sequence has reached. A new birth day every 1000 households keeps the factory's own numbers unique.
FACTORY_BORN = dt.date(1940, 2, 2)


def factory_id_number(seq: int) -> str:
    return id_number(seq, born=FACTORY_BORN + dt.timedelta(days=seq // 1000))


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"区划{n}")
    level = Region.Level.VILLAGE


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"单位{n}")
    kind = Unit.Kind.TOWN_DEPARTMENT


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadre

    name = factory.Sequence(lambda n: f"干部{n}")
    unit = factory.SubFactory(UnitFactory)
    role = Cadre.Role.PARTY_MEMBER
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    kind = Target.Kind.REGISTERED_HOUSEHOLD
    name = factory.Sequence(lambda n: f"户主{n}")
    address = factory.Sequence(lambda n: f"幸福路{n}号")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    id_number = factory.Sequence(factory_id_number)
