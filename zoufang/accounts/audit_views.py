"""审计记录: the audit administrator's page over the trail, with filters and an xlsx export. 404 for anyone else."""

import datetime as dt
import io
import json
from typing import Any, cast

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoufang import clock
from zoufang.accounts import audit, duties
from zoufang.accounts.models import AUDIT_RETENTION_FLOOR_DAYS, AuditEvent
from zoufang.core import paging
from zoufang.core.sheetwriter import write_template
from zoufang.core.tabular import Column

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 100_000
EXPORT_COLUMNS = [
    Column("序号", rule=gettext_lazy("审计链中的位置，连续编号"), width=8),
    Column("时间", rule=gettext_lazy("北京时间"), width=20),
    Column("操作人", rule=gettext_lazy("操作时的姓名和账号；账号已删除的注明"), width=24),
    Column("操作", width=12),
    Column("对象类型", width=16),
    Column("对象编号", width=38, text=True),
    Column("摘要", width=40),
    Column("变更内容", rule=gettext_lazy("字段：原值 → 新值"), width=60),
    Column("校验值", rule=gettext_lazy("本条记录的 HMAC-SHA256 校验值，与前一条相链"), width=66, text=True),
]


class AuditFilterForm(forms.Form):
    who = forms.CharField(label=gettext_lazy("操作人"), required=False, max_length=150, widget=forms.SearchInput)
    action = forms.ChoiceField(label=gettext_lazy("操作"), required=False)
    object_type = forms.ChoiceField(label=gettext_lazy("对象类型"), required=False)
    object_id = forms.CharField(label=gettext_lazy("对象编号"), required=False, max_length=64)
    date_from = forms.DateField(label=gettext_lazy("起始日期"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=gettext_lazy("截止日期"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

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

    @property
    def filtered(self) -> bool:
        return any(self.data.get(name) for name in self.fields)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def object_label(object_type: str) -> str:
    """“走访对象” for registry.Target; the stored text for types that are not models."""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def changes_lines(changes: Any, object_type: str = "") -> list[str]:
    """“地址：旧 → 新”, one line a field, fields by their Chinese names where the object is a model."""
    if not isinstance(changes, dict):
        return [json.dumps(changes, ensure_ascii=False)]
    lines = []
    for name, value in changes.items():
        label = _field_label(object_type, name)
        if isinstance(value, list) and len(value) == 2:
            old, new = (_shown(v) for v in value)
            lines.append(f"{label}：{old} → {new}")
        else:
            lines.append(f"{label}：{_shown(value)}")
    return lines


def _field_label(object_type: str, name: str) -> str:
    try:
        return str(apps.get_model(object_type)._meta.get_field(name).verbose_name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return name


def _shown(value: Any) -> str:
    if value is None or value == "":
        return _("（空）")
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not duties.may_read_audit(request.user):
        raise Http404
    form = AuditFilterForm(request.GET)
    events = form.filter(AuditEvent.objects.select_related("actor").order_by("-seq", "-id"))
    if request.GET.get("format") == "xlsx" and form.is_valid():
        return _export(request, events)
    # Newest first, a page after a cursor along the unique seq index (the thousandth page costs what the first
    # does); the total is counted no further than paging.COUNT_CAP.
    try:
        page = paging.keyset_page(events, request.GET.get("after") or None, settings.ZOUFANG_PAGE_SIZE)
    except paging.BadCursor:
        page = paging.keyset_page(events, None, settings.ZOUFANG_PAGE_SIZE)
    total = paging.bounded_count(events, paging.COUNT_CAP + 1)
    rows = [(event, object_label(event.object_type), changes_lines(event.changes, event.object_type))
            for event in page.rows]
    return render(request, "accounts/audit.html", {
        "form": form, "page": page, "rows": rows, "filtered": form.filtered,
        "total": min(total, paging.COUNT_CAP), "capped": total > paging.COUNT_CAP,
        "retention_days": audit.retention_days(), "retention_floor": AUDIT_RETENTION_FLOOR_DAYS,
    })


def _export(request: HttpRequest, events: QuerySet[AuditEvent]) -> HttpResponse:
    total = events.count()
    if total > EXPORT_LIMIT:
        return HttpResponse(_("符合条件的审计记录有 %(total)d 条，超过一次导出上限 %(limit)d 条，请缩小日期范围后分批导出。")
                            % {"total": total, "limit": EXPORT_LIMIT}, status=400, content_type="text/plain; charset=utf-8")
    data = (
        [e.seq, timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.actor_display, e.get_action_display(),
         object_label(e.object_type), e.object_id, e.summary, "\n".join(changes_lines(e.changes, e.object_type)), e.hash]
        for e in events.iterator(chunk_size=2000)
    )
    out = io.BytesIO()
    write_template(out, EXPORT_COLUMNS, title=_("审计记录"), data_rows=data, notes=[
        _("导出时间：%(at)s；共 %(total)d 条。") % {"at": clock.minute(clock.now()), "total": total},
        _("审计记录保存 %(days)d 天，期满前任何人不能修改或删除；用 zoufang audit verify 校验是否被篡改。")
        % {"days": audit.retention_days()},
    ])
    audit.record(request.user, AuditEvent.Action.EXPORT, object_type="accounts.AuditEvent",
                 summary=_("导出审计记录 %(total)d 条") % {"total": total},
                 changes={key: value for key, value in request.GET.items() if key not in ("format", "page") and value})
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    stamp = f"{clock.local(clock.now()):%Y%m%d-%H%M}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''audit-{stamp}.xlsx"
    return response
