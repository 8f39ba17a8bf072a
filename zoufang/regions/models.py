"""The region tree: 市 / 区县 / 镇 / 村·社区 / 村民小组 / 网格."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoufang.core.models import TimeStampedModel


class Region(TimeStampedModel):
    class Level(models.TextChoices):
        CITY = "city", _("市")
        COUNTY = "county", _("区县")
        TOWN = "town", _("镇")
        VILLAGE = "village", _("村（社区）")
        GROUP = "group", _("村（居）民小组")
        GRID = "grid", _("网格")

    LEVEL_ORDER = [Level.CITY, Level.COUNTY, Level.TOWN, Level.VILLAGE, Level.GROUP, Level.GRID]
    PATH_STEP = 6  # digits per path segment: up to a million siblings

    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField(_("区划代码"), max_length=20, blank=True, default="")
    # Materialised path of zero-padded ids ("000001.000007.000130."): a subtree is one
    # indexed prefix query on SQLite and PostgreSQL alike.
    path = models.CharField(_("路径"), max_length=255, editable=False, db_index=True, default="")
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    centre_household = models.ForeignKey(
        "registry.Target", verbose_name=_("党员中心户"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="centre_of_grids",
        help_text=_("仅网格：联系本网格党员的党员中心户"),
    )
    # WGS-84, as a phone's GPS reports it; the village's own position is the gazetteer targets fall back on.
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="region_unique_name_under_parent"),
            # An empty parent is distinct from another in SQL: the regions at the top need a constraint of their own.
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(parent__isnull=True), name="region_unique_name_at_top",
                violation_error_message=_("已有同名的最上级区划：没有上级的区划名称不能重复"),
            ),
            models.UniqueConstraint(
                fields=["code"], condition=~models.Q(code=""), name="region_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def level_rank(cls, level: str) -> int:
        return cls.LEVEL_ORDER.index(cls.Level(level))

    def clean(self) -> None:
        if self.parent is not None and self.level_rank(self.parent.level) >= self.level_rank(self.level):
            raise ValidationError(
                {"parent": _("上级“%(parent)s”是%(plevel)s，不能作为%(level)s的上级")
                 % {"parent": self.parent.name, "plevel": self.parent.get_level_display(),
                    "level": self.get_level_display()}}
            )
        if self.centre_household_id and self.level != self.Level.GRID:
            raise ValidationError({"centre_household": _("只有网格可以设置党员中心户")})

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        path = self.compute_path()
        if path != self.path:
            self.path = path
            Region.objects.filter(pk=self.pk).update(path=path)

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id and self.parent else ""
        return f"{prefix}{self.pk:0{self.PATH_STEP}d}."

    def subtree(self) -> "models.QuerySet[Region]":
        return Region.objects.filter(path__startswith=self.path)

    def ancestors(self) -> list["Region"]:
        ids = [int(part) for part in self.path.split(".") if part]
        by_id = Region.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    def local_name(self) -> str:
        """“上下塘社区 第1居民小组 第6网格”: from the village down, through the parents already loaded (no queries)."""
        names = []
        region: Region | None = self
        while region is not None:
            names.append(region.name)
            if region.level not in (self.Level.GROUP, self.Level.GRID) or not Region.parent.is_cached(region):
                break
            region = region.parent
        return " ".join(reversed(names))

    def full_name(self) -> str:
        return "".join(r.name for r in self.ancestors() if r.level != self.Level.CITY or r.pk == self.pk)
