"""How a target looks to a given user; its ID and phone numbers go through accounts.masking."""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from zoufang.accounts import audit
from zoufang.accounts.masking import Kind, Masker
from zoufang.accounts.models import AuditEvent
from zoufang.registry.models import Target


class TargetPresenter:
    def __init__(self, user: Any) -> None:
        self.user = user
        self.masker = Masker(user)
        self.policy = self.masker.policy

    def id_number(self, target: Target) -> str:
        return self.masker.show(Kind.ID_NUMBER, target.id_number, target)

    def phone(self, target: Target) -> str:
        return self.masker.show(Kind.PHONE, target.phone, target)

    def contact_name(self, target: Target) -> str:
        """An enterprise's or project's contact: read as its phone is, by whoever arranges the visit."""
        return self.masker.show(Kind.NAME, target.contact_name, target, full=self.policy.full_phone(target))

    def legal_representative(self, target: Target) -> str:
        return self.masker.show(Kind.NAME, target.legal_representative, target, full=self.policy.full_phone(target))

    def reveals_personal_data(self, target: Target) -> bool:
        """Showing this target to this user discloses a full ID or phone number, or a contact's name: a read to
        audit."""
        return (bool(target.id_number) and self.policy.full_identity(target)) or (
            bool(target.phone or target.contact_name or target.legal_representative)
            and self.policy.full_phone(target)
        )

    def record_list_read(self, targets: Iterable[Target], *, summary: str) -> None:
        """One audit row for a page of a list that showed full ID or phone numbers, naming whose."""
        revealed = [str(t.public_id) for t in targets if self.reveals_personal_data(t)]
        if revealed:
            audit.record(
                self.user, AuditEvent.Action.READ, object_type="registry.Target",
                summary=_("%(summary)s：%(n_revealed)s条") % {
                    "summary": summary, "n_revealed": len(revealed),
                }, changes={"targets": revealed},
            )

    def as_dict(self, target: Target) -> dict[str, Any]:
        return {
            "id": str(target.public_id),
            "kind": target.kind,
            "kind_label": str(target.get_kind_display()),
            "name": target.name,
            "region_id": str(target.region.public_id),
            "region": target.region.name,
            "address": target.address,
            "phone": self.phone(target),
            "id_number": self.id_number(target),
            "contact_name": self.contact_name(target),
            "legal_representative": self.legal_representative(target),
            "member_count": target.member_count,
            "hardship": target.hardship,
            "credit_code": target.credit_code,
            "scale": target.scale,
            "is_key": target.is_key,
            "industry": target.industry,
            "stage": target.stage,
            "is_demo": target.is_demo,
        }
