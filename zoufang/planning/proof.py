"""The stored plan proof (issue 14): check_plan reads every target and assignment of the campaign (a million at a
city), so it runs when the plan is written (run_plan) or in the plan_check job, and the plan page and the API read
its stored result — with when it was computed and whether the plan has changed since."""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from zoufang import clock
from zoufang.core.progress import Progress, report
from zoufang.planning.check import check_plan, failures
from zoufang.planning.models import PlanProblem, PlanProof


def store(campaign: Any, result: dict[str, Any]) -> PlanProof:
    """Keep `result` (check_plan's) as the campaign's proof, its problems one row each; replaces the former one."""
    found = failures(result)
    with transaction.atomic():
        proof, _created = PlanProof.objects.update_or_create(campaign=campaign, defaults={
            "computed_at": clock.now(), "result": result, "proven": not found, "problem_count": len(found),
            "stale": False})
        PlanProblem.objects.filter(proof=proof).delete()
        PlanProblem.objects.bulk_create((PlanProblem(proof=proof, position=i, text=text)
                                         for i, text in enumerate(found, start=1)), batch_size=500)
    return proof


def compute(campaign: Any, progress: Progress | None = None) -> PlanProof:
    """Prove the campaign's plan now and keep the result (the plan_check job)."""
    report(progress, 0, 2)
    result = check_plan(campaign)
    report(progress, 1, 2)
    proof = store(campaign, result)
    report(progress, 2, 2)
    return proof


def stored(campaign: Any) -> PlanProof | None:
    """The campaign's stored proof, None when never computed: one query."""
    return PlanProof.objects.filter(campaign=campaign).first()


def mark_stale(campaigns: "QuerySet[Any]") -> int:
    """The plan of these campaigns (or campaign ids) changed: their stored proofs are out of date."""
    return PlanProof.objects.filter(campaign__in=campaigns, stale=False).update(stale=True)


NOT_IN_THE_PROOF = frozenset({"pinned", "modified_at"})


def _plan_row_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """An assignment or a fixed quota written or deleted through the ORM — by hand, in the admin, by any service —
    moves the plan its stored proof was made of. The bulk writers that pause the receivers answer for themselves:
    AssignmentQuerySet.delete marks its campaigns in one statement, run_plan stores a fresh proof; the registry
    import, which writes targets in bulk, marks its campaigns (imports/runner.py)."""
    from zoufang.oversight import counters

    fields = kwargs.get("update_fields")
    if fields is not None and set(fields) <= NOT_IN_THE_PROOF:
        return  # a pin keeps who visits whom
    if not counters.is_paused():
        PlanProof.objects.filter(campaign_id=instance.campaign_id, stale=False).update(stale=True)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from zoufang.planning.models import Assignment, FixedQuota

    for model in (Assignment, FixedQuota):
        post_save.connect(_plan_row_changed, sender=model, dispatch_uid=f"proof-stale-saved-{model.__name__}")
        post_delete.connect(_plan_row_changed, sender=model, dispatch_uid=f"proof-stale-deleted-{model.__name__}")


def problems(proof: PlanProof) -> "QuerySet[PlanProblem]":
    return PlanProblem.objects.filter(proof=proof).order_by("position", "id")
