"""The board report's two renderings: an HTML page and a PDF (fpdf2), from the content that
:meth:`PortfolioExports.report_content` assembles. Tables are laid out from their content: no column
narrower than its longest word, text wrapped between words, the font shrunk rather than a word cut."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import altair as alt

CSS = """
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1b1b1b; font-size: 10.5pt; }
h1 { font-size: 17pt; color: #1F3A5F; margin: 2px 0; }
.org { font-size: 12pt; font-weight: bold; color: #1b1b1b; margin: 0; }
h2 { font-size: 13pt; color: #1F3A5F; border-bottom: 1px solid #1F3A5F; margin-top: 18px; }
.meta { color: #555; margin-bottom: 12px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; page-break-inside: auto; }
th { background: #1F3A5F; color: #fff; text-align: left; padding: 3px 5px; font-size: 9pt; }
td { border-bottom: 1px solid #ddd; padding: 3px 5px; font-size: 9pt; vertical-align: top; }
tr { page-break-inside: avoid; }
figure { margin: 8px 0 14px; page-break-inside: avoid; }
figcaption { font-weight: bold; color: #1F3A5F; margin-bottom: 4px; }
.note { color: #555; font-size: 8.5pt; }
"""


def _svg(chart: alt.TopLevelMixin) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_dict(), format_locale="fr-FR")


def render_html(content: dict[str, Any]) -> str:
    """A self-contained, print-ready page: charts as inline SVG, every text escaped."""
    e = html.escape
    parts = [f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
             f"<title>{e(content['organisation'])} — {e(content['title'])}</title>"
             f"<style>{CSS}</style></head><body>",
             f"<p class='org'>{e(content['organisation'])}</p><h1>{e(content['title'])}</h1>",
             f"<p class='meta'>Édité le {e(content['date'])} · pondérations version "
             f"{e(content['weights_version'])} · document généré par Vigie</p>",
             "<h2>Synthèse</h2><ul>" + "".join(f"<li>{e(s)}</li>" for s in content["summary"]) + "</ul>"]
    for b in content["blocks"]:
        if b["kind"] == "chart":
            parts.append(f"<figure><figcaption>{e(b['caption'])}</figcaption>{_svg(b['chart'])}</figure>")
            continue
        parts.append(f"<h2>{e(b['caption'])}</h2><table><thead><tr>"
                     + "".join(f"<th>{e(h)}</th>" for h in b["header"]) + "</tr></thead><tbody>"
                     + "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in b["rows"])
                     + "</tbody></table>" + (f"<p class='note'>{e(b['note'])}</p>" if b["note"] else ""))
    parts.append("</body></html>")
    return "".join(parts)




FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


def _font(pdf: Any) -> str:
    for d in FONT_DIRS:
        regular, bold = d / "DejaVuSans.ttf", d / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
            return "DejaVu"
    return "Helvetica"


def _latin1(text: str, font: str) -> str:
    if font != "Helvetica":
        return text
    for a, b in (("€", "EUR"), ("—", "-"), ("–", "-"), ("’", "'"), ("«", '"'), ("»", '"'), ("\u202f", " "),
                 ("×", "x"), ("œ", "oe")):
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its IHDR chunk."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


#: Smallest font size a table may shrink to so that no word is cut across lines.
MIN_TABLE_PT = 6.0
TABLE_PT = 7.5
NUMERIC = re.compile(r"^(-?[\d\u202f\u00a0 ]+(,\d+)?( ?(€|%|j))?|n\.d\.|—|)$")


def _column_widths(pdf: Any, font: str, header: Sequence[str], rows: Sequence[Sequence[str]],
                   available: float) -> list[float] | None:
    """Widths from the content: each column at least as wide as its longest word (so a cell wraps
    between words, never inside one), the rest of the page shared by how much longer its texts are.
    None when even the longest words do not fit side by side at the current size."""
    pad = 2 * pdf.c_margin + 1.0
    size = pdf.font_size_pt

    def width(text: str, bold: bool) -> float:
        pdf.set_font(font, "B" if bold else "", size)
        return pdf.get_string_width(text)

    least, natural = [], []
    for j, h in enumerate(header):
        cells = [str(r[j]) for r in rows]
        words = [(w, True) for w in str(h).split()] + [(w, False) for c in cells for w in c.split()]
        least.append(max([width(w, b) for w, b in words] + [0.0]) + pad)
        natural.append(max([width(str(h), True)] + [width(c, False) for c in cells]) + pad)
    pdf.set_font(font, "", size)
    if sum(least) > available:
        return None
    if sum(natural) <= available:
        return [n * available / sum(natural) for n in natural]
    slack = [n - m for n, m in zip(natural, least, strict=True)]
    share = (available - sum(least)) / sum(slack)
    return [m + d * share for m, d in zip(least, slack, strict=True)]


def render_pdf(content: dict[str, Any]) -> bytes:
    """An A4 PDF: the same summary, charts (PNG) and tables as the HTML report, in the same order."""
    import vl_convert as vlc
    from fpdf import FPDF

    organisation, title = content["organisation"], content["title"]

    class Report(FPDF):
        def footer(self) -> None:
            self.set_y(-11)
            self.set_font(font, "", 7.5)
            self.set_text_color(110, 110, 110)
            self.cell(0, 5, txt(f"{organisation} — {title} — {content['date']} — page {self.page_no()}/{{nb}}"),
                      align="C")

    pdf = Report(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=16)
    font = _font(pdf)

    def txt(s: str) -> str:
        return _latin1(s, font)

    pdf.set_title(txt(f"{organisation} — {title}"))
    pdf.set_author(txt(organisation))
    pdf.set_creator("Vigie")
    pdf.add_page()
    pdf.set_font(font, "B", 12)
    pdf.set_text_color(27, 27, 27)
    pdf.multi_cell(0, 6, txt(organisation), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "B", 15)
    pdf.set_text_color(31, 58, 95)
    pdf.multi_cell(0, 8, txt(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "", 9)
    pdf.set_text_color(85, 85, 85)
    pdf.cell(0, 6, txt(f"Édité le {content['date']} · pondérations version {content['weights_version']}"),
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(27, 27, 27)

    def heading(s: str, keep: float) -> None:
        """A section title, moved to the next page with what follows when less than ``keep`` mm is left."""
        if pdf.get_y() + 10 + keep > pdf.page_break_trigger:
            pdf.add_page()
        pdf.ln(3)
        pdf.set_font(font, "B", 12)
        pdf.set_text_color(31, 58, 95)
        pdf.multi_cell(0, 7, txt(s), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(27, 27, 27)
        pdf.set_font(font, "", 9)

    def note(s: str) -> None:
        pdf.set_font(font, "", 7.5)
        pdf.set_text_color(85, 85, 85)
        pdf.multi_cell(0, 4, txt(s), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_text_color(27, 27, 27)
        pdf.set_font(font, "", 9)

    heading("Synthèse", 20)
    for s in content["summary"]:
        pdf.multi_cell(0, 5, txt(f"• {s}" if font != "Helvetica" else f"- {s}"), new_x="LMARGIN", new_y="NEXT",
                       align="L")
    for b in content["blocks"]:
        if b["kind"] == "chart":
            png = vlc.vegalite_to_png(b["chart"].to_dict(), scale=2, format_locale="fr-FR")
            width_px, height_px = _png_size(png)
            w = min(180, pdf.epw)
            h = w * height_px / width_px
            room = pdf.page_break_trigger - pdf.get_y() - 12
            if h > room >= 0.75 * h:  # a little smaller rather than a half-empty page
                w, h = w * room / h, room
            heading(b["caption"], h)
            pdf.image(io.BytesIO(png), w=w, x=pdf.l_margin + (pdf.epw - w) / 2)
            continue
        heading(b["caption"], 18 if b["rows"] else 8)
        _pdf_table(pdf, font, [txt(str(h)) for h in b["header"]], [[txt(str(c)) for c in r] for r in b["rows"]])
        if b["note"]:
            note(b["note"])
    return bytes(pdf.output())


def _pdf_table(pdf: Any, font: str, header: list[str], rows: list[list[str]]) -> None:
    """A table whose columns fit their content: the font shrinks (down to MIN_TABLE_PT) rather than a
    word being cut; numbers are right-aligned; the header row repeats on each page."""
    from fpdf.fonts import FontFace

    size = TABLE_PT
    pdf.set_font(font, "", size)
    widths = _column_widths(pdf, font, header, rows, pdf.epw)
    while widths is None and size > MIN_TABLE_PT:
        size -= 0.5
        pdf.set_font(font, "", size)
        widths = _column_widths(pdf, font, header, rows, pdf.epw)
    align = tuple("RIGHT" if rows and all(NUMERIC.match(r[j].strip()) for r in rows) else "LEFT"
                  for j in range(len(header)))
    head_style = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=(31, 58, 95))
    with pdf.table(headings_style=head_style, line_height=size * 0.5, text_align=align,
                   col_widths=tuple(widths) if widths else None, width=pdf.epw, align="LEFT") as table:
        r = table.row()
        for h in header:
            r.cell(h)
        for row in rows:
            r = table.row()
            for c in row:
                r.cell(c)
