"""Case pages: the office's dispatch board, the unit's desk, the leader's sign-off queue, one case. Thin:
access decides what is seen, the forms call the named actions."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Textarea
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zoufang import clock
from zoufang.accounts import audit, scope
from zoufang.accounts.models import AuditEvent
from zoufang.accounts.names import named, shown_name
from zoufang.cases import access, briefs, deadlines, lists, publication, similarity, workflow
from zoufang.cases.board import GROUPS, NEW, OVERDUE, desk_inbox
from zoufang.cases.board import columns as board_columns
from zoufang.cases.board import counts as board_counts
from zoufang.cases.forms import FORMS, ActionForm, perform
from zoufang.cases.models import Case
from zoufang.cases.presenters import CasePresenter, event_notice, offered, unit_shown
from zoufang.cases.transition import CaseError, StaleVersion, is_repeat
from zoufang.core import paging
from zoufang.core.apiversions import posted_version
from zoufang.documents.picks import CARRIED, carried_picks, pickable, still_picked
from zoufang.documents.special import PICKED
from zoufang.registry import unitnames
from zoufang.registry.models import Unit

S = Case.Status
RELATED = ("category", "unit__region", "region__parent__parent", "target__region", "signoff_leader", "campaign__scope")


def _rows(user: Any, cases: Any) -> list[dict[str, Any]]:
    presenter = CasePresenter(user)
    if hasattr(cases, "prefetch_related"):
        cases = cases.prefetch_related("co_handlers")
    cases = list(cases)
    presenter.know_links(cases)
    # Where the user sees several towns' cases, “派出所” says whose: “锦溪镇 派出所” (decision 0032).
    several = unitnames.sees_several_towns(user)
    today = clock.today()
    return [{"case": c, **presenter.as_dict(c), "unit": unit_shown(c, several),
             "registration": deadlines.registration_standing(c, today)} for c in cases]


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    if not access.may_list_cases(request.user):
        raise Http404
    if request.GET.get("report") in ("picked", "filtered"):  # the bar of a list drawn before decision 0079
        return redirect(f"{reverse('documents:picked')}?{request.GET.urlencode()}")
    if "drop" in request.GET:  # a chip's × or 清除, sent by the list's form with every box ticked (decision 0084)
        return redirect(f"{reverse('cases:list')}?{_without(request, 'drop', *DROPPED.get(request.GET['drop'], ()))}"
                        .rstrip("?"))
    listed = lists.filtered(request)
    # Newest first, a page after a cursor (keyset: no OFFSET that grows with the page number); the total is
    # counted no further than paging.COUNT_CAP. The page's ids first, then its rows with their related tables
    # (paging.sliced, decision 0015).
    ordered = listed.cases.select_related(*RELATED).prefetch_related("co_handlers").order_by("-raised_at", "id")
    page = paging.shown_page(ordered, listed.asked, settings.ZOUFANG_PAGE_SIZE, by_id=True)
    total = paging.bounded_count(ordered, paging.COUNT_CAP + 1)
    rows, ticked = _rows(request.user, page.rows), carried_picks(request.GET)
    for row in rows:
        row["picked"] = str(row["id"]) in ticked  # the campaign and its scope come with the row (RELATED), the grants are cached: no query
        row["pickable"] = pickable(request.user, row["case"])
    # Picks ticked on other pages or before a filter changed (decision 0079): carried by the list's form, counted,
    # also on a page with no box of its own (decision 0084).
    here = {str(row["id"]) for row in rows}
    elsewhere = still_picked(request.user, [pick for pick in ticked if pick not in here])
    picks = elsewhere or any(row["pickable"] for row in rows)
    place = lists.place_on_list(request.GET, [*elsewhere, *(str(r["id"]) for r in rows if r["picked"] and r["pickable"])])
    village = access.sole_village(request.user)
    return render(request, "cases/list.html", {
        "page": page, "rows": rows, "statuses": lists.STATUS_CHOICES,
        "picks": picks, "most_picked": PICKED, "elsewhere": elsewhere,
        "picked_count": len(place.getlist("pick")),
        "total": min(total, paging.COUNT_CAP), "capped": total > paging.COUNT_CAP,
        "groups": [(key, c.title) for key, c in GROUPS.items()],
        "kinds": Case.Kind.choices, "status": listed.status, "kind": listed.kind, "q": listed.q,
        "unit": listed.unit, "route": Case.Route(listed.route) if listed.route in Case.Route.values else None,
        "filtered": bool(listed.status or listed.kind or listed.q or listed.unit or listed.route),
        "unpicked": _without(request, "pick"),
        # 以当前筛选结果生成专报 sends the filters applied (those the count is of) and the picks (decision 0084).
        "applied": [(key, value) for key, values in place.lists() for value in values if key != "after"],
        # The case pages opened from the list carry it back, picks and all (decision 0084).
        "from_list": urlencode({"list": place.urlencode()}) if picks and place else "",
        # One village's viewer reads its name in the heading, not on every card (decision 0084).
        "village": village, "hide_village": bool(village) and all(r["region"] in (village, "") for r in rows),
    })


# What each of the list's `drop` buttons takes off its query (the chips' ×, 清除).
DROPPED = {"unit": ("unit",), "route": ("route",), "filters": lists.FILTER_KEYS}


def _without(request: HttpRequest, *names: str) -> str:
    """The list's query with narrowings taken off (and back to the first page)."""
    params = request.GET.copy()
    for key in (*names, "after"):
        params.pop(key, None)
    return params.urlencode()


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The office's dispatch board (交办台): what waits for the office, what runs late, what went up;
    in each column what needs action now first (zoufang/cases/board.py)."""
    if not access.is_case_office(request.user) and not request.user.is_superuser:
        raise Http404
    cases = access.visible_cases(request.user)
    today = clock.today()
    counted = board_counts(cases, today)  # the page's total and late drafts come with the columns' counts
    return render(request, "cases/board.html", {
        "columns": board_columns(cases, today, RELATED, counted), "today": today,
        "late_drafts": counted["late_drafts"], "total": counted["total"],
    })


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """The unit's desk: its dispatched cases with their deadlines, most urgent first."""
    unit_ids = scope.handled_unit_ids(request.user)
    if not unit_ids and not request.user.is_superuser:
        raise Http404
    mine = Case.objects.filter(unit_id__in=unit_ids) if unit_ids else Case.objects.exclude(unit=None)
    today = clock.today()
    inbox = _rows(request.user, desk_inbox(mine, today).select_related(*RELATED))
    to_answer = _rows(request.user, mine.filter(status__in=(S.RESOLVED, S.EXPLAINED)).select_related(*RELATED))
    co = access.visible_cases(request.user).filter(co_handlers__in=unit_ids, status__in=workflow.HANDLING)
    own_units = list(Unit.objects.filter(pk__in=unit_ids).order_by("sort_order", "name"))
    return render(request, "cases/desk.html", {
        "inbox": inbox, "to_answer": to_answer,
        "overdue": sum(1 for r in inbox if r["case"].rank == OVERDUE),
        "arrived": sum(1 for r in inbox if r["case"].rank == NEW), "co_handled": _rows(request.user, co.select_related(*RELATED)),
        "today": today,
        # The handler hands the unit's walk lists out to its people.
        "own_units": own_units,
        # One unit's desk names its unit once, in the heading, not on every row of its own cases (承办单位).
        "one_unit": len(own_units) == 1,
        "campaign": scope.visible_campaigns(request.user).first(),
    })


