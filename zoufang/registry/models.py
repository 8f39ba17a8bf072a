"""Units, cadres and the targets of a visit campaign."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from zoufang.core.crypto import BlindIndexField, EncryptedCharField, checked_indexes
from zoufang.core.models import TimeStampedModel
from zoufang.core.natural import NaturalKeyField, natural_key, natural_keys
from zoufang.registry import identifiers


def keep_towns(units: list["Unit"]) -> None:
    """Set each unit's `town` from its region (one query for them all): the town it lies in, None above the towns."""
    from zoufang.regions.models import Region
    from zoufang.registry.unitnames import towns_by_path

    paths = dict(Region.objects.filter(pk__in={u.region_id for u in units if u.region_id}).values_list("pk", "path"))
    towns = towns_by_path(paths.values())
    for unit in units:
        town = towns.get(paths.get(unit.region_id, "")) if unit.region_id else None
        unit.town = town


class UnitQuerySet(models.QuerySet):
    """Every write of a unit's region keeps its town, the bulk ones (the imports) too: the town is what the database
    holds the unit's name unique in (decision 0032's addendum)."""

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list["Unit"]:
        objs = list(objs)
        keep_towns(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs: Any, fields: Any, *args: Any, **kwargs: Any) -> int:
        objs, fields = list(objs), list(fields)
        if {"region", "region_id"} & set(fields):
            keep_towns(objs)
            fields.append("town")
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        if {"region", "region_id"} & set(kwargs) and not {"town", "town_id"} & set(kwargs):
            raise TypeError("a unit's region is changed by save() or bulk_update(), which keep its town")
        return super().update(**kwargs)


# Where two cities share the database a unit without a region would reach no campaign (decision 0032, addendum h8).
SHARED_NEEDS_REGION = _("请填写所属区划：本系统有不止一个市的区划，市级部门和其他单位写到它服务的市或区县（如“昆山市”），"
                        "只提供给该区划内的走访活动")


