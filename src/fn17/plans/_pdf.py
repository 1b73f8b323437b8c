"""Read the text layer of a PDF with page numbers, headings and paragraphs.

PDFium (``pypdfium2``) does the parsing: it is fast (a 100-page plan in well under a second),
tolerant of damaged files, and gives each text run's position and font size, from which lines,
paragraphs, list items and headings are rebuilt. Repeated page headers and footers, page numbers
and table-of-contents lines are dropped. When ``pypdfium2`` is not installed, ``pypdf`` reads
the text (slower, and headings only from the PDF's bookmarks and numbering).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field

from fn17.errors import InvalidInputError
from fn17.plans._model import Block, ExtractedDocument, Notice
from fn17.plans._text import clean, join_lines, numbered_heading
from fn17.plans.limits import Deadline, Limits, too_large

log = logging.getLogger(__name__)

_BULLETS = {"•", "●", "▪", "◦", "‣", "∙", "·", "–", "-", "", "o", "■", "□", "➢", "✓"}
_TOC_LINE = re.compile(r"(?:\.{3,}|…{2,}|\s{3,}|\t)\s*\d{1,4}\s*$")
_MIN_CHARS_PER_PAGE = 25


@dataclass
class _Line:
    text: str
    top: float
    bottom: float
    left: float
    right: float
    size: float
    bold: bool
    page: int
    bullet: bool = False
    parts: list[str] = field(default_factory=list)


def _encrypted(filename: str) -> InvalidInputError:
    return InvalidInputError(
        f"PDF-filen «{filename}» er kryptert (passordbeskyttet), og teksten kan ikke leses.",
        message_en=f"The PDF '{filename}' is encrypted (password-protected) and its text cannot be read.",
        hint="Lagre en kopi uten passord (i PDF-leseren: Skriv ut → Lagre som PDF) og last opp den.",
        hint_en="Save a copy without a password (in your PDF reader: Print → Save as PDF) and upload that.",
        details={"file": filename, "reason": "encrypted"},
    )


def _damaged(filename: str, why: str) -> InvalidInputError:
    return InvalidInputError(
        f"PDF-filen «{filename}» er skadet eller ikke en gyldig PDF ({why}).",
        message_en=f"The PDF '{filename}' is damaged or not a valid PDF ({why}).",
        hint="Åpne filen i en PDF-leser og lagre den på nytt, eller last opp originalen (DOCX).",
        hint_en="Open the file in a PDF reader and save it again, or upload the original (DOCX).",
        details={"file": filename, "reason": "damaged"},
    )


def _scanned(filename: str, n_pages: int) -> InvalidInputError:
    return InvalidInputError(
        f"PDF-filen «{filename}» ({n_pages} sider) har ikke noe tekstlag: den ser ut til å være "
        "skannede bilder.",
        message_en=f"The PDF '{filename}' ({n_pages} pages) has no text layer: it looks like scanned images.",
        hint="Kjør tekstgjenkjenning (OCR) på filen først, eller last opp originaldokumentet.",
        hint_en="Run text recognition (OCR) on the file first, or upload the original document.",
        details={"file": filename, "reason": "no_text", "pages": n_pages},
    )


def read_pdf(data: bytes, filename: str, limits: Limits, deadline: Deadline) -> ExtractedDocument:
    try:
        import pypdfium2  # noqa: F401
    except ImportError:  # pragma: no cover - exercised only where pypdfium2 is absent
        log.warning("pypdfium2 is not installed; reading %s with pypdf (slower, fewer headings)", filename)
        return read_pdf_pypdf(data, filename, limits, deadline)
    return read_pdf_pdfium(data, filename, limits, deadline)


# --------------------------------------------------------------------------- PDFium


def read_pdf_pdfium(data: bytes, filename: str, limits: Limits, deadline: Deadline) -> ExtractedDocument:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise _encrypted(filename) from exc
        raise _damaged(filename, str(exc)) from exc
    try:
        n_pages = len(doc)
        if n_pages > limits.max_pages:
            raise too_large(filename, "antall sider", "page count", n_pages, limits.max_pages)
        outline = _pdfium_outline(doc)
        title = _pdfium_title(doc)
        pages: list[list[_Line]] = []
        empty_pages: list[int] = []
        for index in range(n_pages):
            deadline.check("PDF")
            page = doc[index]
            try:
                height = float(page.get_height())
                textpage = page.get_textpage()
                try:
                    lines = _page_lines(textpage, pdfium_c, index + 1)
                finally:
                    textpage.close()
            finally:
                page.close()
            if sum(len(ln.text) for ln in lines) < _MIN_CHARS_PER_PAGE:
                empty_pages.append(index + 1)
            pages.append(_drop_margins(lines, height))
    finally:
        doc.close()
    return _assemble(pages, outline, filename, n_pages, empty_pages, title, limits)


def _pdfium_title(doc: object) -> str | None:
    try:
        value = doc.get_metadata_value("Title")  # type: ignore[attr-defined]
    except (KeyError, ValueError, AttributeError):
        return None
    return clean(str(value)) or None


def _pdfium_outline(doc: object) -> dict[tuple[int, str], int]:
    """``{(page, normalised title): level}`` from the PDF's bookmarks."""
    result: dict[tuple[int, str], int] = {}
    try:
        for bookmark in doc.get_toc(max_depth=6):  # type: ignore[attr-defined]
            dest = bookmark.get_dest()
            if dest is None:
                continue
            page = dest.get_index()
            if page is None:
                continue
            result[(int(page) + 1, _norm(bookmark.get_title() or ""))] = int(bookmark.level) + 1
    except (ValueError, AttributeError, TypeError) as exc:  # a broken outline is not worth failing for
        log.info("ignoring unreadable PDF outline: %s", exc)
    return result


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _page_lines(textpage: object, c: object, page_no: int) -> list[_Line]:
    tp = textpage
    lines: list[_Line] = []
    bullets: list[tuple[float, float]] = []
    n_rects = tp.count_rects()  # type: ignore[attr-defined]
    for i in range(n_rects):
        left, bottom, right, top = tp.get_rect(i)  # type: ignore[attr-defined]
        text = tp.get_text_bounded(left, bottom, right, top)  # type: ignore[attr-defined]
        stripped = text.strip()
        if not stripped:
            continue
        # A bullet's box can catch a letter of the line above ("V• "): judge by the last glyph.
        compact = "".join(stripped.split())
        if compact in _BULLETS or (len(compact) == 2 and compact[-1] in _BULLETS and right - left < 15):
            bullets.append(((bottom + top) / 2, right))
            continue
        idx = tp.get_index(left + min(2.0, (right - left) / 2), (bottom + top) / 2, 2.0, 2.0)  # type: ignore[attr-defined]
        size = 0.0
        bold = False
        if idx is not None and idx >= 0:
            size = float(c.FPDFText_GetFontSize(tp.raw, idx))  # type: ignore[attr-defined]
            bold = int(c.FPDFText_GetFontWeight(tp.raw, idx)) >= 600  # type: ignore[attr-defined]
        if size <= 0:
            size = top - bottom
        centre = (bottom + top) / 2
        cur = lines[-1] if lines else None
        if cur is not None and cur.bottom - 2 <= centre <= cur.top + 2 and left >= cur.right - 3:
            sep = "" if cur.text.endswith(" ") or text.startswith(" ") or left - cur.right < 0.8 else " "
            cur.text = cur.text + sep + text
            cur.right = right
            cur.top = max(cur.top, top)
            cur.bottom = min(cur.bottom, bottom)
            cur.size = max(cur.size, size)
            cur.bold = cur.bold and bold
        else:
            lines.append(_Line(text, top, bottom, left, right, size, bold, page_no))
    for line in lines:
        line.text = clean(line.text)
        for y, x_right in bullets:
            if line.bottom - 2 <= y <= line.top + 2 and x_right <= line.left + 3:
                line.bullet = True
    return [ln for ln in lines if ln.text]


