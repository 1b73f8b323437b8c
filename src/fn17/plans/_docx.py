"""Read a DOCX: headings from paragraph styles and outline levels, lists, tables, page breaks.

A DOCX is a zip archive, so the archive is inspected *before* it is parsed: the number of
members, the sum of their declared uncompressed sizes and each large member's compression
ratio are bounded (a "zip bomb" fails here, cheaply). Page numbers come from the page breaks
Word records when it last laid the document out (``w:lastRenderedPageBreak``) and from hard
page breaks; they are marked "rendered" rather than exact.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile

from fn17.errors import InvalidInputError
from fn17.plans._model import Block, BlockKind, ExtractedDocument
from fn17.plans._text import clean, numbered_heading
from fn17.plans.limits import MIB, Deadline, Limits, too_large

log = logging.getLogger(__name__)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = re.compile(r"^(?:heading|overskrift|title|tittel|rubrik|otsikko)\s*(\d)?$", re.I)


def _corrupt(filename: str, why: str) -> InvalidInputError:
    return InvalidInputError(
        f"Word-filen «{filename}» er skadet eller ikke en gyldig DOCX ({why}).",
        message_en=f"The Word file '{filename}' is damaged or not a valid DOCX ({why}).",
        hint="Åpne den i Word eller LibreOffice og lagre den på nytt som .docx, eller last opp en PDF.",
        hint_en="Open it in Word or LibreOffice and save it again as .docx, or upload a PDF.",
        details={"file": filename, "reason": "damaged"},
    )


def check_zip(data: bytes, filename: str, limits: Limits) -> None:
    """Refuse archives that would decompress to too much, before anything is decompressed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _corrupt(filename, str(exc)) from exc
    if len(members) > limits.max_zip_members:
        raise too_large(filename, "antall filer i arkivet", "number of archive members", len(members), limits.max_zip_members)
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > MIB and ratio > limits.max_compression_ratio:
            raise InvalidInputError(
                f"«{filename}» ser ut som en zip-bombe: {member.filename} pakkes ut "
                f"{ratio:.0f} ganger større enn den er lagret.",
                message_en=f"'{filename}' looks like a zip bomb: {member.filename} decompresses to "
                f"{ratio:.0f} times its stored size.",
                hint="Last opp planen slik den ble lagret fra Word, eller som PDF.",
                hint_en="Upload the plan as it was saved from Word, or as a PDF.",
                details={"file": filename, "reason": "zip_bomb", "member": member.filename, "ratio": round(ratio)},
            )
    if total > limits.max_uncompressed_bytes:
        raise too_large(filename, "utpakket størrelse (byte)", "uncompressed size (bytes)", total, limits.max_uncompressed_bytes)
    names = {m.filename for m in members}
    if "word/document.xml" not in names:
        raise _corrupt(filename, "word/document.xml mangler / is missing")


def read_docx(data: bytes, filename: str, limits: Limits, deadline: Deadline) -> ExtractedDocument:
    check_zip(data, filename, limits)
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from lxml import etree

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, AttributeError, TypeError, IndexError,
            zipfile.BadZipFile, etree.LxmlError) as exc:  # python-docx fails in many ways on damaged files
        raise _corrupt(filename, str(exc)) from exc
    blocks: list[Block] = []
    page = 1
    breaks_seen = False
    chars = 0
    for item in document.iter_inner_content():
        deadline.check("DOCX")
        if isinstance(item, Paragraph):
            text = clean(item.text)
            n_breaks = _page_breaks_before(item)
            if n_breaks:
                breaks_seen = True
                page += n_breaks
            if text:
                blocks.append(_paragraph_block(item, text, page))
                chars += len(text)
            trailing = _page_breaks_after_text(item)
            if trailing:
                breaks_seen = True
                page += trailing
        elif isinstance(item, Table):
            for text in _table_cells(item):
                blocks.append(Block(text, "table_cell", 0, page))
                chars += len(text)
        if chars > limits.max_chars:
            raise too_large(filename, "tekstlengde (tegn)", "text length (characters)", chars, limits.max_chars)
    title = clean(document.core_properties.title or "") or None
    if breaks_seen:
        return ExtractedDocument(filename, "docx", tuple(blocks), page, "rendered", title)
    return ExtractedDocument(
        filename, "docx", tuple(Block(b.text, b.kind, b.level, None) for b in blocks), None, "none", title
    )


