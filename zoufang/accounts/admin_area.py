"""Master data in the admin by region: an office given the admin (as the demo gives 锦溪镇's) keeps to its own town.

The system and security administrators, whose duties are the whole site's configuration and grants, and a superuser
see every row. Anyone else sees the rows of their office's regions and the regionless bodies every town shares
(read only: changing one would change it for every town).
"""

from typing import Any

from django.db.models import ForeignKey, ManyToManyField, Q, QuerySet
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.http import HttpRequest

from zoufang.accounts import scope

Role = scope.Role


def office_paths(user: Any) -> list[str] | None:
    """The region paths whose master data the user maintains; None for every region."""
    if getattr(user, "is_superuser", False) or scope.has_role(user, Role.SYSADMIN, Role.SECURITY_ADMIN):
        return None
    return scope._region_paths(user, {Role.OFFICE})


def _own_choices(model: Any, user: Any) -> QuerySet[Any] | None:
    """The office's own regions, units, cadres or accounts, for a form's choice of one (a cadre's supervisor, the
    account a cadre signs in with); None for every one (or another model)."""
    from django.contrib.auth import get_user_model

    from zoufang.accounts.models import RoleGrant
    from zoufang.regions.models import Region
    from zoufang.registry.models import Cadre, Unit

    paths = office_paths(user)
    if paths is None:
        return None
    if model is Region:
        return Region.objects.filter(scope._under_any(paths, "path"))
    if model is Unit:
        return Unit.objects.filter(scope._under_any(paths, "region__path"))
    if model is Cadre:
        return Cadre.objects.filter(scope._under_any(paths, "unit__region__path"))
    if model is get_user_model():  # an account granted a role within the office's regions
        granted = RoleGrant.objects.filter(scope._under_any(paths, "region__path")).values("user")
        return model.objects.filter(pk__in=granted)
    return None


def several_towns(user: Any) -> bool:
    """Whether the admin's user maintains more than one town: units are then named with their towns (0032)."""
    from zoufang.registry.unitnames import towns_in_area

    return towns_in_area(office_paths(user)) > 1


class AreaChoicesMixin:
    """The regions, units, cadres and accounts a form offers and takes (a unit's region, a cadre's unit, linked
    villages, supervisor and account, a target's region): the office's own. The autocomplete offers no other, and another town's id posted is not a valid choice."""

    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any) -> ModelChoiceField:
        from zoufang.registry.models import Unit
        from zoufang.registry.unitnames import with_town

        own = _own_choices(db_field.related_model, request.user)
        if own is not None:
            kwargs["queryset"] = own
        if db_field.related_model is Unit and several_towns(request.user):  # “锦溪镇 派出所”, never two bare 派出所
            kwargs["queryset"] = with_town(kwargs.get("queryset", Unit.objects.all()))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: ManyToManyField, request: HttpRequest,
                                 **kwargs: Any) -> ModelMultipleChoiceField | None:
        own = _own_choices(db_field.related_model, request.user)
        if own is not None:
            kwargs["queryset"] = own
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class AreaAdminMixin(AreaChoicesMixin):
    """`region_field` names the row's region (a path lookup; "" for a region itself); `shared_when_null`: a row
    without one is read by all."""

    region_field = "region"
    shared_when_null = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        rows = super().get_queryset(request)  # type: ignore[misc]
        paths = office_paths(request.user)
        if paths is None:
            return rows
        condition = scope._under_any(paths, f"{self.region_field}__path" if self.region_field else "path")
        if self.shared_when_null:
            condition |= Q(**{f"{self.region_field}__isnull": True})
        return rows.filter(condition)

    def _in_own_area(self, request: HttpRequest, obj: Any) -> bool:
        paths = office_paths(request.user)
        if obj is None or paths is None:
            return True
        path = self.region_path(obj)
        return path is not None and any(path.startswith(p) for p in paths)

    def region_path(self, obj: Any) -> str | None:
        region = obj
        for name in filter(None, self.region_field.split("__")):
            region = getattr(region, name, None)
        return getattr(region, "path", None)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._in_own_area(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._in_own_area(request, obj)  # type: ignore[misc]
