"""A photo whose header promises more pixels than any phone takes is refused before it is decoded."""

import struct
import zlib

import pytest

from zoufang.visits.models import Visit, VisitPhoto
from zoufang.visits.tests.conftest import payload

pytestmark = pytest.mark.django_db


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
    import io

    upload = io.BytesIO(data)
    upload.name = "bomb.png"
    return upload
