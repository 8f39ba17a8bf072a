"""The office's own calendar entries: overrides of single days and officially loaded years."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zoufang import clock
from zoufang.core.models import RecordedAtField


class DayOverride(models.Model):
    """One day declared a working day or a rest day by the office (or by an imported schedule)."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("说明"), max_length=100, blank=True, default="", help_text=_("如“国庆节”“国庆节调休上班”"))
    created_at = RecordedAtField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{clock.day(self.date)} {_('上班') if self.is_workday else _('休息')} {self.name}"


class OfficialYear(models.Model):
    """A year whose official holiday schedule the office has imported: no weekends-only fallback for it."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=200, blank=True, default="")
    imported_at = RecordedAtField(_("导入时间"), auto_now=True)

    class Meta:
        verbose_name = _("已导入放假安排的年份")
        verbose_name_plural = _("已导入放假安排的年份")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)
