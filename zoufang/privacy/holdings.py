"""What the office holds on one person (个人信息保护法 第四十四、四十五条): found by their ID or phone number.

Matching goes through the blind indexes (core/crypto.py): `Target.objects.filter(id_number=…)` compares the HMAC of
the number typed with the stored index, no row is decrypted to be compared. What hangs off a target found — its
visits with their answers, the cases it raised with their events, replies and callbacks, the callback samples of its
visits — is read by foreign key; a case raised on the hotline by the same phone number, by the raiser's phone index.
Only the records of the office's own area count: a town office answers for its town.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from zoufang.accounts import scope
from zoufang.accounts.models import RoleGrant
from zoufang.callbacks.models import CallbackSample
from zoufang.cases import access
from zoufang.cases.models import Case
from zoufang.core.crypto import normalise_id, normalise_phone
from zoufang.forms.models import FormAnswer
from zoufang.registry import identifiers
from zoufang.registry.models import Target
from zoufang.visits.models import Visit

ID_NUMBER, PHONE = "id_number", "phone"


@dataclass(frozen=True)
class Number:
    """A number a resident gave, validated: which kind it is and its value as stored."""

    kind: str
    value: str

    @property
    def label(self) -> str:
        return _("身份证号码") if self.kind == ID_NUMBER else _("电话号码")

    @property
    def masked(self) -> str:
        """As the audit trail and messages name it: never the number in full."""
        if self.kind == ID_NUMBER:
            return identifiers.mask_id_number(self.value)
        return identifiers.mask_phone(self.value)


def parse_number(text: str) -> Number:
    """The ID number (GB 11643) or the phone number (the registry's rule) typed; ValidationError in Chinese else."""
    compact = normalise_id(text or "")
    if not compact:
        raise ValidationError(_("请填写申请人的身份证号码或电话号码"))
    if len(compact) == 18 and compact[:17].isdigit():
        if not identifiers.is_valid_id_number(compact):
            raise ValidationError(identifiers.ID_NUMBER_RULE)
        return Number(ID_NUMBER, compact)
    digits = normalise_phone(compact)
    if len(digits) != len(compact.replace("-", "")):  # letters or other characters besides digits and dashes
        raise ValidationError(_("请填写18位身份证号码，或11位手机号码、带区号的固定电话（只能含数字和“-”）"))
    if not identifiers.is_valid_phone(digits):
        raise ValidationError(identifiers.PHONE_RULE)
    return Number(PHONE, digits)


def may_handle(user: Any) -> bool:
    """Requests are the town office's (its area), never a cadre's, a unit's, a leader's or an administrator's."""
    return scope.has_role(user, RoleGrant.Role.OFFICE)


@dataclass
class Holdings:
    """Everything of the office's area that holds the number or hangs off a target holding it."""

    number: Number | None  # None: a target's whole record (the retention's), not a request's number
    targets: list[Target] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    samples: list[CallbackSample] = field(default_factory=list)

    @property
    def asked(self) -> Number:
        """The number the request gave (a request's holdings always have one)."""
        if self.number is None:
            raise ValueError("a retention run's holdings name no number")
        return self.number

    @property
    def empty(self) -> bool:
        return not (self.targets or self.cases)

    @property
    def count(self) -> int:
        return len(self.targets) + len(self.visits) + len(self.cases) + len(self.samples)


def _targets(number: Number) -> QuerySet[Target]:
    return Target.objects.filter(**{number.kind: number.value})


def find(user: Any, number: Number, *, lock: bool = False) -> Holdings:
    """What the office `user` holds on the person with `number` in its area. `lock`: the targets and cases are
    locked until the caller's transaction ends (an erasure)."""
    targets_qs = _targets(number).select_related("region__parent__parent").order_by("pk")
    if lock:
        targets_qs = targets_qs.select_for_update(of=("self",))
    targets = [t for t in targets_qs if in_area(user, t)]
    raised = Q(raiser_phone=number.value) if number.kind == PHONE else Q(pk__in=[])
    holdings = around(targets, raised, lock=lock, number=number)
    holdings.cases = [c for c in holdings.cases if access.is_office_for(user, c)]
    return holdings


def around(targets: list[Target], raised: Q | None = None, *, lock: bool = False,
           number: Number | None = None) -> Holdings:
    """The records hanging off `targets`, and the cases `raised` names besides those they raised."""
    ids = [t.pk for t in targets]
    cases_qs = (Case.objects.filter(Q(target__in=ids) | (raised or Q(pk__in=[])))
                .select_related("campaign__scope", "region__parent__parent", "target", "unit", "category")
                .prefetch_related("events__actor", "replies", "callbacks").order_by("raised_at", "pk"))
    if lock:
        cases_qs = cases_qs.select_for_update(of=("self",))
    visits = list(Visit.objects.filter(target__in=ids)
                  .select_related("campaign", "target", "cadre__unit")
                  .prefetch_related(Prefetch("form_answers", FormAnswer.objects.select_related("form", "form_version")))
                  .order_by("visited_at", "pk"))
    samples = list(CallbackSample.objects.filter(visit__in=[v.pk for v in visits])
                   .select_related("batch__campaign", "visit__target").prefetch_related("attempts").order_by("pk"))
    return Holdings(number, targets, visits, list(cases_qs), samples)


def in_area(user: Any, target: Target) -> bool:
    return bool(getattr(user, "is_superuser", False)) or scope.covers(user, target.region, {RoleGrant.Role.OFFICE})
