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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoufang import clock
from zoufang.accounts import scope
from zoufang.accounts.models import RoleGrant
from zoufang.campaigns.models import Campaign
from zoufang.cases import access
from zoufang.cases.models import Case
from zoufang.cases.services import receive_case_once
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
    region = forms.ModelChoiceField(label=gettext_lazy("村（社区）"), queryset=Region.objects.none(), required=False)
    description = forms.CharField(label=gettext_lazy("反映内容"), max_length=limits.TEXT,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    raiser_name = forms.CharField(label=gettext_lazy("来电人姓名"), max_length=limits.NAME, required=False)
    raiser_phone = forms.CharField(label=gettext_lazy("来电号码"), max_length=20, required=False)
    # One key a rendered form (Case.request_key): a double click, a retry or the back button receives the call once.
    key = request_keys.RequestKeyField()

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaigns = office_campaigns(user)
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]
        self.fields["campaign"].initial = campaigns.filter(
            starts_on__lte=clock.today(), ends_on__gte=clock.today()
        ).values_list("pk", flat=True).first()
        self.fields["region"].queryset = scope.visible_regions(user).filter(  # type: ignore[attr-defined]
            level=Region.Level.VILLAGE
        ).order_by("path")

    def clean_raiser_phone(self) -> str:
        # A clerk types the number as heard, often in groups ("138 6884 1290"): the spaces are not part of it.
        phone = "".join(self.cleaned_data["raiser_phone"].split())
        if phone and not is_valid_phone(phone):
            raise forms.ValidationError(_("电话号码格式不正确。"))
        return phone


@login_required
def hotline(request: HttpRequest) -> HttpResponse:
    if not access.is_case_office(request.user) and not request.user.is_superuser:
        raise Http404
    form = HotlineForm(request.user, request.POST or None, initial={"key": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case, received = receive_case_once(
                campaign=data["campaign"], kind=data["kind"], description=data["description"].strip(),
                raised_at=clock.now(), source=data["source"], region=data["region"],
                raiser_name=data["raiser_name"].strip(), raiser_phone=data["raiser_phone"], by=request.user,
                key=data["key"],
            )
        except request_keys.KeyReused as reused:
            # The page was sent, changed (back button) and sent again: another call. Keep what was typed, with a
            # new key, and let the clerk confirm it is not the call already received.
            earlier = reused.made
            form = HotlineForm(request.user, {**request.POST.dict(), "key": str(uuid.uuid4())})
            form.is_valid()
            form.add_error(None, _("这张表刚才已受理为 %(number)s（%(when)s），内容与本次不同。如是另一个来电，请核对后再点“受理”；"
                                   "如是同一来电，请打开该件修改。") % {
                "number": earlier.number, "when": timezone.localtime(earlier.created_at).strftime("%H:%M")})
            return render(request, "cases/hotline.html", {"form": form, "earlier": earlier})
        if received:
            messages.success(request, _("已受理，请在登记期限 %(due)s 前登记交办。") % {"due": case.registration_due})
        else:
            messages.info(request, _("这个来电已受理过（%(number)s），未重复登记。") % {"number": case.number})
        return redirect("cases:detail", case.public_id)
    return render(request, "cases/hotline.html", {"form": form})
