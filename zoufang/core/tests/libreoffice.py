"""Printing an export through LibreOffice Calc in a test (soffice --headless → PDF) and reading the PDF back with
poppler (pdftotext -bbox); tests that do are skipped where either is not installed (make browser)."""

import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

SOFFICE, PDFTOTEXT, PDFFONTS = shutil.which("soffice"), shutil.which("pdftotext"), shutil.which("pdffonts")
CALC = bool(SOFFICE) and (Path(str(SOFFICE)).resolve().parent / "libsclo.so").exists()
needs_calc = pytest.mark.skipif(not (CALC and PDFTOTEXT and PDFFONTS),
                                reason="LibreOffice Calc (soffice) and poppler (pdftotext) are not installed")


def printed(xlsx: bytes, folder: Path, name: str) -> Path:
    """The workbook as LibreOffice Calc prints it: `folder`/`name`.pdf."""
    (folder / f"{name}.xlsx").write_bytes(xlsx)
    subprocess.run([str(SOFFICE), f"-env:UserInstallation=file://{folder}/profile", "--headless", "--convert-to",
                    "pdf", "--outdir", str(folder), str(folder / f"{name}.xlsx")],
                   check=True, capture_output=True, timeout=300)
    return folder / f"{name}.pdf"


def bbox(pdf: Path) -> ElementTree.Element:
    """pdftotext -bbox of `pdf`: <page width height> elements of <word xMin yMin xMax yMax>."""
    xml = subprocess.run([str(PDFTOTEXT), "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    xml = re.sub(r"<!DOCTYPE[^>]*>", "", xml).replace(' xmlns="http://www.w3.org/1999/xhtml"', "")
    return ElementTree.fromstring(xml)  # noqa: S314 - poppler's output of our own file


def fonts(pdf: Path) -> str:
    return subprocess.run([str(PDFFONTS), str(pdf)], check=True, capture_output=True, text=True).stdout
