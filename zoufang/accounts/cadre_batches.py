"""干部账号 in batches, each kept by its form's key (core.request_keys): opening the next batch of accounts or
re-issuing the one-time passwords of ticked cadres, at most OPEN_BATCH a request.

A one-time password is shown once and stored only as a hash, so a batch whose answer the browser never showed (a
double click past the busy button, a browser's retry: the browser shows the second answer) cannot be shown again.
The same form sent again is therefore that batch again, never the next one: its accounts still waiting for their
first login get new one-time passwords in the same request (each audited; the earlier ones no longer work), and the
page says so (docs/security.md, "走访干部账号"; decision 0048).
"""

import hashlib
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zoufang.accounts import cadre_accounts
from zoufang.accounts.cadre_accounts import CADRE_ORDER, Issued
from zoufang.accounts.models import CadreAccountBatch
from zoufang.core.request_keys import KeyReused
from zoufang.registry.models import Cadre

Kind = CadreAccountBatch.Kind


@dataclass
class Batch:
    """What a batch issued, and what it did not: `skipped` (opening: already had an account; re-issuing: not
    re-issuable), `left` (ticked beyond this batch, for the next). `again`: the key's batch sent again, its passwords
    re-issued (`made` is when it was first done); `gone`, the batch's accounts no longer any cadre's of the office's
    area (unlinked since), named on the page and left alone."""

    kind: str
    issued: list[Issued]
    skipped: list[Cadre] = field(default_factory=list)
    left: list[Cadre] = field(default_factory=list)
    again: bool = False
    made: Any = None
    gone: list[Any] = field(default_factory=list)


class AnothersKey(KeyReused):
    """The key of a batch another clerk made (a shared computer, a page kept across a change of clerk): not this
    clerk's batch to show again, and not theirs to make anew with that key."""


def asked(kind: str, cadres: Sequence[Cadre] | None) -> str:
    """The digest of what a form asked: the next batch (None), or these ticked cadres."""
    ticked = "all" if cadres is None else ",".join(sorted(str(cadre.public_id) for cadre in cadres))
    return hashlib.sha256(f"{kind}:{ticked}".encode()).hexdigest()


@transaction.atomic
def run(kind: str, key: uuid.UUID, cadres: Sequence[Cadre] | None, *, by: Any,
        shown: Mapping[str, str] | None = None) -> Batch:
    """The batch the form with `key` asked for: open accounts for the ticked cadres (or the next batch of those
    without one, cadres=None), or re-issue the ticked cadres' passwords. The key's earlier batch is re-shown
    instead (`again`); the key sent with other ticks is KeyReused; nothing to do is a ValidationError. `shown`: the
    account the page showed for each ticked cadre (by public id; none from a page drawn before it carried them): a
    re-issue for a cadre whose account another clerk changed meanwhile does nothing (decision 0059)."""
    digest = asked(kind, cadres)
    if kind == Kind.REISSUE and cadres and shown is not None:  # checked before anything is written
        for cadre in _locked(by, Cadre.objects.filter(pk__in=[cadre.pk for cadre in cadres])):
            cadre_accounts.check_shown(cadre, shown.get(str(cadre.public_id), ""))
    earlier = CadreAccountBatch.objects.filter(request_key=key).first()
    if earlier is None:
        try:
            # Inserted first: the same key sent at once waits here (the unique index) until this batch is done.
            with transaction.atomic():
                batch = CadreAccountBatch.objects.create(request_key=key, kind=kind, asked=digest, created_by=by)
        except IntegrityError:
            earlier = CadreAccountBatch.objects.get(request_key=key)
    if earlier is not None:
        if earlier.created_by_id != by.pk:
            raise AnothersKey(earlier)
        if (earlier.kind, earlier.asked) != (kind, digest):
            raise KeyReused(earlier)
        return _again(earlier, by)
    if kind == Kind.OPEN:
        chosen = list(cadres) if cadres is not None else cadre_accounts.next_batch(by)
        if not chosen:
            raise ValidationError(_("没有要开通账号的干部：请先勾选干部，或本镇干部都已有账号。"))
        issued, skipped = cadre_accounts.open_accounts(chosen, by=by)
        done = Batch(kind, issued, skipped)
    else:
        if not cadres:
            raise ValidationError(_("没有要重设初始密码的干部：请先勾选干部。"))
        done = _reissue(cadres, by)
    batch.accounts.set([row.cadre.user for row in done.issued if row.cadre.user is not None])
    return done


def _reissue(cadres: Sequence[Cadre], by: Any) -> Batch:
    """New one-time passwords for the ticked cadres whose accounts wait for their first login, in the list's order,
    at most OPEN_BATCH and for at most OPEN_SECONDS (one at least); the rest `left` for the next batch."""
    done = Batch(Kind.REISSUE, [])
    started = time.monotonic()
    for cadre in _locked(by, Cadre.objects.filter(pk__in=[cadre.pk for cadre in cadres])):
        if len(done.issued) >= cadre_accounts.OPEN_BATCH or (
                done.issued and time.monotonic() - started > cadre_accounts.OPEN_SECONDS):
            done.left.append(cadre)
        elif (issued := cadre_accounts.reissued(by, cadre)) is None:
            done.skipped.append(cadre)
        else:
            done.issued.append(issued)
    return done


def _again(batch: CadreAccountBatch, by: Any) -> Batch:
    """The key's batch sent again: its accounts still waiting for their first login get new one-time passwords (the
    earlier ones were never shown, or this page replaces them); those since started by their owners, unlinked or
    given a role keep theirs (skipped); those unlinked since are no longer the batch's (gone). No second batch is
    opened."""
    done = Batch(batch.kind, [], again=True, made=batch.created_at)
    accounts = list(batch.accounts.order_by("username"))
    cadres = _locked(by, Cadre.objects.filter(user__in=accounts))
    for cadre in cadres:
        if (issued := cadre_accounts.reissued(by, cadre, again=True)) is None:
            done.skipped.append(cadre)
        else:
            done.issued.append(issued)
    still = {cadre.user_id for cadre in cadres}
    done.gone = [account for account in accounts if account.pk not in still]
    return done


def _locked(by: Any, cadres: Any) -> list[Cadre]:
    """These cadres of the office's area, locked (the cadre rows only), with their units and accounts."""
    area = cadre_accounts.town_cadres(by).filter(pk__in=cadres.values("pk"))
    return list(area.select_for_update(of=("self",)).select_related("unit", "user").order_by(*CADRE_ORDER))
