"""The office's cadre accounts (干部账号): which login is which cadre's, for the cadres of its own town.

A cadre's account sees what the cadre link gives (the targets the office assigned to that cadre, and the cadre's own
visits); it carries no role grant. So linking is the office's business, as the plan is, and stays inside the
separation of duties (docs/security.md, "走访干部账号"):
- the office opens accounts only for the cadres of its area, each with a one-time password changed at first login,
  and grants no role: a role (leader, unit handler …) stays the security administrator's;
- it links an existing account only when that account holds nothing beyond its area: no administrator role, no
  superuser or admin-site account, no grant outside the area, no other town's cadre, and not the clerk's own;
- it re-issues a one-time password only for an account it could have opened and whose owner never logged in with it.
Each change locks the cadre, is refused when the cadre's account is no longer the one the page showed, and is
audited; asking again for what is already so changes nothing.

A town has hundreds of cadres and a one-time password is a PBKDF2 hash (≈0.25 s of CPU): a request opens at most
OPEN_BATCH accounts and stops early at OPEN_SECONDS, and the page offers the next batch (docs/security.md).
"""

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from zoufang.accounts import audit, passwords, scope
from zoufang.accounts.duties import ADMIN_ROLES
from zoufang.accounts.models import AccountSecurity, AuditEvent, RoleGrant
from zoufang.core.names import name_contains
from zoufang.registry.models import Cadre, Unit

User = get_user_model()
Role = RoleGrant.Role

# A one-time password is copied by hand: no 0/O, 1/l/I; each of the three classes, so the password rules hold.
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "23456789"
ONE_TIME_LENGTH = 10
# A batch: one printed page of passwords, ≈12 s of hashing; a loaded server stops sooner, well inside a worker's 30 s.
OPEN_BATCH = 50
OPEN_SECONDS = 15.0
# The list's order (by unit, as the office's tables are), ending in the id for its keyset pages.
CADRE_ORDER = ("unit__sort_order", "unit__name", "sort_order", "name", "id")
NAME_SEARCH_MAX = 50  # Cadre.name's length


@dataclass(frozen=True)
class Issued:
    """An account and the one-time password handed to its cadre (shown once, stored only as a hash)."""

    cadre: Cadre
    username: str
    password: str


def may_manage_cadre_accounts(user: Any) -> bool:
    """干部账号: the office (of a region); a superuser. From the request's grants: no query."""
    return bool(getattr(user, "is_superuser", False)) or bool(scope.office_paths(user))


def town_cadres(user: Any) -> QuerySet[Cadre]:
    """The cadres whose unit is in the office's area (not a city department's, which visits several towns), on post."""
    area = Q() if getattr(user, "is_superuser", False) else scope.office_area(user, "unit__region__path")
    return Cadre.objects.filter(area, archived_on__isnull=True)


def listed_cadres(user: Any, *, unit: Any = None, linked: bool | None = None, name: str = "") -> QuerySet[Cadre]:
    """The town's cadres in the list's order with what the page shows of their accounts (`waiting`: the one-time
    password not yet replaced; `granted`: a role beside), narrowed to a unit, to those with (or without) an
    account, and to a part of the name."""
    cadres = town_cadres(user)
    if unit is not None:
        cadres = cadres.filter(unit=unit)
    if linked is not None:
        cadres = cadres.filter(user__isnull=not linked)
    if name:
        cadres = cadres.filter(name_contains("name", name))
    return cadres.select_related("unit", "user").annotate(
        waiting=Exists(AccountSecurity.objects.filter(user=OuterRef("user"), must_change_password=True)),
        granted=Exists(RoleGrant.objects.filter(user=OuterRef("user"))),
    ).order_by(*CADRE_ORDER)


def town_units(user: Any) -> QuerySet[Unit]:
    """The units of the office's area that have cadres on post (the list's unit filter), in the list's order."""
    area = Q() if getattr(user, "is_superuser", False) else scope.office_area(user, "region__path")
    on_post = Cadre.objects.filter(unit=OuterRef("pk"), archived_on__isnull=True)
    return Unit.objects.filter(area, Exists(on_post)).order_by("sort_order", "name", "id")


