"""What 我的走访 keeps on the phone (localStorage), named once: visits.js writes there, and site.js reads the same
names on 退出 (it warns of records not yet sent and forgets the typed forms). The base template hands both scripts
the names (`phone-storage`), so a rename cannot leave one script reading where the other no longer writes."""

from typing import Any

from zoufang.accounts import scope

OUTBOX = "zoufang.outbox.v1."  # + the cadre's public id: the cadre's records not yet sent, kept across 退出
DRAFTS = "zoufang.draft.v1."  # + the cadre's public id + "." + the target's: a visit form typed, forgotten on 退出


def storage_names(user: Any) -> dict[str, str]:
    """Every logged-in page's: the drafts' prefix (退出 forgets every cadre's); a cadre's outbox and own drafts."""
    names = {"drafts": DRAFTS}
    cadre = scope.cadre_of(user)
    if cadre is not None:
        names["outbox"] = f"{OUTBOX}{cadre.public_id}"
        names["draft"] = f"{DRAFTS}{cadre.public_id}."
    return names
