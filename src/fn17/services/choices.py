"""A choice in a page's drop-down list (``<select>``), shared by the pages that offer filters."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    """One ``<option>``: the value sent, the label shown, and whether it is the current choice."""

    value: str
    label: str
    selected: bool = False


__all__ = ["Option"]