def _paragraph_block(paragraph: object, text: str, page: int) -> Block:
    from docx.text.paragraph import Paragraph

    assert isinstance(paragraph, Paragraph)
    level = _heading_level(paragraph, text)
    if level:
        return Block(text, "heading", level, page)
    kind: BlockKind = "list_item" if _is_list(paragraph) else "paragraph"
    return Block(text, kind, 0, page)


def _heading_level(paragraph: object, text: str) -> int:
    from docx.text.paragraph import Paragraph

    assert isinstance(paragraph, Paragraph)
    p_pr = paragraph._p.pPr
    if p_pr is not None:
        outline = p_pr.find(f"{_W}outlineLvl")
        if outline is not None:
            value = outline.get(f"{_W}val")
            if value is not None and value.isdigit() and int(value) < 9:
                return int(value) + 1
    style = paragraph.style
    while style is not None:
        for name in (style.name or "", style.style_id or ""):
            m = _HEADING_STYLE.match(name.strip())
            if m:
                return int(m.group(1)) if m.group(1) else 1
        style = style.base_style
    # Headings typed as bold, numbered, short paragraphs (common in municipal templates).
    runs = paragraph.runs
    if runs and all(r.bold for r in runs if r.text.strip()) and numbered_heading(text):
        found = numbered_heading(text)
        return found[0] if found else 0
    return 0


def _is_list(paragraph: object) -> bool:
    from docx.text.paragraph import Paragraph

    assert isinstance(paragraph, Paragraph)
    p_pr = paragraph._p.pPr
    if p_pr is not None and p_pr.find(f"{_W}numPr") is not None:
        return True
    name = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    return "list" in name or "liste" in name


def _page_breaks_before(paragraph: object) -> int:
    """Rendered or hard page breaks before the paragraph's first text."""
    from docx.text.paragraph import Paragraph

    assert isinstance(paragraph, Paragraph)
    count = 0
    p_pr = paragraph._p.pPr
    if p_pr is not None and p_pr.find(f"{_W}pageBreakBefore") is not None:
        count += 1
    for el in paragraph._p.iter(f"{_W}lastRenderedPageBreak", f"{_W}br", f"{_W}t"):
        if el.tag == f"{_W}t" and (el.text or "").strip():
            break
        if el.tag == f"{_W}lastRenderedPageBreak" or el.get(f"{_W}type") == "page":
            count += 1
    return count


def _page_breaks_after_text(paragraph: object) -> int:
    """Page breaks that come after some text in the same paragraph (they move the *next* block)."""
    from docx.text.paragraph import Paragraph

    assert isinstance(paragraph, Paragraph)
    count = 0
    seen_text = False
    for el in paragraph._p.iter(f"{_W}lastRenderedPageBreak", f"{_W}br", f"{_W}t"):
        if el.tag == f"{_W}t":
            seen_text = seen_text or bool((el.text or "").strip())
        elif seen_text and (el.tag == f"{_W}lastRenderedPageBreak" or el.get(f"{_W}type") == "page"):
            count += 1
    return count


def _table_cells(table: object) -> list[str]:
    """Each distinct non-empty cell text, row by row (merged cells appear once)."""
    from docx.table import Table

    assert isinstance(table, Table)
    seen: set[int] = set()
    out: list[str] = []
    for row in table.rows:
        for cell in row.cells:
            key = id(cell._tc)
            if key in seen:
                continue
            seen.add(key)
            text = clean(" ".join(p.text for p in cell.paragraphs))
            if len(text) > 2:
                out.append(text)
    return out