def _drop_margins(lines: list[_Line], height: float) -> list[_Line]:
    """Remove bare page numbers in the top and bottom margins."""
    kept = []
    for line in lines:
        in_margin = line.top > height * 0.93 or line.bottom < height * 0.07
        if in_margin and re.fullmatch(r"(?:side|page|s\.)?\s*\d{1,4}(?:\s*(?:av|of|/)\s*\d{1,4})?", line.text, re.I):
            continue
        kept.append(line)
    return kept


def _assemble(
    pages: list[list[_Line]],
    outline: dict[tuple[int, str], int],
    filename: str,
    n_pages: int,
    empty_pages: list[int],
    title: str | None,
    limits: Limits,
) -> ExtractedDocument:
    n_text_pages = n_pages - len(empty_pages)
    if n_pages == 0 or n_text_pages == 0:
        raise _scanned(filename, n_pages)
    # Running headers/footers: the same text (digits ignored) at a page edge on many pages.
    repeated: set[str] = set()
    if n_text_pages >= 4:
        counts: Counter[str] = Counter()
        for lines in pages:
            margin_lines = lines[:2] + lines[-2:]
            counts.update({re.sub(r"\d+", "#", ln.text) for ln in margin_lines})
        repeated = {t for t, n in counts.items() if n >= max(3, 0.4 * n_text_pages)}
    sizes: Counter[float] = Counter()
    for lines in pages:
        for ln in lines:
            sizes[round(ln.size, 1)] += len(ln.text)
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    heading_sizes = sorted({s for s in sizes if s >= body * 1.12}, reverse=True)

    blocks: list[Block] = []
    chars = 0
    for lines in pages:
        para: list[_Line] = []
        for i, line in enumerate(lines):
            edge = i < 2 or i >= len(lines) - 2
            if edge and re.sub(r"\d+", "#", line.text) in repeated:
                continue
            if _TOC_LINE.search(line.text) and (numbered_heading(_TOC_LINE.sub("", line.text)) or len(line.text) < 100):
                continue
            level = _heading_level(line, body, heading_sizes, outline)
            if level:
                blocks.extend(_flush(para))
                para = []
                blocks.append(Block(line.text, "heading", level, line.page))
                continue
            if para and _breaks(para[-1], line):
                blocks.extend(_flush(para))
                para = []
            para.append(line)
        blocks.extend(_flush(para))
        chars = sum(len(b.text) for b in blocks)
        if chars > limits.max_chars:
            raise too_large(filename, "tekstlengde (tegn)", "text length (characters)", chars, limits.max_chars)
    notices: list[Notice] = []
    if empty_pages and len(empty_pages) > 0.2 * n_pages:
        shown = ", ".join(str(p) for p in empty_pages[:12]) + (" …" if len(empty_pages) > 12 else "")
        notices.append(
            Notice(
                "pages_without_text",
                f"{len(empty_pages)} av {n_pages} sider har ingen tekst (skannet eller bare bilder): {shown}.",
                f"{len(empty_pages)} of {n_pages} pages have no text (scanned or images only): {shown}.",
            )
        )
    return ExtractedDocument(filename, "pdf", tuple(blocks), n_pages, "exact", title, tuple(notices))


