"""Read a plan document (PDF, DOCX, HTML, Markdown, plain text) into blocks with pages and headings.

The format is decided from the file's first bytes, with the file name as a tie-breaker for the
text formats. Every reader is bounded by :class:`~fn17.plans.limits.Limits` and fails with an
:class:`~fn17.errors.InvalidInputError` that names the file and the fix.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from fn17.errors import InvalidInputError, NotFoundError
from fn17.plans._docx import read_docx
from fn17.plans._markup import read_html, read_markdown, read_text
from fn17.plans._model import DocumentFormat, ExtractedDocument
from fn17.plans._pdf import read_pdf
from fn17.plans.limits import DEFAULT_LIMITS, Deadline, Limits, too_large

log = logging.getLogger(__name__)

Source = bytes | str | os.PathLike[str]


def read_source(source: Source, filename: str | None, limits: Limits) -> tuple[bytes, str]:
    """The file's bytes and a display name, refusing files over ``limits.max_bytes`` before reading them."""
    if isinstance(source, bytes):
        name = filename or "dokument"
        if len(source) > limits.max_bytes:
            raise too_large(name, "filstørrelse (byte)", "file size (bytes)", len(source), limits.max_bytes)
        return source, name
    path = Path(source)
    name = filename or path.name
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise NotFoundError(
            f"Filen «{path}» finnes ikke.",
            message_en=f"The file '{path}' does not exist.",
            hint="Sjekk filnavnet og mappen.",
            hint_en="Check the file name and folder.",
            details={"file": str(path)},
        ) from exc
    if not path.is_file():
        raise InvalidInputError(
            f"«{path}» er ikke en fil.",
            message_en=f"'{path}' is not a file.",
            hint="Oppgi en PDF-, DOCX-, HTML-, Markdown- eller tekstfil.",
            hint_en="Give a PDF, DOCX, HTML, Markdown or text file.",
            details={"file": str(path)},
        )
    if size > limits.max_bytes:
        raise too_large(name, "filstørrelse (byte)", "file size (bytes)", size, limits.max_bytes)
    with path.open("rb") as fh:
        data = fh.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:  # the file grew while we looked
        raise too_large(name, "filstørrelse (byte)", "file size (bytes)", len(data), limits.max_bytes)
    return data, name


def detect_format(data: bytes, filename: str) -> DocumentFormat:
    head = data[:2048].lstrip()
    lower_name = filename.lower()
    if data[:1024].find(b"%PDF-") >= 0:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if lower_name.endswith((".odt", ".ods", ".odp")) or b"opendocument" in data[:200]:
            raise _unsupported(filename, "OpenDocument (.odt)", "OpenDocument (.odt)")
        if lower_name.endswith((".xlsx", ".pptx")):
            raise _unsupported(filename, "Excel/PowerPoint", "Excel/PowerPoint")
        return "docx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _unsupported(filename, "Word 97–2003 (.doc)", "Word 97–2003 (.doc)")
    if data.startswith(b"{\\rtf"):
        raise _unsupported(filename, "RTF", "RTF")
    if data[:8] in (b"\x89PNG\r\n\x1a\n",) or data.startswith((b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        raise InvalidInputError(
            f"«{filename}» er et bilde, ikke et dokument med tekst.",
            message_en=f"'{filename}' is an image, not a document with text.",
            hint="Kjør tekstgjenkjenning (OCR) først, eller last opp originaldokumentet.",
            hint_en="Run text recognition (OCR) first, or upload the original document.",
            details={"file": filename, "reason": "image"},
        )
    if lower_name.endswith((".html", ".htm", ".xhtml")):
        return "html"
    sniff = head[:512].lower()
    if sniff.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in sniff or b"<html" in sniff:
        return "html"
    if lower_name.endswith((".md", ".markdown")):
        return "markdown"
    return "text"


def empty_file(filename: str) -> InvalidInputError:
    """The error for a plan file that holds nothing but white space."""
    return InvalidInputError(
        f"«{filename}» er tom.",
        message_en=f"'{filename}' is empty.",
        hint="Last opp planen på nytt.",
        hint_en="Upload the plan again.",
        details={"file": filename, "reason": "empty"},
    )


def _unsupported(filename: str, what_nb: str, what_en: str) -> InvalidInputError:
    return InvalidInputError(
        f"«{filename}» er en {what_nb}-fil, som planlesingen ikke støtter.",
        message_en=f"'{filename}' is a {what_en} file, which plan analysis does not support.",
        hint="Lagre dokumentet som PDF eller DOCX og last det opp på nytt.",
        hint_en="Save the document as PDF or DOCX and upload it again.",
        details={"file": filename, "reason": "unsupported_format"},
    )


def extract(
    source: Source,
    filename: str | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    deadline: Deadline | None = None,
) -> ExtractedDocument:
    """Read ``source`` (a path or the file's bytes) into an :class:`ExtractedDocument`."""
    data, name = read_source(source, filename, limits)
    deadline = deadline or Deadline(limits.max_seconds, name)
    if not data.strip():
        raise empty_file(name)
    fmt = detect_format(data, name)
    log.info("reading %s as %s (%d bytes)", name, fmt, len(data))
    if fmt == "pdf":
        doc = read_pdf(data, name, limits, deadline)
    elif fmt == "docx":
        doc = read_docx(data, name, limits, deadline)
    elif fmt == "html":
        doc = read_html(data, name, limits, deadline)
    elif fmt == "markdown":
        doc = read_markdown(data, name, limits, deadline)
    else:
        doc = read_text(data, name, limits, deadline)
    if not any(b.kind != "heading" for b in doc.blocks):
        raise InvalidInputError(
            f"Fant ingen tekst å analysere i «{name}».",
            message_en=f"Found no text to analyse in '{name}'.",
            hint="Sjekk at filen er selve planen, ikke et bilde eller et tomt skjema.",
            hint_en="Check that the file is the plan itself, not an image or an empty form.",
            details={"file": name, "reason": "no_text"},
        )
    return doc