@login_required
def signoff(request: HttpRequest) -> HttpResponse:
    """The supervising leader's queue: escalations waiting for a signature (分管领导签字)."""
    cases = access.visible_cases(request.user).filter(status=S.SIGNOFF)
    if not request.user.is_superuser:
        cases = cases.filter(signoff_leader__user__pk=request.user.pk or 0)
    return render(request, "cases/signoff.html", {"rows": _rows(request.user, cases.select_related(*RELATED))})


def history(case: Case, presenter: CasePresenter) -> list[dict[str, Any]]:
    first = {"draft": _("走访收集"), "receive": _("受理")}
    lines = []
    for event in case.events.select_related("actor").prefetch_related(*named("actor")):
        try:
            label = str(workflow.LABELS[workflow.Action(event.action)])
        except ValueError:
            label = str(first.get(event.action, event.action))
        actor = shown_name(event.actor)
        lines.append({"at": event.at, "actor": actor, "label": label, "status": event.get_to_status_display(),
                      "note": presenter.text(case, event.note) if event.note != label else "",
                      "notice": event_notice(event.data)})
    return lines


@login_required
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    return _case_page(request, access.get_visible_case(request.user, public_id))


def _case_page(request: HttpRequest, case: Case, sent: ActionForm | None = None) -> HttpResponse:
    """The case page; with `sent`, a form that could not be acted on is drawn again as it was filled, open, with
    its errors, so nothing the user typed is lost."""
    presenter = CasePresenter(request.user)
    data = presenter.as_dict(case)
    if data["raiser"]["full"] and data["raiser"]["phone"]:
        audit.record(request.user, AuditEvent.Action.READ, case, summary="网页查看反映人完整联系方式")
    # The usual next step first and open; returning or refusing last.
    allowed = sorted((workflow.Action(a) for a in data["allowed_actions"]), key=list(workflow.Action).index)
    forms = [(a, workflow.LABELS[a], sent if sent is not None and sent.prefix == str(a) else FORMS[a](case, prefix=str(a)))
             for a in allowed if a != workflow.Action.MERGE]
    opened = sent.prefix if sent is not None and sent.prefix in {str(a) for a, _l, _f in forms} else None
    # A hotline caller's every other case from the number, whatever its wording; the alike cases besides them.
    callers = similarity.same_caller(case.raiser_phone, access.visible_cases(request.user), description=case.description,
                                     campaign_id=case.campaign_id, other_than=case)
    duplicates = []
    if workflow.Action.MERGE in allowed or case.status in (S.DRAFT, S.REGISTERED):
        listed = {s.case.pk for s in callers.shown}
        duplicates = [d for d in similarity.likely_duplicates(case, access.visible_cases(request.user))
                      if d.case.pk not in listed]
    return render(request, "cases/detail.html", {
        "case": case, "data": data, "forms": forms, "may_merge": workflow.Action.MERGE in allowed,
        "registration": deadlines.registration_standing(case, clock.today()),
        "opened": opened or (str(forms[0][0]) if forms else None),
        # What a form that can no longer be sent held (the case moved on meanwhile): shown, to be copied.
        "unsent": _typed(sent) if sent is not None and opened is None else [],
        "duplicates": offered(request.user, duplicates),
        "callers": offered(request.user, callers.shown), "callers_total": callers.total,
        "events": history(case, presenter), "texts": presenter.free_text(case),
        "brief": briefs.step_brief(case, presenter, data) if forms else [],
        "replies": [{"replied_on": r.replied_on, "get_channel_display": r.get_channel_display(),
                     "content": presenter.text(case, r.content)} for r in case.replies.all()],
        "callbacks": [{"called_on": c.called_on, "get_satisfaction_display": c.get_satisfaction_display(),
                       "note": presenter.text(case, c.note)} for c in case.callbacks.all()],
        "linked": [{"public_id": d.public_id, "number": d.number, "description": presenter.text(d, d.description)}
                   for d in case.duplicates.filter(pk__in=access.visible_cases(request.user).values("pk"))],
        # The closed call this one follows, and the later calls that follow this one (decision 0047), as far as seen.
        # A case the reader may not open is named by neither number nor link (decision 0049).
        "follows": presenter.linked(case, "follows"), "merged_into": presenter.linked(case, "merged_into"),
        "followed_by": list(case.followed_by.filter(pk__in=access.visible_cases(request.user).values("pk"))
                            .order_by("raised_at", "id")),
        "today": clock.today(),
        "calendar_warning": deadlines.calendar_warning(case),
        "may_publish": access.is_office_for(request.user, case) and case.status not in publication.UNPUBLISHABLE,
        # 加入专报 (decisions 0079, 0084): this case added to the picks the list carries, for the office writing
        # the campaign's documents.
        **_report_picks(request, case),
        "summary_max": publication.MAX_SUMMARY, "publication_stamp": publication.stamp(case),
        "assists": _assists(request.user, case) if not forms else False,
    })