class Unit(TimeStampedModel):
    class Kind(models.TextChoices):
        TOWN_LEADERSHIP = "town_leadership", _("镇党政班子")
        TOWN_DEPARTMENT = "town_department", _("镇部门（支部）")
        CITY_DEPARTMENT = "city_department", _("市级机关部门")
        OUTSIDE_BODY = "outside_body", _("其他单位")
        VILLAGE_COMMITTEE = "village_committee", _("村（居）委会")

    # Unique within a town (with what lies under it) and among the shared units, not across the database: every
    # town has its own 派出所 (decision 0032; the constraints below hold a town's and the shared units', `clean` and
    # the imports also a shared or above-town unit's against a town's).
    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("单位类型"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所属区划"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="units",
    )
    # The town the region lies in (the region itself for a town), None for a shared unit or one above the towns:
    # kept from `region` by save() and the bulk writes (UnitQuerySet), so the database holds a name once a town.
    town = models.ForeignKey(
        "regions.Region", verbose_name=_("所属镇"), null=True, blank=True, editable=False, on_delete=models.PROTECT,
        related_name="+",
    )
    party_member_count = models.PositiveIntegerField(_("党员人数"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    archived_on = models.DateField(_("停用日期"), null=True, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unit_unique_name_in_region",
                                    violation_error_message=_("本区划已登记了同名单位")),
            models.UniqueConstraint(fields=["name"], condition=models.Q(region__isnull=True),
                                    name="unit_unique_shared_name",
                                    violation_error_message=_("已登记了同名的共用单位")),
            # A town's 派出所 and one of its villages' (two regions, one town): refused however many write at once.
            models.UniqueConstraint(fields=["town", "name"], condition=models.Q(town__isnull=False),
                                    name="unit_unique_name_in_town",
                                    violation_error_message=_("本镇已登记了同名单位")),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if fields is None or {"region", "region_id"} & set(fields):
            keep_towns([self])
            if fields is not None:
                kwargs["update_fields"] = [*fields, "town"]
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        """The name; “锦溪镇 派出所” when read with its town (`unitnames.with_town`), where towns mix (0032)."""
        town = getattr(self, "town_name", None)
        return f"{town} {self.name}" if town and not self.name.startswith(town) else self.name

    def clean(self) -> None:
        """A name is used once within a town's subtree and shadows no shared unit the town sees (decision 0032)."""
        from zoufang.registry.unitnames import clashing, one_tree, towns_of

        if self.region_id is None and not one_tree():
            raise ValidationError({"region": SHARED_NEEDS_REGION})
        if not self.name:
            return
        other = clashing(self.name, self.region if self.region_id else None, exclude=self.pk).first()
        if other is not None:
            town = towns_of([other])[other.pk]
            raise ValidationError({"name": _("“%(name)s”已登记在%(where)s，同一镇内（含各镇共用的单位）单位名称不能重复") % {
                "name": self.name, "where": town.name if town is not None else _("各镇共用的单位中")}})


class Cadre(TimeStampedModel):
    class Role(models.TextChoices):
        TOWN_LEADER = "town_leader", _("镇党政领导")
        PARTY_MEMBER = "party_member", _("部门党员干部")
        VILLAGE_CADRE = "village_cadre", _("村（社区）干部")
        OTHER = "other", _("其他")

    name = models.CharField(_("姓名"), max_length=50)
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="cadres")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    title = models.CharField(_("职务"), max_length=50, blank=True, default="")
    phone_index = BlindIndexField(_("手机号码索引"), db_index=True)
    phone = EncryptedCharField(_("手机号码"), max_length=20, blank=True, default="", index_field="phone_index",
                               normaliser="phone")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("登录账号"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="cadre",
    )
    supervisor = models.ForeignKey(
        "self", verbose_name=_("上一级"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="reports", help_text=_("“上下谈一级”中的上一级干部"),
    )
    linked_regions = models.ManyToManyField(
        "regions.Region", verbose_name=_("挂钩村（社区）"), blank=True, related_name="linked_cadres"
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    archived_on = models.DateField(_("离岗日期"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("走访干部")
        verbose_name_plural = _("走访干部")
        ordering = ["unit__sort_order", "sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="cadre_unique_name_in_unit")]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit.name}）"

    def clean(self) -> None:
        if self.phone and not identifiers.is_valid_mobile(self.phone):
            raise ValidationError({"phone": identifiers.MOBILE_RULE})
        if self.supervisor_id and self.supervisor_id == self.pk:
            raise ValidationError({"supervisor": _("上一级不能是本人")})


class PositionSource(models.TextChoices):
    IMPORTED = "imported", _("导入")
    ADDRESS = "address", _("按地址")
    VILLAGE = "village", _("村（社区）位置")


class TargetQuerySet(models.QuerySet["Target"]):
    """The bulk writes of a name or an address write its natural key with it (the plain save does by itself)."""

    def bulk_update(self, objs: Any, fields: Any, *args: Any, **kwargs: Any) -> int:
        fields = list(fields)
        return super().bulk_update(objs, [*fields, *natural_keys(self.model, fields)], *args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        for field in self.model._meta.concrete_fields:
            # bulk_update comes here with both, as CASE expressions over the rows it was given.
            if isinstance(field, NaturalKeyField) and field.source in kwargs and field.name not in kwargs:
                if not isinstance(kwargs[field.source], str):
                    raise TypeError(f"{field.source}: an expression would leave its natural key behind; save the rows")
                kwargs[field.name] = natural_key(kwargs[field.source])
        return super().update(**kwargs)


class Target(TimeStampedModel):
    class Kind(models.TextChoices):
        REGISTERED_HOUSEHOLD = "registered_household", _("户籍户")
        RESIDENT_HOUSEHOLD = "resident_household", _("非户籍常住户")
        ENTERPRISE = "enterprise", _("企业")
        PROJECT = "project", _("项目")
        NOTABLE_PERSON = "notable_person", _("名士")
        CADRE = "cadre", _("干部")

    HOUSEHOLD_KINDS = (Kind.REGISTERED_HOUSEHOLD, Kind.RESIDENT_HOUSEHOLD)
    # Kinds whose name is a person's: written with the standard's separator dot (core.names, decision 0069).
    PERSON_NAMED_KINDS = (*HOUSEHOLD_KINDS, Kind.NOTABLE_PERSON, Kind.CADRE)

    class Scale(models.TextChoices):
        ABOVE_SCALE = "above_scale", _("规模以上")
        SMALL_MEDIUM = "small_medium", _("中小企业")

    kind = models.CharField(_("对象类型"), max_length=24, choices=Kind.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="targets"
    )
    # Household head, enterprise, project or person name.
    name = models.CharField(_("名称/户主姓名"), max_length=200)
    address = models.CharField(_("地址"), max_length=300, blank=True, default="")
    # The name and the address in natural order (户主2 before 户主10), kept by every write: the order 我的走访 and its
    # paged API share (visits.mylist.assignments_of).
    name_order = NaturalKeyField(_("名称排序"), source="name")
    address_order = NaturalKeyField(_("地址排序"), source="address")
    # Encrypted at rest; found and kept unique through their blind indexes (zoufang/core/crypto.py).
    phone_index = BlindIndexField(_("联系电话索引"), db_index=True)
    phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True, default="", index_field="phone_index",
                               normaliser="phone")
    id_number_index = BlindIndexField(_("身份证号码索引"))
    id_number = EncryptedCharField(_("身份证号码"), max_length=18, blank=True, default="",
                                   index_field="id_number_index", normaliser="id")
    member_count = models.PositiveSmallIntegerField(_("家庭人口"), null=True, blank=True)
    hardship = models.BooleanField(_("困难家庭"), default=False)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, default="")
    scale = models.CharField(_("企业规模"), max_length=16, choices=Scale.choices, blank=True, default="")
    is_key = models.BooleanField(_("重点"), default=False)
    industry = models.CharField(_("行业"), max_length=100, blank=True, default="")
    # Whom a visitor asks for at an enterprise or a project, and who answers for an enterprise in law: persons'
    # names, shown as the target's phone is (in full to the office, the village and the assigned visitor; masked as a
    # name to everyone else; registry/presenters.py), corrected and erased with the contact's number (privacy/).
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True, default="")
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True, default="")
    stage = models.CharField(_("项目阶段"), max_length=50, blank=True, default="")
    description = models.CharField(_("简介"), max_length=300, blank=True, default="")
    cadre = models.OneToOneField(
        Cadre, verbose_name=_("对应干部"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="as_target",
    )
    archived_on = models.DateField(_("迁出/注销日期"), null=True, blank=True)
    # WGS-84 (GPS); where the office gave none, filled from the local gazetteer (zoufang/regions/positions.py).
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    position_source = models.CharField(_("位置来源"), max_length=10, choices=PositionSource.choices, blank=True,
                                       default="")
    is_demo = models.BooleanField(_("演示数据"), default=False)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访对象")
        verbose_name_plural = _("走访对象")
        ordering = ["region__path", "id"]
        indexes = [models.Index(fields=["kind", "region"], name="target_kind_region"),
                   # An import finds the stored rows its file names by 户主姓名 or name (registry/imports).
                   models.Index(fields=["name"], name="target_name"),
                   # 全覆盖 (oversight/fullcoverage.py): a requirement's targets counted per region from these
                   # alone (index-only on PostgreSQL), the whole kinds' active ones and each filter's few.
                   models.Index(fields=["kind", "region"], condition=models.Q(archived_on__isnull=True),
                                name="target_active_kind_region"),
                   models.Index(fields=["kind", "region"], include=["id"],
                                condition=models.Q(hardship=True, archived_on__isnull=True), name="target_hardship"),
                   models.Index(fields=["kind", "scale", "region"], include=["id"],
                                condition=~models.Q(scale="") & models.Q(archived_on__isnull=True),
                                name="target_scale"),
                   models.Index(fields=["kind", "region"], include=["id"],
                                condition=models.Q(is_key=True, archived_on__isnull=True), name="target_key")]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~models.Q(credit_code=""), name="target_unique_credit_code"
            ),
            models.UniqueConstraint(
                fields=["kind", "id_number_index"], condition=~models.Q(id_number_index=""),
                name="target_unique_id_number_per_kind",
                violation_error_message=_("同一类别中已登记了这个身份证号码"),
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *natural_keys(Target, kwargs["update_fields"])}
        with transaction.atomic():  # a move to another region or kind moves its kept coverage counts with it
            super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.name

    @property
    def is_household(self) -> bool:
        return self.kind in self.HOUSEHOLD_KINDS

    def validate_constraints(self, exclude: Any = None) -> None:
        super().validate_constraints(checked_indexes(type(self), exclude))

    def clean(self) -> None:
        errors = {}
        if self.id_number and not identifiers.is_valid_id_number(self.id_number):
            errors["id_number"] = identifiers.ID_NUMBER_RULE
        if self.credit_code and not identifiers.is_valid_credit_code(self.credit_code):
            errors["credit_code"] = identifiers.CREDIT_CODE_RULE
        if self.phone and not identifiers.is_valid_phone(self.phone):
            errors["phone"] = identifiers.PHONE_RULE
        if self.kind == self.Kind.ENTERPRISE and not self.credit_code:
            errors["credit_code"] = _("企业必须填写统一社会信用代码")
        if errors:
            raise ValidationError(errors)