def _heading_level(line: _Line, body: float, heading_sizes: list[float], outline: dict[tuple[int, str], int]) -> int:
    text = line.text
    if len(text) > 150 or len(text.split()) > 18 or line.bullet:
        return 0
    key = (line.page, _norm(text))
    if key in outline:
        return outline[key]
    if text.endswith((".", ",", ";")) and not numbered_heading(text):
        return 0
    size = round(line.size, 1)
    if size in heading_sizes and len(text) >= 2:
        return heading_sizes.index(size) + 1
    numbered = numbered_heading(text)
    if numbered and (line.bold or line.size > body * 1.02):
        return numbered[0]
    return 0


def _breaks(prev: _Line, cur: _Line) -> bool:
    if cur.bullet or abs(cur.size - prev.size) > 0.6:
        return True
    gap = prev.bottom - cur.top
    if gap > 0.55 * max(cur.size, 1.0) or gap < -cur.size * 2:  # blank space, or a jump up (new column)
        return True
    return bool(cur.left > prev.left + 12 and prev.text.endswith((".", ":", "!", "?")))


def _flush(para: list[_Line]) -> list[Block]:
    if not para:
        return []
    text = join_lines([ln.text for ln in para])
    if not text:
        return []
    return [Block(text, "list_item" if para[0].bullet else "paragraph", 0, para[0].page)]


# --------------------------------------------------------------------------- pypdf fallback


def read_pdf_pypdf(data: bytes, filename: str, limits: Limits, deadline: Deadline) -> ExtractedDocument:
    import io

    import pypdf
    from pypdf.errors import PdfReadError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _encrypted(filename)
        n_pages = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise _encrypted(filename) from exc
        raise _damaged(filename, str(exc)) from exc
    if n_pages > limits.max_pages:
        raise too_large(filename, "antall sider", "page count", n_pages, limits.max_pages)
    outline: dict[tuple[int, str], int] = {}

    def walk(items: list[object], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            try:
                page = reader.get_destination_page_number(item)  # type: ignore[arg-type]
                if page is None:
                    continue
                outline[(page + 1, _norm(str(getattr(item, "title", ""))))] = level
            except (PdfReadError, ValueError, KeyError, TypeError):
                continue

    try:
        walk(list(reader.outline), 1)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        log.info("ignoring unreadable PDF outline: %s", exc)
    pages: list[list[_Line]] = []
    empty: list[int] = []
    for index, page in enumerate(reader.pages):
        deadline.check("PDF")
        try:
            text = page.extract_text() or ""
        except (PdfReadError, ValueError, KeyError, TypeError) as exc:
            raise _damaged(filename, f"side {index + 1}: {exc}") from exc
        raw_lines = [clean(x) for x in text.splitlines()]
        raw_lines = [x for x in raw_lines if x]
        if sum(map(len, raw_lines)) < _MIN_CHARS_PER_PAGE:
            empty.append(index + 1)
        lines: list[_Line] = []
        y = 1000.0
        for x in raw_lines:
            bullet = bool(re.match(r"^[•●▪◦‣∙·–-]\s", x))
            if bullet:
                x = x[2:]
            # Without geometry, a line that ends a sentence is taken to end its paragraph.
            y -= 12.0 if not lines or not lines[-1].text.endswith((".", "!", "?", ":")) else 30.0
            lines.append(_Line(x, y + 10, y, 50.0, 500.0, 10.0, bool(numbered_heading(x)), index + 1, bullet))
        pages.append(_drop_margins(lines, 1000.0))
    title = None
    if reader.metadata is not None and reader.metadata.title:
        title = clean(str(reader.metadata.title)) or None
    return _assemble(pages, outline, filename, n_pages, empty, title, limits)