def came_from_list(request: HttpRequest) -> QueryDict:
    """The place on 问题办理 a case page was opened from (its `list`): the list's filters, page and the user's picks
    still pickable (decision 0084)."""
    came = QueryDict(str(request.GET.get("list", "")))
    return lists.place_on_list(came, still_picked(request.user, carried_picks(came)))


def case_url(request: HttpRequest, case: Case) -> str:
    """The case's page, carrying the list it was opened from: an action sent from it keeps the picks."""
    place = came_from_list(request)
    return reverse("cases:detail", args=[case.public_id]) + (f"?{urlencode({'list': place.urlencode()})}" if place else "")


def _report_picks(request: HttpRequest, case: Case) -> dict[str, Any]:
    """The list this page was opened from (the way back to it) and, for the office writing the campaign's documents,
    the picks it carries with this case in or out of them: 加入专报 and 移出专报 draw this page again with the list
    changed, 生成专报 sends the picks on."""
    place = came_from_list(request)
    picks = place.getlist("pick")
    here = str(case.public_id)

    def with_picks(chosen: list[str]) -> str:
        changed = place.copy()
        changed.setlist("pick", chosen)
        return changed.urlencode()

    return {
        "list_query": place.urlencode(), "list_sent": urlencode({"list": place.urlencode()}) if place else "",
        "list_fields": [(key, value) for key, values in place.lists() for value in values],
        "may_report": pickable(request.user, case), "picks": picks, "picked_here": here in picks,
        "with_case": with_picks([*picks, here][-CARRIED:]),
        "without_case": with_picks([pick for pick in picks if pick != here]),
    }


