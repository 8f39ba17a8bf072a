"""A photo whose header promises more pixels than any phone takes, or than one upload may decode, is refused
before it is decoded; what is taken is shrunk before anything copies it."""

import io
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest
from PIL import Image

from zoufang.visits import photos
from zoufang.visits.models import Visit, VisitPhoto
from zoufang.visits.tests.conftest import payload

pytestmark = pytest.mark.django_db


ROOT = Path(__file__).resolve().parents[3]  # the checkout whose code the probe must import

def png_bomb(width: int, height: int) -> bytes:
    """A valid one-colour 1-bit PNG of width×height: a few hundred kB on disk, width×height×3 bytes as RGB."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


@pytest.fixture
def visit(client, visiting, api_token) -> Visit:
    response = client.post("/api/v1/visits", payload(visiting.enterprise), content_type="application/json",
                           **api_token("dept"))
    assert response.status_code == 201
    return Visit.objects.get(public_id=response.json()["id"])


@pytest.mark.parametrize("side", [20000, 9000])  # over PIL's own bomb limit, and under it but over ours
def test_it_refuses_a_decompression_bomb_on_the_api_with_a_chinese_400(client, visit, api_token, settings,
                                                                      tmp_path, side):
    settings.MEDIA_ROOT = tmp_path
    bomb = png_bomb(side, side)
    assert len(bomb) < 8 * 1024 * 1024
    response = client.post(f"/api/v1/visits/{visit.public_id}/photos", {"photo": _named(bomb)},
                           **api_token("dept"))
    assert response.status_code == 400, response.content
    assert "像素过多" in response.json()["errors"]["photo"]
    assert not VisitPhoto.objects.exists()


def test_it_refuses_a_decompression_bomb_on_the_page(login, visiting, visit, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = login(visiting.users["dept"]).post(f"/visits/{visit.public_id}/photos/",
                                                  {"photo": _named(png_bomb(20000, 20000))}, follow=True)
    assert response.status_code in (200, 400)
    assert "像素过多" in response.content.decode()
    assert not VisitPhoto.objects.exists()


def _named(data: bytes):
    upload = io.BytesIO(data)
    upload.name = "bomb.png"
    return upload


def _jpeg(size: tuple[int, int], **options) -> bytes:
    out = io.BytesIO()
    Image.new("L", size, 128).save(out, format="JPEG", quality=80, **options)
    return out.getvalue()


def test_it_refuses_a_png_under_the_camera_limit_that_would_decode_whole():
    """A 49-megapixel PNG passed the 50-megapixel limit and cost 565 MB to decode (RGB, measured 2026-12-05)."""
    with pytest.raises(photos.VisitRefused) as refused:
        photos.strip_and_shrink(png_bomb(7000, 7000))
    assert "此图 7000×7000" in str(refused.value.errors["photo"])
    assert "最多 800 万像素" in str(refused.value.errors["photo"])


def test_it_takes_a_large_phone_jpeg_decoded_at_a_fraction_of_its_size():
    content, width, height = photos.strip_and_shrink(_jpeg((6000, 4000)))  # 24 megapixels, decoded at 6
    assert (width, height) == (1600, 1067)
    assert Image.open(io.BytesIO(content)).format == "JPEG"


def test_it_refuses_a_progressive_jpeg_that_would_decode_whole():
    with pytest.raises(photos.VisitRefused, match="渐进式 JPEG 图片最多 800 万像素"):
        photos.strip_and_shrink(_jpeg((4000, 3000), progressive=True))
    assert photos.strip_and_shrink(_jpeg((2000, 1500), progressive=True))[1:] == (1600, 1200)


def test_it_turns_the_picture_upright_and_keeps_no_metadata():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the phone was held upright, the sensor wrote it on its side
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    Image.new("RGB", (3200, 1600), (200, 30, 30)).save(out, format="JPEG", exif=exif)
    content, width, height = photos.strip_and_shrink(out.getvalue())
    stored = Image.open(io.BytesIO(content))
    assert (width, height) == stored.size == (800, 1600)
    assert not stored.getexif()
    assert "exif" not in stored.info


def test_one_upload_costs_a_bounded_amount_of_memory(tmp_path):
    """Peak memory of decoding one upload over what the process held before it (measured 2026-12-05, before the
    decode budget → with it): a one-colour 49-megapixel 1-bit PNG 312 MB → 0 (refused from its header); a
    24-megapixel baseline JPEG 48 → 22 MB; an 8-megapixel WebP, the worst that is taken, 156 → 125 MB."""
    files = {"bomb.png": png_bomb(7000, 7000), "photo.jpg": _jpeg((6000, 4000))}
    out = io.BytesIO()
    Image.new("RGB", (3264, 2448), (90, 120, 200)).save(out, format="WEBP")
    files["screen.webp"] = out.getvalue()
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    probe = textwrap.dedent("""
        import re, sys, django
        django.setup()
        from zoufang.visits.photos import strip_and_shrink
        from zoufang.visits.services import VisitRefused
        def kilobytes(field):
            return int(re.search(field + r":\\s+(\\d+)", open("/proc/self/status").read()).group(1))
        data = open(sys.argv[1], "rb").read()
        open("/proc/self/clear_refs", "w").write("5")  # the peak starts again from what is resident now
        before = kilobytes("VmRSS")
        try:
            strip_and_shrink(data)
        except VisitRefused:
            pass
        print((kilobytes("VmHWM") - before) // 1024)
    """)
    peaks = {}
    for name in files:
        result = subprocess.run([sys.executable, "-c", probe, str(tmp_path / name)], capture_output=True, text=True,
                                timeout=120, check=True,
                                env={"DJANGO_SETTINGS_MODULE": "zoufang.settings", "PATH": "/usr/bin:/bin"}, cwd=ROOT)
        peaks[name] = int(result.stdout.split()[-1])
    assert peaks["bomb.png"] < 50, peaks
    assert peaks["photo.jpg"] < 40, peaks
    assert peaks["screen.webp"] < 180, peaks
