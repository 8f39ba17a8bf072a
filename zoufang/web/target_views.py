"""The target list (search, filters, paging) and one target's page; masked by TargetPresenter."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from zoufang.accounts import audit, scope
from zoufang.accounts.models import AuditEvent
from zoufang.core import paging
from zoufang.core.queryparams import Asked
from zoufang.planning.models import Assignment
from zoufang.privacy.holdings import may_handle
from zoufang.regions.models import Region
from zoufang.registry.api import filtered_targets
from zoufang.registry.models import Target
from zoufang.registry.presenters import TargetPresenter
from zoufang.visits.services import cadre_of
from zoufang.web.columns import columns_for, detail_fields, table_rows
from zoufang.web.forms import TargetFilterForm

FILTER_LEVELS = (Region.Level.TOWN, Region.Level.VILLAGE)


def _filter_regions(user: object, selected: str | None) -> list[Region]:
    """Towns and villages for the region filter, plus the selected group or grid if it is deeper."""
    visible = scope.listed_regions(user)
    regions = list(visible.filter(level__in=FILTER_LEVELS).order_by("path"))
    if selected and not any(str(r.public_id) == selected for r in regions):
        deeper = visible.filter(public_id=selected).first() if _is_uuid(selected) else None
        if deeper is not None:
            regions = sorted([*regions, deeper], key=lambda r: r.path)
    return regions


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@login_required
def target_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not scope.may_list_targets(user):
        raise Http404
    # A kind or a region that is not one: every kind, every region the user sees, with a notice naming the
    # parameter (decision 0035); a region out of scope is answered as an unknown one and never named.
    asked = Asked.page(request)
    kind = asked.choice("kind", Target.Kind.values, "", lambda key: str(Target.Kind(key).label)) or None
    regions = _filter_regions(user, asked.text("region"))
    region = next((r for r in regions if str(r.public_id) == asked.text("region")), None)
    if asked.text("region") and region is None:
        asked.unseen("region", _("区划"))
    region_id = str(region.public_id) if region else None
    form = TargetFilterForm({"q": asked.text("q"), "kind": kind or "", "region": region_id or ""}, regions=regions)
    form.is_valid()  # a search too long is left out of cleaned_data and shown as the field's error
    q = (form.cleaned_data.get("q") or "").strip() or None
    targets = filtered_targets(user, kind, region_id, q).select_related("region__parent__parent")
    # A page after a cursor along the list's order (keyset: no OFFSET that grows with the page number); the
    # total is counted no further than paging.COUNT_CAP.
    page = paging.shown_page(targets, asked, settings.ZOUFANG_PAGE_SIZE)
    total = paging.bounded_count(targets, paging.COUNT_CAP + 1)
    columns = columns_for(kind)
    presenter = TargetPresenter(user)
    presenter.record_list_read(page.rows, summary="网页列表显示完整身份证号或电话")
    return render(request, "web/targets.html", {
        "form": form,
        "page": page,
        "total": min(total, paging.COUNT_CAP), "capped": total > paging.COUNT_CAP,
        "columns": columns,
        "rows": table_rows(page.rows, columns, presenter),
        "region": region,
        "filtered": bool(kind or region or q),
        "may_handle_requests": may_handle(user),
    })


@login_required
def target_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    target = scope.get_visible_target(request.user, public_id)
    presenter = TargetPresenter(request.user)
    reveals = presenter.reveals_personal_data(target)
    if reveals:
        audit.record(request.user, AuditEvent.Action.READ, target, summary="网页查看走访对象完整信息")
    ancestors = [r for r in target.region.ancestors() if Region.level_rank(r.level) >= Region.level_rank("town")]
    assignments = (
        Assignment.objects.filter(target=target)
        .select_related("campaign", "unit", "cadre")
        .order_by("-campaign__starts_on")
    )
    cadre = cadre_of(request.user)
    return render(request, "web/target.html", {
        "target": target,
        "fields": detail_fields(target, presenter, ancestors),
        "ancestors": ancestors,
        "assignments": assignments,
        "reveals": reveals,
        # The cadre assigned records the visit from here, on 我的走访's form (it opens on the target's card).
        "records_here": cadre is not None and any(a.cadre_id == cadre.pk for a in assignments),
    })
