"""How a file the user saves is named: one header for every download built in a request."""

from django.utils.http import content_disposition_header


def attachment(filename: str) -> str:
    """Content-Disposition of a file saved as `filename`, named in Chinese as the user reads it; Django's own header
    percent-encodes a name outside ASCII (RFC 6266's filename*), which a hand-written one forgot."""
    return content_disposition_header(True, filename) or "attachment"
