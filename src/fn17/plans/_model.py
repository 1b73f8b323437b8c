"""Plain data carried between extraction, segmentation and classification."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "list_item", "table_cell"]
DocumentFormat = Literal["pdf", "docx", "html", "markdown", "text"]
PageMode = Literal["exact", "rendered", "none"]
"""How page numbers were obtained: from the PDF itself, from the page breaks
Word last rendered into a DOCX, or not at all (HTML, Markdown)."""


@dataclass(frozen=True)
class Notice:
    """A message for the user about the document, in bokmål and English."""

    code: str
    nb: str
    en: str

    def text(self, lang: str = "nb") -> str:
        return self.en if lang == "en" else self.nb


@dataclass(frozen=True)
class Block:
    """One unit of text as the extractor found it: a heading, a paragraph, a list item or a table cell."""

    text: str
    kind: BlockKind = "paragraph"
    level: int = 0
    """Heading level (1 = top); 0 for everything that is not a heading."""
    page: int | None = None
    """1-based page number, or None when the format has no pages."""


@dataclass(frozen=True)
class ExtractedDocument:
    filename: str
    format: DocumentFormat
    blocks: tuple[Block, ...]
    n_pages: int | None
    page_mode: PageMode
    title: str | None = None
    notices: tuple[Notice, ...] = ()

    @property
    def n_chars(self) -> int:
        return sum(len(b.text) for b in self.blocks)


@dataclass(frozen=True)
class Section:
    """A heading and the text under it, up to the next heading of the same or a higher level."""

    id: int
    title: str
    level: int
    path: tuple[str, ...]
    """Titles from the top-level heading down to this one."""
    page: int | None


@dataclass(frozen=True)
class Passage:
    """The unit that is classified: a paragraph or a few short ones, with where it came from."""

    id: str
    text: str
    section_id: int
    page: int | None
    page_end: int | None = None
    kind: BlockKind = "paragraph"


@dataclass(frozen=True)
class SegmentedDocument:
    document: ExtractedDocument
    sections: tuple[Section, ...]
    passages: tuple[Passage, ...]
    notices: tuple[Notice, ...] = field(default=())

    def section(self, section_id: int) -> Section:
        return self.sections[section_id]