def _assists(user: Any, case: Case) -> bool:
    """The user's unit co-handles the case (协办) and is not its 承办单位: it assists, the 承办单位 acts."""
    unit_ids = scope.handled_unit_ids(user)
    return bool(unit_ids) and case.unit_id not in unit_ids and case.co_handlers.filter(pk__in=unit_ids).exists()


def _field_error(form: ActionForm, name: str, error: Any) -> str:
    """An error as the page's message says it: 类别：请选择问题类别。 — the field's name once, not twice."""
    label, error = (str(form.fields[name].label) if name in form.fields else ""), str(error)
    return error if not label or error.startswith(label) else _("%(field)s：%(error)s") % {"field": label, "error": error}


def _typed(form: ActionForm) -> list[tuple[str, str]]:
    """The text a user typed into a form, field by field."""
    return [(str(field.label), str(form.data.get(form.add_prefix(name), "")).strip())
            for name, field in form.fields.items()
            if isinstance(field.widget, Textarea) and str(form.data.get(form.add_prefix(name), "")).strip()]


def _repeat_message(request: HttpRequest, case: Case, chosen: workflow.Action, form: ActionForm,
                    drawn_at: int | None) -> str:
    """What the page says when this form is one the user already sent (a double click, a resend: decisions 0058,
    0063): drawn at the version their own `chosen` left behind, and all it holds what that case event keeps (its
    note, and the choices and days in its details: `ActionForm.as_kept`); "" otherwise, the form shown back."""
    if drawn_at is None or (kept := form.as_kept()) is None or not is_repeat(case, chosen, request.user, drawn_at,
                                                                             *kept):
        return ""
    return StaleVersion(case.version, case, repeat=True).repeated


def _refused_now(request: HttpRequest, case: Case, chosen: workflow.Action, form: ActionForm) -> HttpResponse | None:
    """The case as it stands does not take `chosen` from this user (its status, a guard, a 回访 already recorded):
    refused before the form is read (decision 0044), said as transition.run would say it — what happened since the
    form was drawn when it was drawn at an older version — and the page drawn again without the form, the user's
    text listed to copy."""
    try:
        why = access.refused_now(request.user, case, chosen)
    except PermissionDenied:
        why = _("您无权对该件执行此操作。")
    if not why:
        return None
    drawn_at = posted_version(request.POST.get(form.add_prefix("version")))
    if drawn_at is not None and drawn_at != case.version:
        repeated = _repeat_message(request, case, chosen, form, drawn_at)
        if repeated:  # this form sent again: answered as the first was, saying so
            messages.info(request, repeated)
            return _after_action(request, case)
        stale = StaleVersion(case.version, case)
        messages.warning(request, stale.on_page(
            chosen, allowed=False, in_form=chosen != workflow.Action.MERGE, listed=bool(_typed(form))))
    else:
        messages.error(request, _("未能%(action)s：%(errors)s") % {"action": workflow.LABELS[chosen], "errors": why})
    return _case_page(request, case, form)


