"""Official-document layout for .docx output (after GB/T 9704 党政机关公文格式), shared by drafts and handouts.

Chinese fonts are set on the East Asian slot of each run (w:rFonts/@w:eastAsia): python-docx's
``font.name`` only sets the Latin slots, and Word would then show Chinese text in its default font.
Fonts that may be missing on the reader's machine get a fallback (w:altName) in the font table.
"""

from __future__ import annotations

import re
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

TITLE_FONT = ("方正小标宋简体", "SimSun")  # (font, fallback)
HEADING_FONT = ("黑体", "SimHei")
SUBHEADING_FONT = ("楷体_GB2312", "KaiTi")  # second-level headings （一）… (GB/T 9704 7.3.3)
PAGE_NUMBER_FONT = ("宋体", "SimSun")
PAGE_NUMBER_SIZE = Pt(14)  # 四号
BODY_FONT = ("仿宋_GB2312", "FangSong")
LATIN_FONT = "Times New Roman"
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
LINE_PITCH = Pt(28)  # fixed line spacing: about 22 lines on a page, as in printed official documents


def new_document() -> Any:
    """An empty A4 document with official margins, body font and fallbacks for the Chinese fonts."""
    doc = Document()
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = BODY_SIZE
    _east_asia(normal.element.get_or_add_rPr(), BODY_FONT[0])
    _register_fallbacks(doc, [TITLE_FONT, HEADING_FONT, SUBHEADING_FONT, BODY_FONT, PAGE_NUMBER_FONT])
    _page_numbers(doc)
    return doc


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field (PAGE) whose result the reader computes."""
    run = styled_run(paragraph, "", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._element.append(element)


def _page_numbers(doc: Any) -> None:
    """Page numbers as GB/T 9704 7.5 sets them: 四号 半角 Arabic digits between dashes (— 1 —), odd pages
    on the right and even pages on the left, each one character in from the margin."""
    doc.settings.odd_and_even_pages_header_footer = True
    for section in doc.sections:
        for footer, alignment in (
            (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
            (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
        ):
            paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
            paragraph.alignment = alignment
            fmt = paragraph.paragraph_format
            if alignment is WD_ALIGN_PARAGRAPH.RIGHT:
                fmt.right_indent = PAGE_NUMBER_SIZE
            else:
                fmt.left_indent = PAGE_NUMBER_SIZE
            styled_run(paragraph, "— ", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
            _field(paragraph, "PAGE")
            styled_run(paragraph, " —", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


def _east_asia(rpr: Any, font: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), font)
    fonts.set(qn("w:hint"), "eastAsia")


def _register_fallbacks(doc: Any, fonts: list[tuple[str, str]]) -> None:
    """Declare each font in the font table with its fallback (w:altName), so a machine without
    方正小标宋简体 or 仿宋_GB2312 shows SimSun or FangSong instead of an arbitrary face."""
    table = next(
        (rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/fontTable")), None
    )
    if table is None:
        return
    from lxml import etree

    root = etree.fromstring(table.blob)
    for name, fallback in fonts:
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        alt = etree.SubElement(font, qn("w:altName"))
        alt.set(qn("w:val"), fallback)
        charset = etree.SubElement(font, qn("w:charset"))
        charset.set(qn("w:val"), "86")  # GB2312
    table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def styled_run(paragraph: Paragraph, text: str, font: tuple[str, str], size: Any, bold: bool = False) -> Run:
    """A run of ``text`` in the given East Asian font and size."""
    run = paragraph.add_run(text)
    run.font.name = LATIN_FONT
    run.font.size = size
    run.font.bold = bold
    _east_asia(run._element.get_or_add_rPr(), font[0])
    return run


def _spacing(paragraph: Paragraph, indent: bool) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        # Two characters: firstLineChars scales with the font; firstLine is the fallback for other readers.
        fmt.first_line_indent = Pt(32)
        ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
        if ind is not None:
            ind.set(qn("w:firstLineChars"), "200")


def add_title(doc: Any, text: str) -> Paragraph:
    """The document title: centred, 二号 小标宋, followed by an empty line."""
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styled_run(paragraph, text, TITLE_FONT, TITLE_SIZE)
    paragraph.paragraph_format.space_after = Pt(28)
    return paragraph


def add_heading(doc: Any, text: str, indent: bool = True) -> Paragraph:
    """A first-level heading (一、…): 三号 黑体, indented like the body."""
    paragraph = doc.add_paragraph()
    _spacing(paragraph, indent)
    styled_run(paragraph, text, HEADING_FONT, BODY_SIZE)
    return paragraph


_SUBHEADING = re.compile(r"^（[一二三四五六七八九十]+）[^。：:]{1,30}(?:。|$)")


def add_body(doc: Any, text: str, indent: bool = True, bold: bool = False) -> Paragraph:
    """A body paragraph: 三号 仿宋, first line indented two characters. A paragraph that opens with a
    second-level heading (（一）动机。…, or a heading line （一）据以研判的规定) sets it in 楷体."""
    paragraph = doc.add_paragraph()
    _spacing(paragraph, indent)
    heading = _SUBHEADING.match(text)
    if heading and not bold:
        styled_run(paragraph, heading.group(0), SUBHEADING_FONT, BODY_SIZE)
        text = text[heading.end() :]
    if text:
        styled_run(paragraph, text, BODY_FONT, BODY_SIZE, bold=bold)
    return paragraph


def add_signature(doc: Any, lines: list[str]) -> None:
    """落款 and 成文日期 placeholders: after an empty line, right-aligned, four characters from the margin
    (GB/T 9704 7.3.5.2)."""
    doc.add_paragraph()
    for line in lines:
        paragraph = doc.add_paragraph()
        _spacing(paragraph, indent=False)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(64)
        styled_run(paragraph, line, BODY_FONT, BODY_SIZE)


def add_page_break(doc: Any) -> None:
    """Start a new page (the annex begins on its own page)."""
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
