"""A campaign's parsed configuration, kept per process so a request does not decode it again.

A visit submission reads the configuration several times (modes, questionnaires, deadlines); decoding a town's
configuration on every request cost more than the rest of the validation. Rows are loaded with the `config`
column deferred and `attach` puts the configuration back from this cache, keyed by the campaign's public id,
`version` (bumped by campaigns.services when a configuration is loaded) and `modified_at` (moved by every save),
so an edited campaign is read again. The dict is shared: callers read it, never change it in place.
"""

import datetime as dt
import threading
from typing import Any

from zoufang.campaigns.models import Campaign

MAX_ENTRIES = 256
_lock = threading.Lock()
_configs: dict[tuple[Any, int, dt.datetime | None], dict[str, Any]] = {}


def attach(campaign: Campaign) -> Campaign:
    """The campaign with its configuration in place: from the cache when it was loaded without it."""
    if "config" not in campaign.get_deferred_fields():
        return campaign
    key = (campaign.public_id, campaign.version, campaign.modified_at)
    config = _configs.get(key)
    if config is None:
        config = Campaign.objects.values_list("config", flat=True).get(pk=campaign.pk)
        with _lock:
            if len(_configs) >= MAX_ENTRIES:
                _configs.clear()
            _configs[key] = config
    campaign.config = config
    return campaign


def clear() -> None:
    with _lock:
        _configs.clear()
