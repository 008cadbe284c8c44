"""The workshop pack as an accessible tagged PDF (PDF/UA-1), printed by WeasyPrint from the page's HTML."""

from __future__ import annotations

from pathlib import Path

PRINT_CSS = Path(__file__).with_name("static") / "print.css"


def render(html: str) -> bytes:
    """Print an HTML document to a tagged PDF: its language, title, headings, lists and tables kept.

    Blocking (layout and font work): call it off the event loop.
    """
    from weasyprint import CSS, HTML  # heavy: loaded when a PDF is asked for

    document = HTML(string=html, base_url=str(PRINT_CSS.parent))
    return bytes(document.write_pdf(stylesheets=[CSS(filename=str(PRINT_CSS))], pdf_variant="pdf/ua-1"))
