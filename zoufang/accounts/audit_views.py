"""审计记录: the audit administrator's page over the trail, with filters and an xlsx export. 404 for anyone else."""

import datetime as dt
import io
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoufang import clock
from zoufang.accounts import audit, duties
from zoufang.accounts.audit_export import write_export
from zoufang.accounts.audit_present import AuditPresenter, object_label
from zoufang.accounts.models import AUDIT_RETENTION_FLOOR_DAYS, AuditEvent
from zoufang.core import paging, queryparams
from zoufang.core.downloads import attachment
from zoufang.core.queryparams import Asked
from zoufang.core.widgets import DayInput

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 100_000


def _in_calendar(day: dt.date) -> None:
    """0001-01-01 or 9999-12-31 typed in the address bar: no day of the log, and beyond the time zone's calendar."""
    if not queryparams.in_calendar(day):
        raise forms.ValidationError(queryparams.calendar_rule())


class AuditFilterForm(forms.Form):
    who = forms.CharField(label=gettext_lazy("操作人"), required=False, max_length=150, widget=forms.SearchInput)
    action = forms.ChoiceField(label=gettext_lazy("操作"), required=False)
    object_type = forms.ChoiceField(label=gettext_lazy("对象类型"), required=False)
    object_id = forms.CharField(label=gettext_lazy("对象编号"), required=False, max_length=64)
    date_from = forms.DateField(label=gettext_lazy("起始日期"), required=False, validators=[_in_calendar],
                                widget=DayInput())
    date_to = forms.DateField(label=gettext_lazy("截止日期"), required=False, validators=[_in_calendar],
                              widget=DayInput())

    def __init__(self, data: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["who"].widget.attrs.update({"placeholder": _("姓名或账号")})
        self.fields["object_id"].widget.attrs.update({"placeholder": _("记录编号")})
        action = cast(forms.ChoiceField, self.fields["action"])
        object_type = cast(forms.ChoiceField, self.fields["object_type"])
        action.choices = [("", _("全部操作")), *AuditEvent.Action.choices]
        types = AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
        object_type.choices = [("", _("全部对象")), *((t, object_label(t)) for t in types)]

    def clean(self) -> Any:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return cleaned

    def filter(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        data = self.cleaned_data if self.is_valid() else {}
        if who := (data.get("who") or "").strip():
            events = events.filter(Q(actor_username__icontains=who) | Q(actor_name__icontains=who))
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("object_type"):
            events = events.filter(object_type=data["object_type"])
        if object_id := (data.get("object_id") or "").strip():
            events = events.filter(object_id=object_id)
        if data.get("date_from"):
            events = events.filter(at__gte=_day_start(data["date_from"]))
        if data.get("date_to"):
            events = events.filter(at__lt=_day_start(data["date_to"] + dt.timedelta(days=1)))
        return events

    def described(self) -> str:
        """The filters in force as a clerk reads them: “操作：修改；起始日期：2017年6月1日”."""
        data = self.cleaned_data if self.is_valid() else {}
        parts = []
        for name, form_field in self.fields.items():
            value = data.get(name)
            if value in (None, ""):
                continue
            choices = dict(getattr(form_field, "choices", ()))
            shown = choices.get(value, value) if choices else clock.day(value) if isinstance(value, dt.date) else value
            parts.append(f"{form_field.label}：{shown}")
        return "；".join(parts)

    @property
    def filtered(self) -> bool:
        return any(self.data.get(name) for name in self.fields)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not duties.may_read_audit(request.user):
        raise Http404
    form = AuditFilterForm(request.GET)
    events = form.filter(AuditEvent.objects.select_related("actor").order_by("-seq", "-id"))
    if request.GET.get("format") == "xlsx" and form.is_valid():
        return _export(request, form, events)
    # Newest first, a page after a cursor along the unique seq index (the thousandth page costs what the first
    # does); the total is counted no further than paging.COUNT_CAP.
    page = paging.shown_page(events, Asked.page(request), settings.ZOUFANG_PAGE_SIZE)
    total = paging.bounded_count(events, paging.COUNT_CAP + 1)
    return render(request, "accounts/audit.html", {
        "form": form, "page": page, "rows": AuditPresenter(request.user).present(page.rows), "filtered": form.filtered,
        "total": min(total, paging.COUNT_CAP), "capped": total > paging.COUNT_CAP,
        "retention_days": audit.retention_days(), "retention_floor": AUDIT_RETENTION_FLOOR_DAYS,
    })


def _export(request: HttpRequest, form: AuditFilterForm, events: QuerySet[AuditEvent]) -> HttpResponse:
    total = events.count()
    if total > EXPORT_LIMIT:
        return HttpResponse(_("符合条件的审计记录有 %(total)d 条，超过一次导出上限 %(limit)d 条，请缩小日期范围后分批导出。")
                            % {"total": total, "limit": EXPORT_LIMIT}, status=400, content_type="text/plain; charset=utf-8")
    out = io.BytesIO()
    write_export(out, request.user, events, total=total, filters=form.described())
    audit.record(request.user, AuditEvent.Action.EXPORT, object_type="accounts.AuditEvent",
                 summary=_("导出审计记录 %(total)d 条") % {"total": total},
                 changes={key: value for key, value in request.GET.items() if key not in ("format", "page") and value})
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    stamp = f"{clock.local(clock.now()):%Y%m%d-%H%M}"
    response["Content-Disposition"] = attachment(_("审计记录-%(stamp)s.xlsx") % {"stamp": stamp})
    return response
