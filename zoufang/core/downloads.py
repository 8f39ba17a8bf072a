"""How a file the user saves is named: one header for every download, built in a request or by a job."""

from pathlib import PurePath
from urllib.parse import quote


def attachment(filename: str, fallback: str = "download") -> str:
    """Content-Disposition of a file saved as `filename`, named in Chinese as the user reads it.

    RFC 6266: `filename*` carries the name percent-encoded in UTF-8, which every current browser reads; `filename`
    before it carries an ASCII name (`fallback` with the file's extension) for the clients that cannot. An ASCII
    name needs only the one."""
    if filename.isascii() and '"' not in filename and "\\" not in filename:
        return f'attachment; filename="{filename}"'
    extension = PurePath(filename).suffix
    plain = "".join(c for c in fallback if c.isascii() and (c.isalnum() or c in "-_.")) or "download"
    return f"attachment; filename=\"{plain}{extension}\"; filename*=UTF-8''{quote(filename, safe='')}"