@login_required
@require_POST
def publish(request: HttpRequest, public_id: str) -> HttpResponse:
    """The office approves a case for the public Open311 feed with its own summary, or withdraws it."""
    case = access.get_visible_case(request.user, public_id)
    # A reader or handler of the case is refused before the form is read (decision 0044).
    if not access.is_office_for(request.user, case):
        raise PermissionDenied(publication.office_only())
    withdraw = bool(request.POST.get("unpublish"))
    try:
        if withdraw:
            publication.unpublish_case(case, by=request.user, seen=request.POST.get("seen"))
            messages.success(request, _("已撤回公开"))
        else:
            publication.publish_case(case, by=request.user, summary=request.POST.get("summary", ""),
                                     seen=request.POST.get("seen"))
            messages.success(request, _("已公开：公众只看到公开摘要"))
    except CaseError as exc:
        messages.error(request, (_("未能撤回公开：%(why)s") if withdraw else _("未能公开：%(why)s")) % {"why": exc})
    return redirect(case_url(request, case))


@login_required
@require_POST
def act(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    try:
        chosen = workflow.Action(action)
        case = access.get_visible_case(request.user, public_id)
        if not access.may_take(request.user, case, chosen):
            raise PermissionDenied  # a reader of the case (the city office), or not one who takes this action
    except ValueError:
        raise Http404 from None
    except (Http404, PermissionDenied):
        resent = _resent_out_of_reach(request, public_id, chosen)
        if resent is None:
            raise
        return resent
    form = FORMS[chosen](case, request.POST, prefix=str(chosen))
    refused = _refused_now(request, case, chosen, form)
    if refused is not None:
        return refused
    if not form.is_valid():
        errors = "；".join(_field_error(form, f, e) for f, es in form.errors.items() for e in es)
        messages.error(request, _("未能%(action)s：%(errors)s") % {"action": workflow.LABELS[chosen], "errors": errors})
        return _case_page(request, case, form)
    master = None
    if chosen == workflow.Action.MERGE:
        master = access.get_visible_case(request.user, form.cleaned_data["master"])
    try:
        perform(chosen, case, form.cleaned_data, request.user, master=master)
    except StaleVersion as exc:
        repeated = exc.repeated and _repeat_message(request, case, chosen, form, form.cleaned_data["version"])
        if repeated:  # this form sent again: answered as the first was, saying so
            messages.info(request, repeated)
            return _after_action(request, case)
        # The page the user filled is out of date: say what happened meanwhile and draw their form again, on the
        # case as it is now (its version, so a second, deliberate 提交 acts), or their text to copy if the action
        # no longer applies.
        case = access.get_visible_case(request.user, public_id)
        messages.warning(request, exc.on_page(chosen, allowed=chosen in CasePresenter(request.user).allowed_actions(case),
                                              in_form=chosen != workflow.Action.MERGE, listed=bool(_typed(form))))
        fresh = request.POST.copy()
        fresh[form.add_prefix("version")] = str(case.version)
        return _case_page(request, case, FORMS[chosen](case, fresh, prefix=str(chosen)))
    except (CaseError, PermissionDenied) as exc:
        why = str(exc) if isinstance(exc, CaseError) else _("您无权对该件执行此操作。")
        messages.error(request, _("未能%(action)s：%(errors)s") % {"action": workflow.LABELS[chosen], "errors": why})
        form.add_error(None, why)
        return _case_page(request, access.get_visible_case(request.user, public_id), form)
    messages.success(request, _("已%(action)s。") % {"action": workflow.LABELS[chosen]})
    return _after_action(request, case)


def _resent_out_of_reach(request: HttpRequest, public_id: str, chosen: workflow.Action) -> HttpResponse | None:
    """The user's own form sent again after it took the case from them (退单 from the unit, 退回部门办理 from the
    signing leader): answered as the first was, saying so (decision 0063). Only where the case's last step is that
    very action by this user, so no one learns of a case they never acted on; None otherwise (refused as before)."""
    case = Case.objects.filter(public_id=public_id).first()
    if case is None or not case.events.filter(version=case.version, action=str(chosen),
                                              actor_id=request.user.pk).exists():
        return None
    form = FORMS[chosen](case, request.POST, prefix=str(chosen))
    repeated = _repeat_message(request, case, chosen, form, posted_version(request.POST.get(form.add_prefix("version"))))
    if not repeated:
        return None
    messages.info(request, repeated)
    return _after_action(request, case)


def _after_action(request: HttpRequest, case: Case) -> HttpResponse:
    """The case's page, or the desk when the action took the case out of the user's sight."""
    if access.visible_cases(request.user).filter(pk=case.pk).exists():
        return redirect(case_url(request, case))
    return redirect("cases:desk")
