"""Reading plan documents: every format, page and section references, and bad input."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from fn17.errors import InvalidInputError, NotFoundError
from fn17.plans import Limits, extract, segment
from fn17.plans._pdf import read_pdf_pypdf
from fn17.plans.limits import Deadline

DATA = Path(__file__).parent / "data" / "plans"

PLAN_HTML = """<!DOCTYPE html><html><head><title>Planstrategi</title>
<style>body {{ font-family: serif }}</style><script>alert("ikke tekst")</script></head>
<body><nav><a href="/">Hjem</a> Meny som ikke er plantekst</nav>
<h1>Kommuneplanens samfunnsdel</h1>
<h2>3.1 Folkehelse</h2>
<p>Kommunen skal arbeide for god folkehelse og redusere sosiale helseforskjeller gjennom tiltak i barnehage, skole og nærmiljø.</p>
{filler}
<h2>3.2 Klima</h2>
<p>Kommunen skal redusere klimagassutslippene med 60 prosent innen 2030.</p>
<ul><li>Klimabudsjett hvert år</li><li>Utslippsfrie kjøretøy</li></ul>
<noscript>Slå på JavaScript</noscript><script>document.write("heller ikke")</script>
</body></html>"""


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=html).write_pdf())


@pytest.fixture(scope="module")
def plan_pdf() -> bytes:
    filler = "".join(
        f"<p>Avsnitt {i} om helse og trivsel i kommunen. Innbyggerne skal ha gode levekår og tilgang til tjenester.</p>"
        for i in range(40)
    )
    return _pdf(PLAN_HTML.format(filler=filler))


# --------------------------------------------------------------------------- formats


def test_pdf_keeps_pages_headings_and_lists(plan_pdf: bytes) -> None:
    doc = extract(plan_pdf, "plan.pdf")
    assert doc.format == "pdf" and doc.page_mode == "exact"
    assert doc.n_pages is not None and doc.n_pages >= 2
    headings = [(b.text, b.level) for b in doc.blocks if b.kind == "heading"]
    assert ("Kommuneplanens samfunnsdel", 1) in headings
    assert ("3.1 Folkehelse", 2) in headings and ("3.2 Klima", 2) in headings
    climate = next(b for b in doc.blocks if "klimagassutslippene" in b.text)
    assert climate.page == doc.n_pages  # the climate section comes after the filler, on the last page
    items = [b.text for b in doc.blocks if b.kind == "list_item"]
    assert items == ["Klimabudsjett hvert år", "Utslippsfrie kjøretøy"]


def test_pdf_passages_point_to_page_and_section(plan_pdf: bytes) -> None:
    seg = segment(extract(plan_pdf, "plan.pdf"))
    climate = next(p for p in seg.passages if "klimagassutslippene" in p.text)
    section = seg.section(climate.section_id)
    assert section.title == "3.2 Klima"
    assert section.path == ("Kommuneplanens samfunnsdel", "3.2 Klima")
    assert climate.page == seg.document.n_pages
    first = next(p for p in seg.passages if "folkehelse" in p.text)
    assert first.page == 1 and seg.section(first.section_id).title == "3.1 Folkehelse"


def test_pdf_read_by_the_pypdf_fallback(plan_pdf: bytes) -> None:
    doc = read_pdf_pypdf(plan_pdf, "plan.pdf", Limits(), Deadline(60, "plan.pdf"))
    assert doc.n_pages is not None and doc.n_pages >= 2
    assert any(b.kind == "heading" and b.text == "3.2 Klima" for b in doc.blocks)  # from the PDF's bookmarks
    assert any("klimagassutslippene" in b.text for b in doc.blocks)


def test_docx_headings_from_styles_lists_tables_and_page_breaks(tmp_path: Path) -> None:
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    document.core_properties.title = "Planstrategi 2024–2027"
    document.add_heading("Planstrategi", level=1)
    document.add_heading("2 Levekår", level=2)
    document.add_paragraph("Andelen barn i familier med vedvarende lavinntekt har økt i kommunen.")
    document.add_paragraph("Gratis fritidsaktiviteter", style="List Bullet")
    document.add_paragraph("Utlån av utstyr", style="List Bullet")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading("3 Natur", level=2)
    document.add_paragraph("Myr og våtmark skal ikke bygges ned.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Indikator"
    table.cell(0, 1).text = "Arealregnskap for nedbygd natur"
    path = tmp_path / "planstrategi.docx"
    document.save(str(path))

    doc = extract(path)
    assert doc.format == "docx" and doc.title == "Planstrategi 2024–2027"
    assert doc.page_mode == "rendered" and doc.n_pages == 2
    headings = [(b.text, b.level, b.page) for b in doc.blocks if b.kind == "heading"]
    assert headings == [("Planstrategi", 1, 1), ("2 Levekår", 2, 1), ("3 Natur", 2, 2)]
    assert [b.text for b in doc.blocks if b.kind == "list_item"] == ["Gratis fritidsaktiviteter", "Utlån av utstyr"]
    assert "Arealregnskap for nedbygd natur" in [b.text for b in doc.blocks if b.kind == "table_cell"]
    seg = segment(doc)
    myr = next(p for p in seg.passages if "Myr" in p.text)
    assert myr.page == 2 and seg.section(myr.section_id).title == "3 Natur"


def test_html_drops_scripts_styles_and_navigation() -> None:
    doc = extract(PLAN_HTML.format(filler="").encode(), "plan.html")
    assert doc.format == "html" and doc.title == "Planstrategi" and doc.n_pages is None
    text = " ".join(b.text for b in doc.blocks)
    assert "klimagassutslippene" in text
    for junk in ("alert", "document.write", "Meny", "JavaScript", "font-family"):
        assert junk not in text
    seg = segment(doc)
    p = next(p for p in seg.passages if "klimagass" in p.text)
    assert p.page is None and seg.section(p.section_id).title == "3.2 Klima"


def test_markdown_file() -> None:
    doc = extract(DATA / "samfunnsdel.md")
    assert doc.format == "markdown"
    headings = [(b.text, b.level) for b in doc.blocks if b.kind == "heading"]
    assert headings[0] == ("Kommuneplanens samfunnsdel 2025–2037 for Fjordvik kommune", 1)
    assert ("3 Vatn og avløp", 2) in headings
    items = [b.text for b in doc.blocks if b.kind == "list_item"]
    assert items[0] == "Alle kommunale bygg skal varmes opp med fornybar energi innen 2027."
    seg = segment(doc)
    lead_in = next(p for p in seg.passages if p.text.startswith("Mål:"))
    assert "fornybar energi" in lead_in.text and "arealregnskap" in lead_in.text  # the list joins its lead-in


def test_plain_text_with_form_feeds_has_pages_and_numbered_headings() -> None:
    text = (
        "1 Innledning\n\nDette er planen.\n\f"
        "2 Klima\n\nKommunen skal kutte utslippene av klimagasser.\nDet gjelder alle sektorer.\n\f"
        "3 Helse\n\n• Flere fastleger\n• Kortere ventetid\n"
    )
    doc = extract(text.encode("cp1252"), "plan.txt")
    assert doc.format == "text" and doc.page_mode == "exact" and doc.n_pages == 3
    assert [(b.text, b.page) for b in doc.blocks if b.kind == "heading"] == [
        ("1 Innledning", 1), ("2 Klima", 2), ("3 Helse", 3)]
    climate = next(b for b in doc.blocks if "klimagasser" in b.text)
    assert climate.text == "Kommunen skal kutte utslippene av klimagasser. Det gjelder alle sektorer."
    assert [b.text for b in doc.blocks if b.kind == "list_item"] == ["Flere fastleger", "Kortere ventetid"]


def test_long_paragraph_is_cut_at_sentences() -> None:
    sentence = "Kommunen skal styrke folkehelsearbeidet i alle sektorer og følge utviklingen nøye. "
    doc = extract((sentence * 40).encode(), "lang.txt")
    seg = segment(doc)
    assert len(seg.passages) > 3
    assert all(len(p.text) <= 1100 and p.text.endswith(".") for p in seg.passages)


# --------------------------------------------------------------------------- bad input


def _reason(exc: pytest.ExceptionInfo[InvalidInputError]) -> str:
    return str(exc.value.details.get("reason"))


def test_encrypted_pdf_is_refused_with_a_fix(plan_pdf: bytes) -> None:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(plan_pdf))
    writer.encrypt("hemmelig", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(InvalidInputError) as exc:
        extract(buf.getvalue(), "kryptert.pdf")
    assert _reason(exc) == "encrypted"
    assert "kryptert" in exc.value.message and "kryptert.pdf" in exc.value.message
    assert "password" in exc.value.message_en and exc.value.hint


def test_image_only_pdf_is_reported_as_scanned() -> None:
    from PIL import Image

    buf = io.BytesIO()
    pages = [Image.new("RGB", (400, 560), "white") for _ in range(3)]
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:])
    with pytest.raises(InvalidInputError) as exc:
        extract(buf.getvalue(), "skannet.pdf")
    assert _reason(exc) == "no_text"
    assert "skannede" in exc.value.message and "OCR" in (exc.value.hint or "")


def test_corrupt_pdf_and_truncated_pdf(plan_pdf: bytes) -> None:
    with pytest.raises(InvalidInputError) as exc:
        extract(b"%PDF-1.7\n" + b"\x00garbage" * 50, "skadet.pdf")
    assert _reason(exc) == "damaged"
    with pytest.raises(InvalidInputError) as exc:
        extract(plan_pdf[: len(plan_pdf) // 3], "avkortet.pdf")
    assert _reason(exc) in {"damaged", "no_text"}


def test_zip_bomb_docx_is_refused_before_parsing() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document/>" + b" " * (40 * 1024 * 1024))
    data = buf.getvalue()
    assert len(data) < 200_000
    with pytest.raises(InvalidInputError) as exc:
        extract(data, "bombe.docx")
    assert _reason(exc) == "zip_bomb" and "zip-bombe" in exc.value.message
    # The total declared size is bounded too, whatever the ratio.
    with pytest.raises(InvalidInputError) as exc:
        extract(data, "stor.docx", limits=Limits(max_uncompressed_bytes=1024 * 1024, max_compression_ratio=1e9))
    assert _reason(exc) == "too_large"


def test_corrupt_docx() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document><ikke lukket")
        z.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(InvalidInputError) as exc:
        extract(buf.getvalue(), "skadet.docx")
    assert _reason(exc) == "damaged" and "skadet.docx" in exc.value.message
    with pytest.raises(InvalidInputError) as exc:
        extract(b"PK\x03\x04" + b"\x00" * 100, "ikke-zip.docx")
    assert _reason(exc) == "damaged"


def test_oversize_empty_missing_and_unsupported_files(tmp_path: Path) -> None:
    big = tmp_path / "stor.txt"
    big.write_text("Kommunen skal. " * 200)
    with pytest.raises(InvalidInputError) as exc:
        extract(big, limits=Limits(max_bytes=1000))
    assert _reason(exc) == "too_large" and "stor.txt" in exc.value.message
    with pytest.raises(InvalidInputError) as exc:
        extract(b"   \n", "tom.txt")
    assert _reason(exc) == "empty"
    with pytest.raises(NotFoundError):
        extract(tmp_path / "finnes-ikke.pdf")
    with pytest.raises(InvalidInputError) as exc:
        extract(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "gammel.doc")
    assert _reason(exc) == "unsupported_format" and "DOCX" in (exc.value.hint or "")
    with pytest.raises(InvalidInputError) as exc:
        extract(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "bilde.png")
    assert _reason(exc) == "image"
    with pytest.raises(InvalidInputError) as exc:
        extract(b"abc\x00\x01\x02" * 100, "data.bin")
    assert _reason(exc) == "binary"


def test_time_limit_stops_extraction(plan_pdf: bytes) -> None:
    with pytest.raises(InvalidInputError) as exc:
        extract(plan_pdf, "treg.pdf", limits=Limits(max_seconds=0.0))
    assert _reason(exc) == "timeout"


def test_page_and_passage_limits(plan_pdf: bytes) -> None:
    with pytest.raises(InvalidInputError) as exc:
        extract(plan_pdf, "plan.pdf", limits=Limits(max_pages=1))
    assert _reason(exc) == "too_large" and exc.value.details["what"] == "page count"
    with pytest.raises(InvalidInputError) as exc:
        segment(extract(plan_pdf, "plan.pdf"), limits=Limits(max_passages=2))
    assert exc.value.details["what"] == "number of passages"


def test_deeply_nested_html_is_refused_cleanly() -> None:
    html = "<html><body>" + "<div>" * 5000 + "tekst" + "</div>" * 5000 + "</body></html>"
    try:
        doc = extract(html.encode(), "dyp.html")
    except InvalidInputError as exc:
        assert exc.details["reason"] == "too_deep"
    else:  # the parser may flatten the nesting itself; then the text must still be there
        assert any("tekst" in b.text for b in doc.blocks)
