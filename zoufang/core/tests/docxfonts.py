"""Reading a generated docx's fonts back from its XML: where a run, a style or the document's defaults name a face
for Latin text and digits (w:ascii, w:hAnsi) other than the one for Chinese (w:eastAsia), or leave it to the theme
(Calibri/Cambria, or Times New Roman where the named face is missing), digits print in another face than the
characters beside them."""

import io
import re
import zipfile

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SLOTS = ("ascii", "hAnsi", "eastAsia", "cs")
THEMES = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")


def _attribute(element: etree._Element, name: str) -> str | None:
    return element.get(f"{{{W}}}{name}")


def _described(where: str, element: etree._Element) -> str:
    return f"{where}: " + ", ".join(f"{name}={_attribute(element, name)}" for name in (*SLOTS, *THEMES)
                                     if _attribute(element, name) is not None)


def mixed_fonts(data: bytes) -> list[str]:
    """Every place that names Latin and Chinese faces apart, or a theme's: the defaults, the Normal style and each
    run of the body, headers and footers. Empty when digits print in the face of the Chinese beside them."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as docx:
        styles = etree.fromstring(docx.read("word/styles.xml"))  # noqa: S320 - our own file
        defaults = styles.find(f"{{{W}}}docDefaults/{{{W}}}rPrDefault/{{{W}}}rPr/{{{W}}}rFonts")
        normal = styles.find(f"{{{W}}}style[@{{{W}}}styleId='Normal']/{{{W}}}rPr/{{{W}}}rFonts")
        places = [("defaults", defaults), ("Normal", normal)]
        for name in docx.namelist():
            if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name):
                places += [(name, fonts) for fonts in etree.fromstring(docx.read(name)).iter(f"{{{W}}}rFonts")]  # noqa: S320
    for where, fonts in places:
        if fonts is None:
            found.append(f"{where}: no fonts named")
            continue
        named = {_attribute(fonts, name) for name in SLOTS}
        if len(named) != 1 or None in named or any(_attribute(fonts, name) for name in THEMES):
            found.append(_described(where, fonts))
    return found


def body_font(data: bytes) -> str | None:
    """The face the document's defaults give every text (w:docDefaults' w:ascii)."""
    with zipfile.ZipFile(io.BytesIO(data)) as docx:
        styles = etree.fromstring(docx.read("word/styles.xml"))  # noqa: S320 - our own file
    fonts = styles.find(f"{{{W}}}docDefaults/{{{W}}}rPrDefault/{{{W}}}rPr/{{{W}}}rFonts")
    return None if fonts is None else _attribute(fonts, "ascii")


def declared_fallbacks(data: bytes) -> dict[str, str]:
    """word/fontTable.xml's faces and the face each names to use where it is missing (w:altName)."""
    with zipfile.ZipFile(io.BytesIO(data)) as docx:
        table = etree.fromstring(docx.read("word/fontTable.xml"))  # noqa: S320 - our own file
    return {font.get(f"{{{W}}}name"): alt.get(f"{{{W}}}val")
            for font in table.iter(f"{{{W}}}font") if (alt := font.find(f"{{{W}}}altName")) is not None}
