"""Workbooks saved with an open password (打开密码), made in a test from a plain file: an .xlsx encrypted as Excel
and WPS do (ECMA-376 agile encryption, an OLE2 file holding the EncryptedPackage stream) by msoffcrypto-tool, and an
.xls with its records encrypted (RC4, the FILEPASS record) by LibreOffice Calc, which the system's python3 drives
through UNO. Nothing is committed: each file is written when a test asks for it."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from msoffcrypto.format.ooxml import OOXMLFile

PASSWORD = "锦溪2017"
SOFFICE = shutil.which("soffice")
_SYSTEM_PYTHON = Path("/usr/bin/python3")  # LibreOffice's uno module is packaged for the system's python


def _has_uno() -> bool:
    if not (SOFFICE and _SYSTEM_PYTHON.exists()):
        return False
    return subprocess.run([str(_SYSTEM_PYTHON), "-c", "import uno"], capture_output=True, check=False).returncode == 0


UNO = _has_uno()
needs_uno = pytest.mark.skipif(not UNO, reason="LibreOffice with python3-uno (make browser) is not installed")


def with_open_password(xlsx: bytes, password: str = PASSWORD) -> bytes:
    """The .xlsx as Excel saves it under “用密码进行加密”."""
    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(xlsx)).encrypt(password, encrypted)
    return encrypted.getvalue()


# Run by the system python3: open the file in a headless Calc listening on a pipe, store it with a password.
_STORE_WITH_PASSWORD = r'''
import subprocess, sys, time
import uno
from com.sun.star.beans import PropertyValue

def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p

soffice, profile, source, target, filter_name, password = sys.argv[1:7]
pipe = "zoufang%d" % time.monotonic_ns()
office = subprocess.Popen([soffice, "-env:UserInstallation=file://" + profile, "--headless", "--invisible",
                           "--norestore", "--accept=pipe,name=%s;urp;" % pipe])
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for attempt in range(600):
        try:
            context = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            if attempt == 599:
                raise
            time.sleep(0.1)
    desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, (prop("Hidden", True),))
    document.storeToURL(uno.systemPathToFileUrl(target), (prop("FilterName", filter_name), prop("Password", password)))
    document.close(True)
    try:
        desktop.terminate()
    except Exception:
        pass  # the bridge closes as the office quits
    office.wait(timeout=120)
finally:
    if office.poll() is None:
        office.kill()
'''


def xls_with_open_password(xls: bytes, folder: Path, password: str = PASSWORD) -> bytes:
    """The .xls as Excel 97–2003 saves it with a password: LibreOffice Calc writes the same RC4 encryption."""
    source, target = folder / "plain.xls", folder / "locked.xls"
    source.write_bytes(xls)
    subprocess.run([str(_SYSTEM_PYTHON), "-c", _STORE_WITH_PASSWORD, str(SOFFICE), str(folder / "profile"),
                    str(source), str(target), "MS Excel 97", password], check=True, capture_output=True, timeout=300)
    return target.read_bytes()
