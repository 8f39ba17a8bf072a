"""Base model pieces shared by every app."""

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoufang import clock


class RecordedAtField(models.DateTimeField):
    """A DateTimeField whose auto_now / auto_now_add stamp comes from zoufang.clock.now() (one clock).

    The column is a plain DateTimeField's, and it deconstructs as one, so swapping it in needs no migration.
    """

    def pre_save(self, model_instance: models.Model, add: bool) -> dt.datetime | None:
        if self.auto_now or (self.auto_now_add and add):
            value = clock.now()
            setattr(model_instance, self.attname, value)
            return value
        return super().pre_save(model_instance, add)

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DateTimeField", args, kwargs


class SentReminder(models.Model):
    """A reminder a daily run sent (a case's, a unit's 工作总结): the day it is for, when it went, how many it reached.
    Each subclass declares its `kind` (with its choices) and the unique constraint that keeps it to once a day."""

    kind: Any
    on = models.DateField(_("日期"))
    sent_at = RecordedAtField(_("发送时间"), auto_now_add=True)
    recipients = models.PositiveSmallIntegerField(_("接收人数"), default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"  # type: ignore[attr-defined]


class TimeStampedModel(models.Model):
    """Created/modified moments and who made them; `version` guards against lost updates."""

    public_id = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)
    created_at = RecordedAtField(_("创建时间"), auto_now_add=True)
    modified_at = RecordedAtField(_("修改时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        abstract = True
