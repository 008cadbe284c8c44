"""The workshop report as a PDF (reportlab: pure Python, no system libraries)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, ListFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from dashboard import definitions
from dashboard.divides import NO_DIVIDE, note
from dashboard.labels import FEATURES
from dashboard.rarely import Rarely
from dashboard.synthesis import Synthesis
from storage.small_groups import SmallGroups

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def _fonts() -> tuple[str, str]:
    """Register DejaVu Sans when the system has it (every French character), else Helvetica."""
    regular, bold = DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
        return "DejaVuSans", "DejaVuSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _rarely(rarely: Rarely, body: ParagraphStyle, h2: ParagraphStyle, quote: ParagraphStyle,
            bold: str) -> list[Flowable]:  # fmt: skip
    """Lay out the opening: the people who rarely or never take part, their words, their answers."""
    story: list[Flowable] = [Paragraph("Les personnes qui participent rarement ou jamais", h2)]
    if rarely.refusal:
        return [*story, Paragraph(escape(rarely.refusal), body)]
    story.append(Paragraph(escape(f"{rarely.size.people} disent participer rarement ou jamais à la "
                                  "vie publique. Leurs mots d'abord, puis leurs réponses à côté de "
                                  "celles des autres personnes."), body))  # fmt: skip
    for theme in rarely.themes:
        story.append(Paragraph(escape(f"{theme.label} — {theme.count} personnes"), body))
        story += [Paragraph(escape(f"« {text} »"), quote) for text in theme.quotes]
    for q in rarely.questions:
        rows: list[list[Any]] = [[Paragraph(escape(q.question), body), f"Rarement ou jamais ({q.rarely})",
                                  f"Les autres ({q.others})"]]  # fmt: skip
        rows += [[Paragraph(escape(r.label), body), str(r.rarely), str(r.others)] for r in q.rows]
        table = Table(rows, colWidths=[9 * cm, 4 * cm, 4 * cm], repeatRows=1)
        table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, 0), bold),
                                   ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))  # fmt: skip
        story += [Spacer(1, 6), table]
    return story


def render(synthesis: Synthesis, groups: SmallGroups) -> bytes:
    """Lay the synthesis out on A4 pages and return the PDF bytes."""
    regular, bold = _fonts()
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName=regular, fontSize=10.5,
                          leading=14)  # fmt: skip
    h1 = ParagraphStyle("h1", parent=base["Heading1"], fontName=bold, fontSize=18)
    h2 = ParagraphStyle("h2", parent=base["Heading2"], fontName=bold, fontSize=13.5)
    quote = ParagraphStyle("quote", parent=body, leftIndent=14, textColor=colors.HexColor("#333333"))
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=f"Synthèse pour l'atelier — {synthesis.flow.title}",
        author="Porte-voix",
        lang="fr-FR",
        leftMargin=2 * cm,
        rightMargin=2 * cm,
    )
    story: list[Flowable] = [Paragraph(escape(f"Synthèse pour l'atelier — {synthesis.flow.title}"), h1)]
    story.append(Paragraph(escape(f"{synthesis.respondents} personnes ont répondu (elles ont accepté : "
                                  "leurs réponses comptent)."), body))
    story.append(Paragraph(escape(definitions.RULE), body))
    story.append(Paragraph(escape(" ".join(groups.sentences)), body))
    if synthesis.selection is not None and synthesis.selection.refused:
        story.append(Paragraph(escape(synthesis.selection.refusal), body))
        doc.build(story)
        return out.getvalue()
    if synthesis.rarely is not None:
        story += _rarely(synthesis.rarely, body, h2, quote, bold)
    story.append(Paragraph("Ce que les personnes ont dit, par thème", h2))
    if not synthesis.themes:
        story.append(Paragraph("Pas encore assez de réponses libres.", body))
    for rank, theme in enumerate(synthesis.themes, 1):
        story.append(Paragraph(escape(f"{rank}. {theme.label} — {theme.count} personnes"), body))
        for text in theme.quotes:
            story.append(Paragraph(escape(f"« {text} »"), quote))
        story.append(Spacer(1, 4))
    story.append(Paragraph("Les questions qui divisent", h2))
    if synthesis.divides:
        story.append(Paragraph(escape(note(groups.k)), body))
        story.append(ListFlowable([Paragraph(escape(d.sentence), body) for d in synthesis.divides],
                                  bulletType="bullet"))  # fmt: skip
    else:
        story.append(Paragraph(escape(NO_DIVIDE), body))
    story.append(Paragraph("Les voix qui manquent", h2))
    missing = [Paragraph(escape(f"{FEATURES.get(g.feature, g.feature)} : {g.label}"), body)
               for g in synthesis.missing]  # fmt: skip
    story.append(ListFlowable(missing, bulletType="bullet") if missing else
                 Paragraph("Aucun groupe nettement sous-représenté.", body))  # fmt: skip
    story.append(Paragraph("Questions proposées pour le débat", h2))
    story.append(ListFlowable([Paragraph(escape(q), body) for q in synthesis.debate],
                              bulletType="1"))  # fmt: skip
    doc.build(story)
    return out.getvalue()
