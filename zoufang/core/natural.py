"""Text in the order people read numbered names: 幸福路2号 before 幸福路10号, 户主2 before 户主100."""

import re
from typing import Any

_NUMBERS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[Any, ...]:
    """`text` as compared in natural order: its runs of digits (full-width too) as numbers, the rest as text,
    then the text itself (户主02 and 户主2 stay apart, always in the same order)."""
    parts = _NUMBERS.split(text)  # text at even places, digits at odd ones: places compare like with like
    return (*(int(part) if i % 2 else part for i, part in enumerate(parts)), text)
