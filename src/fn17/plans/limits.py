"""Bounds on what one analysis may cost: file size, pages, passages, decompressed size, time.

A plan is user input (the web app accepts uploads), so every reader checks these before and
while it works, and stops with a clear :class:`~fn17.errors.InvalidInputError` instead of
filling memory or running for ever.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from fn17.errors import InvalidInputError

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 60 * MIB
    """Largest file accepted (the biggest municipal plans seen are 20–40 MB PDFs with photos)."""
    max_pages: int = 2000
    max_chars: int = 6_000_000
    """Extracted text; about 3,000 dense pages."""
    max_passages: int = 30_000
    max_uncompressed_bytes: int = 300 * MIB
    """For DOCX (a zip): the sum of all members' declared uncompressed sizes."""
    max_compression_ratio: float = 200.0
    """For DOCX: a member larger than 1 MiB may not be compressed more than this."""
    max_zip_members: int = 10_000
    max_seconds: float = 600.0
    """Wall-clock bound on extraction and classification together."""


DEFAULT_LIMITS = Limits()

# Seconds of language model per plan by default: the surest passages are left to the lexicon
# model, so a 100-page plan is analysed in under 10 s on two cores (docs/plans.md, "Measured").
DEFAULT_EMBED_BUDGET_S = 6.0


class Deadline:
    """Raises once the analysis has used up its time."""

    def __init__(self, seconds: float, filename: str) -> None:
        self.seconds = seconds
        self.filename = filename
        self._end = time.monotonic() + seconds

    def check(self, stage: str) -> None:
        if time.monotonic() > self._end:
            raise InvalidInputError(
                f"Analysen av «{self.filename}» tok mer enn {self.seconds:.0f} sekunder ({stage}) "
                "og ble stoppet.",
                message_en=f"Analysing '{self.filename}' took more than {self.seconds:.0f} seconds "
                f"({stage}) and was stopped.",
                hint="Del dokumentet opp, eller last opp bare planteksten uten vedlegg.",
                hint_en="Split the document, or upload the plan text without appendices.",
                details={"file": self.filename, "reason": "timeout", "stage": stage},
            )

    def remaining(self) -> float:
        return max(0.0, self._end - time.monotonic())


def too_large(filename: str, what_nb: str, what_en: str, value: int, limit: int) -> InvalidInputError:
    """The one error for every size bound."""
    return InvalidInputError(
        f"«{filename}» er for stor: {what_nb} {value:,} er over grensen på {limit:,}.".replace(",", " "),
        message_en=f"'{filename}' is too large: {what_en} {value:,} is over the limit of {limit:,}.",
        hint="Del dokumentet opp, eller last opp bare planteksten uten vedlegg.",
        hint_en="Split the document, or upload the plan text without appendices.",
        details={"file": filename, "reason": "too_large", "what": what_en, "value": value, "limit": limit},
    )
