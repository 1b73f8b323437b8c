"""Read HTML (scripts, styles and navigation dropped), Markdown and plain text into blocks."""

from __future__ import annotations

import re

from fn17.errors import InvalidInputError
from fn17.plans._model import Block, BlockKind, ExtractedDocument
from fn17.plans._text import clean, join_lines, looks_like_heading, numbered_heading, strip_bullet
from fn17.plans.limits import Deadline, Limits, too_large

# Never text for a reader: code, styling, embedded objects, forms and page furniture.
_DROP = {
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "math",
    "head", "nav", "form", "button", "select", "input", "textarea", "aside", "footer", "header", "dialog",
    "link", "meta", "video", "audio", "map",
}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCK_KIND: dict[str, BlockKind] = {
    "li": "list_item", "dt": "list_item", "dd": "list_item", "td": "table_cell", "th": "table_cell",
}
_BLOCKS = {
    "p", "div", "section", "article", "main", "body", "html", "ul", "ol", "dl", "table", "thead", "tbody",
    "tfoot", "tr", "blockquote", "pre", "figure", "figcaption", "caption", "address", "details", "summary",
    "center", "fieldset", "hr",
} | set(_BLOCK_KIND)


def decode_text(data: bytes, filename: str) -> str:
    """Bytes of a text file as str: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data[:8192]:
        raise InvalidInputError(
            f"«{filename}» er en binærfil, ikke tekst, PDF, DOCX eller HTML.",
            message_en=f"'{filename}' is a binary file, not text, PDF, DOCX or HTML.",
            hint="Last opp planen som PDF, DOCX, HTML, Markdown eller ren tekst.",
            hint_en="Upload the plan as PDF, DOCX, HTML, Markdown or plain text.",
            details={"file": filename, "reason": "binary"},
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _check_chars(filename: str, text: str, limits: Limits) -> None:
    if len(text) > limits.max_chars * 4:  # raw markup is bulkier than the text it carries
        raise too_large(filename, "tekstlengde (tegn)", "text length (characters)", len(text), limits.max_chars * 4)


# --------------------------------------------------------------------------- HTML


class _HtmlWalker:
    def __init__(self, deadline: Deadline) -> None:
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.kind: BlockKind = "paragraph"
        self.deadline = deadline
        self.visited = 0

    def flush(self) -> None:
        text = clean(" ".join(self.buffer))
        self.buffer = []
        if text:
            self.blocks.append(Block(text, self.kind))

    def walk(self, element: object) -> None:
        from bs4.element import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

        assert isinstance(element, Tag)
        for child in element.children:
            if isinstance(child, (Comment, Declaration, Doctype, ProcessingInstruction)):
                continue
            if isinstance(child, NavigableString):
                self.buffer.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            self.visited += 1
            if self.visited % 2000 == 0:
                self.deadline.check("HTML")
            name = child.name.lower()
            if name in _DROP or child.get("hidden") is not None or child.get("aria-hidden") == "true":
                continue
            if name in _HEADINGS:
                self.flush()
                text = clean(child.get_text(" "))
                if text:
                    self.blocks.append(Block(text, "heading", _HEADINGS[name]))
            elif name in _BLOCKS:
                self.flush()
                outer = self.kind
                self.kind = _BLOCK_KIND.get(name, outer if name in {"p", "div", "span"} else "paragraph")
                self.walk(child)
                self.flush()
                self.kind = outer
            elif name == "br":
                self.buffer.append(" ")
            else:
                self.walk(child)


def read_html(data: bytes, filename: str, limits: Limits, deadline: Deadline) -> ExtractedDocument:
    from bs4 import BeautifulSoup

    _check_chars(filename, data.decode("latin-1")[: limits.max_chars * 4 + 1], limits)
    soup = BeautifulSoup(data, "lxml")
    title_tag = soup.find("title")
    title = clean(title_tag.get_text(" ")) if title_tag is not None else None
    root = soup.find("main") or soup.find(None, {"role": "main"}) or soup.find("article") or soup.body or soup
    walker = _HtmlWalker(deadline)
    try:
        walker.walk(root)
    except RecursionError as exc:
        raise InvalidInputError(
            f"HTML-filen «{filename}» er nestet for dypt til å leses.",
            message_en=f"The HTML file '{filename}' is nested too deeply to read.",
            hint="Last opp planen som PDF eller DOCX.",
            hint_en="Upload the plan as PDF or DOCX.",
            details={"file": filename, "reason": "too_deep"},
        ) from exc
    walker.flush()
    return ExtractedDocument(filename, "html", tuple(walker.blocks), None, "none", title or None)


# --------------------------------------------------------------------------- Markdown

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPH = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_TAG = re.compile(r"<[^>]{1,200}>")


def _md_inline(text: str) -> str:
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_EMPH.sub(r"\2", text)
    return _TAG.sub(" ", text)


def read_markdown(data: bytes, filename: str, limits: Limits, deadline: Deadline) -> ExtractedDocument:
    text = decode_text(data, filename)
    _check_chars(filename, text, limits)
    lines = text.splitlines()
    blocks: list[Block] = []
    para: list[str] = []
    kind: BlockKind = "paragraph"
    in_code = False

    def flush() -> None:
        nonlocal para
        joined = clean(_md_inline(join_lines(para)))
        if joined:
            blocks.append(Block(joined, kind))
        para = []

    for i, line in enumerate(lines):
        if i % 5000 == 0:
            deadline.check("Markdown")
        if line.lstrip().startswith(("```", "~~~")):
            flush()
            in_code = not in_code
            continue
        if in_code:
            continue
        m = _MD_HEADING.match(line)
        if m:
            flush()
            blocks.append(Block(clean(_md_inline(m.group(2))), "heading", len(m.group(1))))
            continue
        if para and _MD_SETEXT.match(line) and len(para) == 1 and kind == "paragraph":
            blocks.append(Block(clean(_md_inline(para[0])), "heading", 1 if line.strip()[0] == "=" else 2))
            para = []
            continue
        if not line.strip():
            flush()
            kind = "paragraph"
            continue
        if line.strip().startswith("|"):
            flush()
            cells = [clean(_md_inline(c)) for c in line.strip().strip("|").split("|")]
            for cell in cells:
                if cell and not re.fullmatch(r":?-{2,}:?", cell):
                    blocks.append(Block(cell, "table_cell"))
            continue
        is_item, rest = strip_bullet(line)
        if is_item:
            flush()
            kind = "list_item"
            para = [rest]
            continue
        if kind == "list_item" and not line.startswith((" ", "\t")):
            flush()
            kind = "paragraph"
        para.append(line)
    flush()
    return ExtractedDocument(filename, "markdown", tuple(blocks), None, "none", None)


# --------------------------------------------------------------------------- plain text


def read_text(data: bytes, filename: str, limits: Limits, deadline: Deadline) -> ExtractedDocument:
    """Paragraphs at blank lines; form feeds (as ``pdftotext`` writes them) start a new page."""
    text = decode_text(data, filename)
    _check_chars(filename, text, limits)
    paged = "\f" in text
    blocks: list[Block] = []
    for page_no, page in enumerate(text.split("\f"), start=1):
        deadline.check("tekst")
        for chunk in re.split(r"\n\s*\n", page):
            lines = [ln for ln in chunk.splitlines() if ln.strip()]
            if not lines:
                continue
            blocks.extend(_text_chunk(lines, page_no if paged else None))
    n_pages = text.count("\f") + 1 if paged else None
    return ExtractedDocument(filename, "text", tuple(blocks), n_pages, "exact" if paged else "none", None)


def _text_chunk(lines: list[str], page: int | None) -> list[Block]:
    out: list[Block] = []
    para: list[str] = []
    kind: BlockKind = "paragraph"

    def flush() -> None:
        nonlocal para
        joined = join_lines(para)
        if joined:
            out.append(Block(joined, kind, 0, page))
        para = []

    for index, line in enumerate(lines):
        numbered = numbered_heading(line)
        alone = len(lines) == 1 or (index == 0 and not lines[0].rstrip().endswith((".", ":")))
        if numbered and alone:
            flush()
            out.append(Block(clean(line), "heading", numbered[0], page))
            continue
        next_upper = index + 1 < len(lines) and lines[index + 1].lstrip()[:1].isupper()
        if looks_like_heading(line) and (len(lines) == 1 or (index == 0 and next_upper and len(line.split()) <= 6)):
            flush()
            out.append(Block(clean(line), "heading", 1 if clean(line).isupper() else 2, page))
            continue
        is_item, rest = strip_bullet(line)
        if is_item:
            flush()
            kind = "list_item"
            para = [rest]
            continue
        para.append(line)
    flush()
    return out
