"""The name a browser saves a download under, read back from its header (`core.downloads.attachment`)."""

from typing import Any
from urllib.parse import unquote


def saved_name(response: Any) -> str:
    """The UTF-8 name (`filename*`) where the header has one, which every current browser prefers; else `filename`."""
    header = response["Content-Disposition"]
    if "filename*=UTF-8''" in header:
        return unquote(header.split("filename*=UTF-8''", 1)[1])
    return header.split('filename="', 1)[1].removesuffix('"')
