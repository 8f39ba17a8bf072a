"""The one place a generated docx names its faces: Latin letters and digits (w:ascii, w:hAnsi) always in the face of
the Chinese beside them (w:eastAsia), in the document's defaults, its Normal style and every run styled.

python-docx's `font.name` sets the Latin face only, and its template leaves the defaults to the theme (Calibri for
Latin, the system's 宋体/等线 for Chinese): a run or style naming one of the two prints “2017年” in two faces, and
where the office font is missing Word puts Times New Roman, a serif, beside the Chinese. Each office face is also
declared with the common face a machine without it has (word/fontTable.xml w:altName), for both kinds of text."""

from typing import Any

from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

FANGSONG, XIAOBIAOSONG, HEITI, KAITI, SONGTI = "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体"
# What a machine without the office's fonts shows instead (charset 86 = GB2312).
FALLBACKS = {FANGSONG: "仿宋", XIAOBIAOSONG: "宋体", HEITI: "SimHei", KAITI: "楷体", SONGTI: "SimSun"}
_SLOTS = ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")
_THEMES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")  # would win over the names


def set_fonts(rpr: Any, name: str) -> None:
    """`name` for Latin, Chinese and complex-script text of a run's or style's properties, no theme face."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in _THEMES:
        fonts.attrib.pop(qn(attribute), None)
    for attribute in _SLOTS:
        fonts.set(qn(attribute), name)
    fonts.set(qn("w:hint"), "eastAsia")  # quotes and dashes shared by both scripts: the Chinese face's


def set_body_font(document: DocxDocument, name: str) -> None:
    """`name` for every text of a new document (its defaults and Normal style) and the office faces declared with
    their fallbacks."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    default_run = defaults.find(qn("w:rPrDefault"))
    if default_run is None:
        default_run = OxmlElement("w:rPrDefault")
        defaults.insert(0, default_run)
    rpr = default_run.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        default_run.append(rpr)
    set_fonts(rpr, name)
    set_fonts(document.styles["Normal"].element.get_or_add_rPr(), name)
    _declare_fallbacks(document)


def _declare_fallbacks(document: DocxDocument) -> None:
    """Declare the office fonts in word/fontTable.xml as GB2312 faces with the common face as w:altName."""
    part = next(rel.target_part for rel in document.part.rels.values() if rel.reltype == RT.FONT_TABLE)
    table = parse_xml(part.blob)
    declared = {font.get(qn("w:name")) for font in table.iter(qn("w:font"))}
    for name, alternative in FALLBACKS.items():
        if name in declared:
            continue
        table.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alternative}"/><w:charset w:val="86"/>'
            f'<w:family w:val="{"modern" if name == FANGSONG else "auto"}"/><w:pitch w:val="fixed"/></w:font>'))
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)  # noqa: SLF001
