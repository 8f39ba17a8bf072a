"""What 我的走访 keeps on the phone (localStorage), named once: visits.js writes there, and site.js reads the same
names on 退出 (it warns of records not yet sent and forgets the typed forms). The base template hands both scripts
the names (`phone-storage`), so a rename cannot leave one script reading where the other no longer writes."""

from typing import Any

from zoufang.accounts import scope

OUTBOX = "zoufang.outbox.v1."  # + the cadre's public id: the cadre's records not yet sent, kept across 退出
DRAFTS = "zoufang.draft.v1."  # + the cadre's public id + "." + the target's: a visit form typed, forgotten on 退出
CACHES = "zoufang-me"  # the service worker's copies of 我的走访 (Cache Storage), every version dropped on 退出
CACHE = f"{CACHES}-v1"  # the one sw.js writes now
CLOCK = "zoufang.clock.v1"  # how far the product's clock stands from the phone's (ms), for the offline copy's "now"


def storage_names(user: Any) -> dict[str, str]:
    """Every page's: the drafts' and offline copies' prefixes (退出, or a page shown to no one logged in, forgets
    them); a cadre's outbox and own drafts."""
    names = {"drafts": DRAFTS, "caches": CACHES, "clock": CLOCK}
    cadre = scope.cadre_of(user)
    if cadre is not None:
        names["outbox"] = f"{OUTBOX}{cadre.public_id}"
        names["draft"] = f"{DRAFTS}{cadre.public_id}."
    return names
