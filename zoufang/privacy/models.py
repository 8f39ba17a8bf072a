"""What an erasure on request keeps so that it holds: the keyed blind index of each ID and phone number erased,
never the number (decision 0039, addenda). The registry's imports leave out a row whose ID number is on the list, or
that has none and whose phone is (privacy/suppression.py); the office lifts an entry when the resident consents
again."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zoufang import clock
from zoufang.core import limits
from zoufang.core.models import TimeStampedModel


class Reason(models.TextChoices):
    """法定理由 of 第四十七条 a request names."""

    WITHDRAWN = "withdrawn", _("撤回同意")
    PURPOSE_MET = "purpose_met", _("处理目的已实现")
    EXPIRED = "expired", _("超出保存期限")
    OTHER = "other", _("其他")


class NumberKind(models.TextChoices):
    """Which number an entry holds: the blind index's own kind (core/crypto.py), so one number has one index."""

    ID_NUMBER = "id", _("身份证号码")
    PHONE = "phone", _("电话号码")


class ErasedNumber(TimeStampedModel):
    """An ID or phone number erased at its holder's request, as its blind index (HMAC keyed by ZOUFANG_INDEX_KEY):
    it can answer "is this number one erased?" for a number typed or imported, and cannot give the number back."""

    kind = models.CharField(_("号码类别"), max_length=8, choices=NumberKind.choices, default=NumberKind.ID_NUMBER)
    index = models.CharField(_("号码检索索引"), max_length=64)
    town = models.ForeignKey("regions.Region", verbose_name=_("删除时所在镇"), on_delete=models.PROTECT,
                             related_name="+")
    erased_on = models.DateField(_("删除日期"))
    reason = models.CharField(_("删除理由"), max_length=20, choices=Reason.choices)
    lifted_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("解除人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    lift_note = models.CharField(_("解除依据"), max_length=limits.SHORT, blank=True)

    class Meta:
        verbose_name = _("已删除的号码")
        verbose_name_plural = _("已删除的号码")
        indexes = [models.Index(fields=["index"], name="privacy_erased_index")]
        constraints = [models.UniqueConstraint(fields=["index"], condition=Q(lifted_at__isnull=True),
                                               name="privacy_erased_one_in_force")]

    def __str__(self) -> str:
        return _("%(day)s 删除的%(kind)s") % {"day": clock.day(self.erased_on), "kind": self.get_kind_display()}
