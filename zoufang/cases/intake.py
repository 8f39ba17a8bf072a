"""A case raised outside a visit — a call to the hotline, a walk-in — entered by the office: the form and
the view. It enters the same flow as an opinion from a visit (a draft the office registers)."""

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoufang import clock
from zoufang.accounts import audit, scope
from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.campaigns.models import Campaign
from zoufang.cases import access, similarity
from zoufang.cases.models import Case
from zoufang.cases.presenters import day_text, offered
from zoufang.cases.services import receive_case_once
from zoufang.cases.transition import CaseError
from zoufang.core import limits, request_keys
from zoufang.regions.models import Region
from zoufang.registry.identifiers import is_valid_phone


def office_campaigns(user: Any) -> QuerySet[Campaign]:
    """Campaigns over (or inside) the regions where the user is the office."""
    paths = [g.region.path for g in scope.grants(user) if g.role == RoleGrant.Role.OFFICE and g.region]
    if getattr(user, "is_superuser", False):
        return Campaign.objects.all()
    ids = [
        c.pk for c in Campaign.objects.select_related("scope")
        if any(c.scope.path.startswith(p) or p.startswith(c.scope.path) for p in paths)
    ]
    return Campaign.objects.filter(pk__in=ids).order_by("-starts_on")


class HotlineForm(forms.Form):
    campaign = forms.ModelChoiceField(label=gettext_lazy("走访活动"), queryset=Campaign.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=Case.Kind.choices)
    source = forms.ChoiceField(label=gettext_lazy("来源"), choices=[(Case.Source.HOTLINE, gettext_lazy("热线来电"))])
    region = forms.ModelChoiceField(
        label=gettext_lazy("村（社区）"), queryset=Region.objects.none(), required=False,
        empty_label=gettext_lazy("（不确定村/社区）"),
        help_text=gettext_lazy("来电人说不清所在村（社区）的可以不选：该件归全镇，由镇走访办登记、交办，村（社区）干部看不到。"))
    description = forms.CharField(label=gettext_lazy("反映内容"), max_length=limits.TEXT,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    raiser_name = forms.CharField(label=gettext_lazy("来电人姓名"), max_length=limits.NAME, required=False)
    raiser_phone = forms.CharField(label=gettext_lazy("来电号码"), max_length=20, required=False,
                                   help_text=gettext_lazy("填好号码后点“查来电记录”，列出这个号码以前的每一件。"))
    # The earlier call this one repeats, chosen from the number's calls listed under the form (同一号码的来电).
    repeat_of = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # One key a rendered form (Case.request_key): a double click, a retry or the back button receives the call once.
    key = request_keys.RequestKeyField()

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        campaigns = office_campaigns(user)
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]
        running = campaigns.filter(starts_on__lte=clock.today(), ends_on__gte=clock.today()).values_list(
            "pk", flat=True).first()
        self.fields["campaign"].initial = running
        # A blank is not a campaign: offered only when none is running today, and then said as a request.
        self.fields["campaign"].empty_label = None if running else _("（请选择走访活动）")  # type: ignore[attr-defined]
        self.fields["region"].queryset = scope.visible_regions(user).filter(  # type: ignore[attr-defined]
            level=Region.Level.VILLAGE
        ).order_by("path")

    def clean_raiser_phone(self) -> str:
        # A clerk types the number as heard, often in groups ("138 6884 1290"): the spaces are not part of it.
        phone = "".join(self.cleaned_data["raiser_phone"].split())
        if phone and not is_valid_phone(phone):
            raise forms.ValidationError(_("电话号码格式不正确。"))
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if data.get("repeat_of") and data.get("campaign"):
            earlier = access.visible_cases(self.user).filter(public_id=data["repeat_of"]).first()
            refused = repeat_refused(earlier, data["campaign"])
            if refused:
                self.add_error(None, refused)
            data["repeat_of"] = earlier
        return data


def repeat_refused(earlier: Case | None, campaign: Campaign) -> str:
    """Why a call cannot be received as a repeat of `earlier` (merged into it, or, closed, linked to it); "" when it
    can."""
    if earlier is None:
        return _("所选的前次来电不存在，或不在您的可见范围内。")
    if earlier.status == Case.Status.MERGED:
        return _("前次来电 %(number)s 已合并到其他件，不能选它；请选它合并到的件，或不选，另行受理。") % {
            "number": earlier.number}
    if earlier.campaign_id != campaign.pk:
        return _("前次来电 %(number)s 属于另一个走访活动，不能合并；请不选它，另行受理。") % {"number": earlier.number}
    return ""