def cadre_of_town(user: Any, public_id: Any) -> Cadre:
    """The cadre, or 404 whether it does not exist or is another town's."""
    try:
        return town_cadres(user).select_related("unit", "user").get(public_id=public_id)
    except (Cadre.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


def one_time_password() -> str:
    chars = [secrets.choice(_LOWER), secrets.choice(_UPPER), secrets.choice(_DIGITS)]
    chars += [secrets.choice(_LOWER + _UPPER + _DIGITS) for _n in range(ONE_TIME_LENGTH - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def _username_for(cadre: Cadre) -> str:
    """gb (干部) and the cadre's number: short to type on a phone, the same on a retry; a suffix if taken."""
    base = f"gb{cadre.pk:05d}"
    name, n = base, 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _outside(by: Any, account: Any) -> str:
    """Why the office may not link this account ("" when it may)."""
    if account.pk == getattr(by, "pk", None):
        return _("不能把自己的账号关联到干部：须由走访办另一名工作人员办理。")
    if account.is_superuser or account.is_staff:
        return _("该账号是管理后台账号，不能关联走访干部：管理员不接触走访对象的信息。")
    held = list(RoleGrant.objects.filter(user=account).select_related("region", "unit__region"))
    if any(grant.role in ADMIN_ROLES for grant in held):
        return _("该账号是管理员账号，不能关联走访干部：管理员不接触走访对象的信息。")
    if getattr(by, "is_superuser", False):
        return ""
    paths = scope.office_paths(by)
    for grant in held:
        region = grant.region or (grant.unit.region if grant.unit is not None else None)
        if region is None or not any(region.path.startswith(path) for path in paths):
            return _("该账号持有本辖区以外的授权，须由安全管理员或该账号所在地的走访办办理。")
    return ""


def _locked(by: Any, cadre: Cadre, shown: str) -> Cadre:
    """The cadre locked, in the office's area, still with the account the page showed (shown: a username or "")."""
    # Only the cadre's row is locked: PostgreSQL locks no row of an outer join's nullable side (the account).
    locked = town_cadres(by).select_for_update(of=("self",)).select_related("unit", "user").filter(pk=cadre.pk).first()
    if locked is None:
        raise Http404
    check_shown(locked, shown)
    return locked


def check_shown(locked: Cadre, shown: str) -> None:
    """The locked cadre still has the account the page showed (a username, or "" for none), or nothing is done."""
    now = locked.user.get_username() if locked.user is not None else ""
    if now != shown:
        raise ValidationError(
            _("%(cadre)s的登录账号已由他人改为“%(now)s”（页面上是“%(shown)s”），未作修改，请核对后再办理。")
            % {"cadre": locked.name, "now": now or _("未关联"), "shown": shown or _("未关联")})


def _linked(by: Any, cadre: Cadre, account: Any | None, *, summary: str) -> None:
    before = cadre.user.get_username() if cadre.user is not None else None
    cadre.user = account
    cadre.modified_by = by if getattr(by, "is_authenticated", False) else None
    cadre.version += 1
    cadre.save(update_fields=["user", "modified_by", "modified_at", "version"])
    audit.record(by, AuditEvent.Action.UPDATE, cadre, summary=summary,
                 changes={"user": [before, account.get_username() if account is not None else None]})


@transaction.atomic
def link_account(cadre: Cadre, username: str, *, shown: str = "", by: Any) -> Cadre:
    """Link an existing account to the cadre; the same account again changes nothing."""
    username = username.strip()
    locked = _locked(by, cadre, shown)
    if locked.user is not None and locked.user.get_username() == username:
        return locked
    account = User.objects.select_for_update().filter(username=username).first()
    if account is None or not account.is_active:
        raise ValidationError(_("没有名为“%(username)s”的可用账号：请核对账号，或为该干部开通新账号。")
                              % {"username": username})
    if why := _outside(by, account):
        raise ValidationError(why)
    other = Cadre.objects.filter(user=account).exclude(pk=locked.pk).select_related("unit").first()
    if other is not None:
        if town_cadres(by).filter(pk=other.pk).exists():
            raise ValidationError(_("账号“%(username)s”已关联%(other)s，请先解除那边的关联。")
                                  % {"username": username, "other": str(other)})
        raise ValidationError(_("账号“%(username)s”已关联其他镇的走访干部，须由那里的走访办解除关联。")
                              % {"username": username})
    _linked(by, locked, account, summary=_("把账号 %(username)s 关联到走访干部 %(cadre)s")
            % {"username": username, "cadre": str(locked)})
    return locked


@transaction.atomic
def unlink_account(cadre: Cadre, *, shown: str, by: Any) -> Cadre:
    """The account no longer the cadre's (it keeps its grants; the cadre keeps its visits); unlinked again: nothing."""
    locked = _locked(by, cadre, shown)
    if locked.user is None:
        return locked
    _linked(by, locked, None, summary=_("解除账号 %(username)s 与走访干部 %(cadre)s 的关联")
            % {"username": locked.user.get_username(), "cadre": str(locked)})
    return locked


def _issue(by: Any, account: Any, cadre: Cadre, action: str, summary: str) -> Issued:
    password = one_time_password()
    account.set_password(password)
    account.save()
    passwords.require_change(account)
    audit.record(by, action, account, object_type="auth.User", summary=summary)
    return Issued(cadre, account.get_username(), password)


@transaction.atomic
def open_accounts(cadres: Sequence[Cadre], *, by: Any) -> tuple[list[Issued], list[Cadre]]:
    """An account for each of these cadres of the office's area that has none, in the list's order, at most
    OPEN_BATCH and for at most OPEN_SECONDS (one at least): (issued, those that had one already). The rest stay
    without an account, for the next batch.

    No role grant: the account sees the cadre's own list. A retry skips what the first attempt opened."""
    issued: list[Issued] = []
    skipped: list[Cadre] = []
    wanted = [cadre.pk for cadre in cadres]
    chosen = town_cadres(by).select_for_update(of=("self",)).select_related("unit", "user").filter(pk__in=wanted)
    started = time.monotonic()
    for cadre in chosen.order_by(*CADRE_ORDER):
        if cadre.user is not None:
            skipped.append(cadre)
            continue
        if len(issued) >= OPEN_BATCH or (issued and time.monotonic() - started > OPEN_SECONDS):
            continue  # left for the next batch (still read: a skipped one later in the list is still reported)
        account = User.objects.create_user(_username_for(cadre), first_name=cadre.name)
        issued.append(_issue(by, account, cadre, AuditEvent.Action.CREATE,
                             _("为走访干部 %(cadre)s 开通账号 %(username)s（初始密码，首次登录须修改）")
                             % {"cadre": str(cadre), "username": account.get_username()}))
        _linked(by, cadre, account, summary=_("把账号 %(username)s 关联到走访干部 %(cadre)s")
                % {"username": account.get_username(), "cadre": str(cadre)})
    return issued, skipped


def next_batch(by: Any) -> list[Cadre]:
    """The next OPEN_BATCH of the town's cadres without an account, in the list's order (为全部未开通的干部开通账号)."""
    return list(without_account(by).order_by(*CADRE_ORDER)[:OPEN_BATCH])


def without_account(by: Any) -> QuerySet[Cadre]:
    """The town's cadres still without an account."""
    return town_cadres(by).filter(user__isnull=True)


def reissuable(account: Any) -> bool:
    """An account whose owner never replaced the one-time password and that holds no grant: a lost slip of paper."""
    if account is None or account.is_superuser or account.is_staff or not account.is_active:
        return False
    waiting = AccountSecurity.objects.filter(user=account, must_change_password=True).exists()
    return waiting and not RoleGrant.objects.filter(user=account).exists()


@transaction.atomic
def reissue_password(cadre: Cadre, *, shown: str, by: Any) -> Issued:
    """A new one-time password for the cadre's account, while its owner has not yet logged in and changed it."""
    locked = _locked(by, cadre, shown)
    issued = reissued(by, locked)
    if issued is None:
        raise ValidationError(_("%(cadre)s的账号已由本人启用或另有授权，不能由走访办重设密码：忘记密码的请系统管理员重设。")
                              % {"cadre": locked.name})
    return issued


def reissued(by: Any, cadre: Cadre, *, again: bool = False) -> Issued | None:
    """A new one-time password for the locked cadre's account, audited; None when the office may not re-issue it
    (no account, started by its owner, a grant, beyond the area). `again`: a batch's form sent again."""
    account = User.objects.select_for_update().filter(pk=cadre.user_id).first() if cadre.user_id else None
    if account is None or not reissuable(account) or _outside(by, account):
        return None
    names = {"cadre": str(cadre), "username": account.get_username()}
    summary = (_("重复提交的批次：为走访干部 %(cadre)s 的账号 %(username)s 重设初始密码（此前显示的作废，首次登录须修改）")
               if again else _("为走访干部 %(cadre)s 的账号 %(username)s 重设初始密码（首次登录须修改）")) % names
    return _issue(by, account, cadre, AuditEvent.Action.SECURITY, summary)
