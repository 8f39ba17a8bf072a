"""Visit photos: optional, size-limited, re-encoded so no EXIF (GPS position, device, time) is ever stored."""

import hashlib
import uuid
from io import BytesIO
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent
from zoufang.core import request_keys
from zoufang.visits.models import Visit, VisitPhoto
from zoufang.visits.services import VisitRefused, cadre_of

MAX_BYTES = 8 * 1024 * 1024
MAX_PER_VISIT = 6
MAX_SIDE = 1600
# A phone's largest photo is 50 megapixels; past that a small file is a decompression bomb (a 20000×20000
# PNG of one colour is a few hundred kB and 1.2 GB once decoded), refused from its header before decoding.
MAX_PIXELS = 50_000_000
# What may be decoded in full: 8 megapixels. A phone's camera saves baseline JPEG, which decodes straight at
# 1/2 … 1/8 of its size (draft), close above the 1600 px kept: a 50-megapixel photo costs about 34 MB. A PNG or
# WebP from a phone is a screenshot (1440×3200 is 4.6 megapixels), decoded whole at 4 bytes a pixel and copied
# on the way: an 8-megapixel WebP peaks at about 125 MB, where a 49-megapixel RGB PNG took 565 MB. A progressive
# JPEG keeps every coefficient of the whole picture while it decodes, so it counts at its full size.
MAX_DECODED_PIXELS = 8_000_000
FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}
# Modes Pillow resizes with a proper filter; others (1-bit, palette, 16-bit) are made RGB first.
_RESIZABLE = {"L", "LA", "RGB", "RGBA", "RGBX", "CMYK", "YCbCr"}


def too_large() -> str:
    return _("照片：不能超过 %(n)s MB") % {"n": MAX_BYTES // 1024 // 1024}


def too_many_pixels(width: int, height: int, *, decoded: bool = False) -> str:
    size = _("（此图 %(w)d×%(h)d）") % {"w": width, "h": height} if width else ""
    if decoded:
        return _("照片：像素过多%(size)s，PNG、WebP 和渐进式 JPEG 图片最多 %(n)d 万像素（手机拍摄的 JPEG 照片最多 "
                 "%(jpeg)d 万像素）。请把图片缩小，或存为 JPEG 后再上传") % {
            "size": size, "n": MAX_DECODED_PIXELS // 10000, "jpeg": MAX_PIXELS // 10000}
    return _("照片：像素过多%(size)s，最多 %(n)d 万像素，请缩小后再上传") % {"size": size, "n": MAX_PIXELS // 10000}


def strip_and_shrink(data: bytes) -> tuple[bytes, int, int]:
    """A JPEG of the picture as seen (orientation applied), at most MAX_SIDE pixels, with no metadata.

    Refused from the header whatever would cost more than MAX_DECODED_PIXELS to decode; the full frame is
    shrunk before anything copies it (orientation, RGB), so one upload costs at most about 125 MB."""
    try:
        with Image.open(BytesIO(data)) as image:
            if image.format not in FORMATS:
                raise VisitRefused({"photo": _("照片：只接受 JPEG、PNG 或 WebP 图片")})
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise VisitRefused({"photo": too_many_pixels(width, height)})
            scale = min(MAX_SIDE / width, MAX_SIDE / height, 1)
            # A baseline JPEG decodes straight at 1/2 … 1/8 of its size, as close above the stored size as it can.
            image.draft("RGB", (max(round(width * scale), 1), max(round(height * scale), 1)))
            decoded = width * height if image.info.get("progressive") else image.width * image.height
            if decoded > MAX_DECODED_PIXELS:
                raise VisitRefused({"photo": too_many_pixels(width, height, decoded=True)})
            frame: Image.Image = image if image.mode in _RESIZABLE else image.convert("L" if image.mode == "1" else "RGB")
            frame.thumbnail((MAX_SIDE, MAX_SIDE))  # decodes, then keeps only the shrunk copy
            upright = ImageOps.exif_transpose(frame).convert("RGB")
    except Image.DecompressionBombError:  # PIL's own limit, for a frame larger than the header said
        raise VisitRefused({"photo": too_many_pixels(0, 0)}) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):  # damaged files raise any of these
        raise VisitRefused({"photo": _("照片：文件不是可识别的图片")}) from None
    clean = Image.new("RGB", upright.size)
    clean.paste(upright)  # a fresh image carries no info dict, so nothing of the original's metadata survives
    out = BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue(), clean.width, clean.height


@transaction.atomic
def add_visit_photo(user: Any, visit: Visit, data: bytes, *, key: uuid.UUID | None = None) -> tuple[VisitPhoto, bool]:
    """The photo stored for `visit`, and whether this call stored it. With a `key`, sending the same picture again
    (a phone's retry after a lost answer, a double click) gives the photo it stored; another picture under the same
    key raises request_keys.KeyReused."""
    cadre = cadre_of(user)
    if cadre is None or cadre.pk != visit.cadre_id:
        raise VisitRefused({"photo": _("照片：只有本次走访的走访人可以上传照片")})
    if len(data) > MAX_BYTES:
        raise VisitRefused({"photo": too_large()})
    locked = Visit.objects.select_for_update().get(pk=visit.pk)  # uploads to one visit, one at a time
    digest = hashlib.sha256(data).hexdigest() if key is not None else ""

    @transaction.atomic
    def make() -> VisitPhoto:
        if locked.photos.count() >= MAX_PER_VISIT:
            raise VisitRefused({"photo": _("照片：每次走访最多 %(n)s 张") % {"n": MAX_PER_VISIT}})
        content, width, height = strip_and_shrink(data)
        photo = VisitPhoto(visit=visit, width=width, height=height, created_by=user, request_key=key,
                           upload_digest=digest)
        photo.image.save(f"{uuid.uuid4().hex}.jpg", ContentFile(content), save=False)
        photo.save()
        audit.record(user, AuditEvent.Action.CREATE, photo, summary=_("走访照片"),
                     changes={"visit": visit.pk})  # the presenter names the visit's household, masked
        return photo

    return request_keys.once_checked(VisitPhoto.objects.all(), key, make,
                                     lambda earlier: (earlier.visit_id, earlier.upload_digest) == (visit.pk, digest))