def caller_cases(user: Any, phone: str, description: str = "") -> similarity.CallerCases:
    """The number's every case the user sees, as the intake form lists them before a call is received: a read of
    the resident's records by the number the clerk typed, audited (`record_lookup`)."""
    found = similarity.same_caller("".join(phone.split()), access.visible_cases(user), description=description)
    record_lookup(user, phone, found)
    return found


def record_lookup(user: Any, phone: str, found: similarity.CallerCases) -> None:
    """One audit row for a number's cases listed to the clerk (查来电记录, the API's same_caller): who, the number
    masked as lists show it (the trail keeps no full number, accounts.audit.MASKERS), how many there are and which
    were shown. A number with none is recorded too: that it is unknown is an answer about it."""
    masked = audit.masked("phone", "".join(phone.split()))
    audit.record(user, AuditEvent.Action.READ, object_type="cases.Case",
                 summary=_("查来电记录：%(phone)s，%(n)s件") % {"phone": masked, "n": found.total},
                 changes={"phone": masked, "total": found.total, "cases": [str(s.case.public_id) for s in found.shown]})


@login_required
def hotline(request: HttpRequest) -> HttpResponse:
    if not access.is_case_office(request.user) and not request.user.is_superuser:
        raise Http404
    # 查来电记录 sends the form to ?lookup=1 (site.js disables a form's buttons as it is sent, so the button's own
    # name does not arrive): the number's earlier calls under what was typed so far; nothing checked or received.
    if request.method == "POST" and (request.GET.get("lookup") or request.POST.get("lookup")):
        form = HotlineForm(request.user, initial=request.POST.dict())
        return _page(request, form, request.POST.get("raiser_phone", ""), looked_up=True)
    form = HotlineForm(request.user, request.POST or None, initial={"key": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case, received = receive_case_once(
                campaign=data["campaign"], kind=data["kind"], description=data["description"].strip(),
                raised_at=clock.now(), source=data["source"], region=data["region"],
                raiser_name=data["raiser_name"].strip(), raiser_phone=data["raiser_phone"], by=request.user,
                key=data["key"], repeat_of=data["repeat_of"],
            )
        except request_keys.KeyReused as reused:
            # The page was sent, changed (back button) and sent again: another call. Keep what was typed, with a
            # new key, and let the clerk confirm it is not the call already received.
            earlier = reused.made
            form = HotlineForm(request.user, {**request.POST.dict(), "key": str(uuid.uuid4())})
            form.is_valid()
            form.add_error(None, _("这张表刚才已受理为 %(number)s（%(when)s），内容与本次不同。如是另一个来电，请核对后再点“受理”；"
                                   "如是同一来电，请打开该件修改。") % {
                "number": earlier.number, "when": clock.time_of_day(earlier.created_at)})
            return _page(request, form, data["raiser_phone"], earlier=earlier)
        except CaseError as refused:  # the earlier call was closed or merged meanwhile: nothing was received
            form.add_error(None, str(refused))
            return _page(request, form, data["raiser_phone"])
        if not received:
            messages.info(request, _("这个来电已受理过（%(number)s），未重复登记。") % {"number": case.number})
        elif case.merged_into is not None:
            messages.success(request, _("已受理，作为 %(number)s 的重复来电合并到该件。") % {"number": case.merged_into.number})
        elif case.follows is not None:
            messages.success(request, _("已受理，关联已结案的 %(number)s（重复来电），请在登记期限 %(due)s 前登记交办。") % {
                "number": case.follows.number, "due": day_text(case.registration_due)})
        else:
            messages.success(request, _("已受理，请在登记期限 %(due)s 前登记交办。") % {"due": day_text(case.registration_due)})
        return redirect("cases:detail", case.public_id)
    return _page(request, form, request.POST.get("raiser_phone", ""))


def _page(request: HttpRequest, form: HotlineForm, phone: str, **context: Any) -> HttpResponse:
    """The intake form, and under it the number's earlier calls once a well-formed number is typed."""
    phone = "".join(phone.split())
    callers = (caller_cases(request.user, phone, request.POST.get("description", "")) if phone and is_valid_phone(phone)
               else similarity.CallerCases([], 0))
    if context.get("looked_up") and phone and not is_valid_phone(phone):
        context["phone_error"] = _("电话号码格式不正确。")
    return render(request, "cases/hotline.html", {
        "form": form, "callers": offered(request.user, callers.shown), "callers_total": callers.total,
        "phone": phone, "picked": request.POST.get("repeat_of", ""), **context})
