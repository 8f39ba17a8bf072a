"""Base model pieces shared by every app."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Created/modified moments and who made them; `version` guards against lost updates."""

    public_id = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    modified_at = models.DateTimeField(_("修改时间"), auto_now=True)
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
