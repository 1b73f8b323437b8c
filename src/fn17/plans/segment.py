"""Cut an extracted document into sections and into passages of a classifiable size.

A passage is one paragraph, or a few short neighbours in the same section merged (a list with
its lead-in sentence, a run of table cells), or a piece of a long paragraph cut at sentence
boundaries. Each keeps its section and the page(s) it came from.
"""

from __future__ import annotations

from fn17.plans._model import Block, BlockKind, ExtractedDocument, Passage, Section, SegmentedDocument
from fn17.plans._text import sentences
from fn17.plans.limits import DEFAULT_LIMITS, Limits, too_large

MIN_CHARS = 120
"""Shorter paragraphs are merged with their neighbours in the same section."""
TARGET_CHARS = 650
MAX_CHARS = 1100
"""Longer paragraphs are cut at sentence boundaries into pieces of about ``TARGET_CHARS``."""
ROOT_TITLE = "(uten overskrift)"


def segment(document: ExtractedDocument, *, limits: Limits = DEFAULT_LIMITS) -> SegmentedDocument:
    sections: list[Section] = [Section(0, document.title or ROOT_TITLE, 0, (), _first_page(document.blocks))]
    stack: list[Section] = []
    groups: list[tuple[int, list[Block]]] = []
    current: list[Block] = []
    section_id = 0
    for block in document.blocks:
        if block.kind == "heading":
            if current:
                groups.append((section_id, current))
                current = []
            while stack and stack[-1].level >= block.level:
                stack.pop()
            path = (*tuple(s.title for s in stack), block.text)
            section = Section(len(sections), block.text, block.level, path, block.page)
            sections.append(section)
            stack.append(section)
            section_id = section.id
            continue
        current.append(block)
    if current:
        groups.append((section_id, current))

    passages: list[Passage] = []
    for sid, blocks in groups:
        for text, kind, page, page_end in _pack(blocks):
            passages.append(Passage(f"p{len(passages) + 1}", text, sid, page, page_end, kind))
            if len(passages) > limits.max_passages:
                raise too_large(
                    document.filename, "antall avsnitt", "number of passages", len(passages), limits.max_passages
                )
    return SegmentedDocument(document, tuple(sections), tuple(passages), document.notices)


def _first_page(blocks: tuple[Block, ...]) -> int | None:
    return next((b.page for b in blocks if b.page is not None), None)


def _pack(blocks: list[Block]) -> list[tuple[str, BlockKind, int | None, int | None]]:
    """Merge short blocks and split long ones; ``(text, kind, first page, last page)``."""
    out: list[tuple[str, BlockKind, int | None, int | None]] = []
    buf: list[Block] = []

    def buf_len() -> int:
        return sum(len(b.text) + 1 for b in buf)

    def flush() -> None:
        if not buf:
            return
        text = " ".join(b.text for b in buf)
        kinds = {b.kind for b in buf}
        kind: BlockKind = buf[-1].kind if len(kinds) == 1 else "list_item" if "list_item" in kinds else "paragraph"
        out.append((text, kind, buf[0].page, buf[-1].page))
        buf.clear()

    for block in blocks:
        if len(block.text) > MAX_CHARS:
            flush()
            for piece in _split(block.text):
                out.append((piece, block.kind, block.page, block.page))
            continue
        if buf:
            joins_list = block.kind == "list_item" and (buf[-1].kind == "list_item" or buf[-1].text.endswith(":"))
            if (buf_len() >= MIN_CHARS and not joins_list) or buf_len() + len(block.text) > TARGET_CHARS:
                flush()
        buf.append(block)
    flush()
    return [p for p in out if len(p[0]) >= 20 or len(p[0].split()) >= 3]


def _split(text: str) -> list[str]:
    pieces: list[str] = []
    cur = ""
    for sentence in sentences(text):
        while len(sentence) > MAX_CHARS:  # one enormous "sentence" (a table flattened into text)
            cut = sentence.rfind(" ", 0, TARGET_CHARS)
            cut = cut if cut > 0 else TARGET_CHARS
            if cur:
                pieces.append(cur)
                cur = ""
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if cur and len(cur) + len(sentence) + 1 > TARGET_CHARS:
            pieces.append(cur)
            cur = sentence
        else:
            cur = f"{cur} {sentence}".strip()
    if cur:
        pieces.append(cur)
    return pieces
