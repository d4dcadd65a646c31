"""Looking inside untrusted files safely.

Everything that parses an evidence file's bytes runs in a separate worker process with a
memory limit and a time limit, so a hostile file (a decompression bomb, a file crafted
against an image or PDF library) can at worst kill that worker, never the app. The
worker answers with plain data; nothing is written to disk.

Two questions are asked of the worker:

- :func:`inspect`, at intake: is this an acceptable, intact, single file? It gives the
  detected type, the pixel size and a small PNG thumbnail, or raises :class:`Unreadable`
  with the reason in the user's words.
- :func:`render`, for the viewer: a PNG of the item for the screen, bounded to
  :data:`VIEW_MAX_PIXELS`, so the app's own process never decodes an original.

Accepted: PNG, JPEG, WebP, GIF (first frame), BMP, TIFF, and PDF documents. An image is
refused when data follows its end (a PNG with a ZIP appended is two files) or when its
end is missing; each format's own structure says where it ends: the PNG chunk chain up
to IEND, the JPEG markers up to the EOI after the last scan, the GIF blocks up to the
trailer, the WebP RIFF size, the BMP's pixel array (and its header's file size), and
the TIFF's IFDs with every strip, tile and value they reference. A PDF must parse
(pikepdf, without repair) with at least one page and carry no active content
(JavaScript, actions that run by themselves, launches, embedded files, rich media,
XFA forms, form submission or import): those are refused, never silently removed, since
the bytes as received are the evidence.
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import contextlib
import io
import math
import multiprocessing
import re
import struct
import sys
import threading
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

FORMATS = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
}
EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/gif": "gif",
    "image/bmp": "bmp",
    "image/tiff": "tif",
    "application/pdf": "pdf",
}
MAX_PIXELS = 60_000_000  # over this an image is treated as a decompression bomb
THUMB_SIZE = 320
DECODE_SECONDS = 30
WORKER_MEMORY = 3 * 1024**3
# The viewer's picture holds at most a 4K screen's pixels (3840 x 2160, 8.3 M): that is
# more than the viewer can show at once on any common display, so nearly every real
# screenshot (phone 1080 x 2400, desktop 1920 x 1080 or 3840 x 2160, a tall scrolling
# capture of 1080 x 7700) is shown at 100%, while the app never holds more than ~33 MB of
# pixels for one item (a 60 M pixel original is 240 MB). A budget of pixels rather than
# of the long side keeps tall captures legible: 1080 x 7740 shows at 94%, where a
# 2560 px long side would shrink its text to a third. No side exceeds 16,384 px.
VIEW_MAX_PIXELS = 3840 * 2160
VIEW_MAX_SIDE = 16_384
PDF_VIEW_DPI = 200  # page 1 of a PDF: a Letter page is 1,700 x 2,200 px


@dataclass(frozen=True)
class Inspection:
    media_type: str
    width: int | None
    height: int | None
    thumbnail: bytes | None  # PNG
    thumb_width: int | None = None
    thumb_height: int | None = None


@dataclass(frozen=True)
class Rendition:
    """A picture of an item for the screen, made in the worker; never the evidence itself.

    ``source_width``/``source_height`` are the original's pixels (None for a PDF, whose
    pages have no pixels of their own); ``pages`` counts a PDF's pages or an image's
    frames, of which the rendition shows the first; ``dpi`` is a PDF page's resolution.
    """

    png: bytes
    width: int
    height: int
    source_width: int | None
    source_height: int | None
    pages: int = 1
    unit: str = "page"  # what ``pages`` counts: "page" or "frame"
    dpi: int | None = None

    @property
    def scale(self) -> float:
        """The rendition's size over the original's (1.0 for a PDF page)."""
        if not self.source_width:
            return 1.0
        return self.width / self.source_width

    def describe(self) -> str:
        """What the picture is of, for the line above it; empty when it is the whole
        original at full size."""
        parts = []
        if self.dpi is not None:
            parts.append(f"Page 1 of {self.pages:,}, rendered at {self.dpi} dpi")
        elif self.pages > 1:
            parts.append(f"{self.unit.capitalize()} 1 of {self.pages:,}")
        if self.source_width and self.source_height and self.width < self.source_width:
            percent = max(1, math.floor(self.scale * 100))
            parts.append(
                f"shown at {percent}% of {self.source_width:,} × {self.source_height:,} pixels"
            )
        if not parts:
            return ""
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + " (export gives the original)"


class Unreadable(Exception):
    """The file is not an acceptable, intact image or PDF; the message says why."""


# ---------------------------------------------------------------- where an image ends

_LABELS = {
    "PNG": "PNG",
    "JPEG": "JPEG",
    "WEBP": "WebP",
    "GIF": "GIF",
    "BMP": "BMP",
    "TIFF": "TIFF",
}
# Writers may pad a file to an aligned length (Pillow's multi-page TIFF ends in 4 zero
# bytes); a few zero bytes cannot hold a second file.
_PADDING = 16


def _no_end(label: str, what: str) -> Unreadable:
    return Unreadable(f"the {label} image is damaged or truncated: {what}")


def _png_end(data: bytes) -> int:
    """The offset just past IEND, walking the chunk chain and checking each CRC."""
    view = memoryview(data)
    pos, size = 8, len(data)
    while True:
        if pos + 12 > size:
            raise _no_end("PNG", "its end (the IEND chunk) is missing")
        length, kind = struct.unpack_from(">I4s", data, pos)
        end = pos + 12 + length
        if length > 2**31 - 1 or end > size:
            raise _no_end("PNG", f"its {kind.decode('latin-1')!r} chunk is cut off")
        (crc,) = struct.unpack_from(">I", data, end - 4)
        if zlib.crc32(view[pos + 4 : end - 4]) != crc:
            raise _no_end("PNG", f"its {kind.decode('latin-1')!r} chunk fails its checksum")
        if kind == b"IEND":
            return end
        pos = end


def _jpeg_end(data: bytes) -> int:
    """The offset just past the EOI marker, walking the markers and each scan's
    entropy-coded data (where a 0xFF byte is followed by 0x00 or a restart marker)."""
    size = len(data)
    missing = "its end (the EOI marker after the last scan) is missing"
    pos = 2
    while True:
        if pos >= size:
            raise _no_end("JPEG", missing)
        if data[pos] != 0xFF:
            raise _no_end("JPEG", f"stray bytes sit between its segments (at byte {pos:,})")
        while pos < size and data[pos] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos >= size:
            raise _no_end("JPEG", missing)
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI
            return pos
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            continue
        if marker == 0x00 or pos + 2 > size:
            raise _no_end("JPEG", missing)
        (length,) = struct.unpack_from(">H", data, pos)
        if length < 2 or pos + length > size:
            raise _no_end("JPEG", f"a segment is cut off (at byte {pos:,})")
        pos += length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next marker
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= size:
                    raise _no_end("JPEG", missing)
                following = data[pos + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    pos += 2
                    continue
                break


def _gif_sub_blocks(data: bytes, pos: int) -> int:
    size = len(data)
    while True:
        if pos >= size:
            raise _no_end("GIF", "its end (the trailer) is missing")
        length = data[pos]
        pos += 1 + length
        if length == 0:
            return pos


def _gif_end(data: bytes) -> int:
    """The offset just past the trailer (0x3B), walking every block."""
    size = len(data)
    if size < 13:
        raise _no_end("GIF", "its header is cut off")
    flags = data[10]
    pos = 13 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0)
    while True:
        if pos >= size:
            raise _no_end("GIF", "its end (the trailer) is missing")
        block = data[pos]
        if block == 0x3B:
            return pos + 1
        if block == 0x21:  # extension: label, then sub-blocks
            pos = _gif_sub_blocks(data, pos + 2)
        elif block == 0x2C:  # image: descriptor, local colours, LZW size, sub-blocks
            if pos + 10 > size:
                raise _no_end("GIF", "an image descriptor is cut off")
            flags = data[pos + 9]
            pos += 10 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0)
            pos = _gif_sub_blocks(data, pos + 1)
        else:
            raise _no_end("GIF", f"an unknown block sits at byte {pos:,}")


def _webp_end(data: bytes) -> int:
    """The end the RIFF header declares, after checking its chunks fill it exactly."""
    (riff,) = struct.unpack_from("<I", data, 4)
    end = 8 + riff + (riff & 1)
    if end > len(data):
        raise _no_end("WebP", "it is shorter than its RIFF header says")
    pos = 12
    while pos < end:
        if pos + 8 > end:
            raise _no_end("WebP", "a chunk is cut off")
        (length,) = struct.unpack_from("<I", data, pos + 4)
        pos += 8 + length + (length & 1)
    if pos != end:
        raise _no_end("WebP", "its chunks overrun its RIFF size")
    return end


def _bmp_end(data: bytes) -> int:
    """The end of the pixel array (and of an ICC profile placed after it), held against
    the file size the header declares."""
    declared, pixels_at, header = struct.unpack_from("<I4xII", data, 2)
    if header == 12:  # OS/2 core header
        width, height, bits = struct.unpack_from("<HH2xH", data, 18)
        compression, image_size = 0, 0
    else:
        width, height, bits, compression, image_size = struct.unpack_from("<ii2xHII", data, 18)
    if compression in (0, 3, 6):  # uncompressed rows, each padded to 4 bytes
        stride = (abs(width) * bits + 31) // 32 * 4
        end = pixels_at + stride * abs(height)
    elif image_size:
        end = pixels_at + image_size
    else:
        raise _no_end("BMP", "its header does not say how long its pixels are")
    if header >= 124:  # BITMAPV5HEADER: an embedded ICC profile may follow the pixels
        (space,) = struct.unpack_from("<I", data, 14 + 56)
        profile_at, profile_size = struct.unpack_from("<II", data, 14 + 112)
        if space == 0x4D424544:  # 'MBED'
            end = max(end, 14 + profile_at + profile_size)
    if end > len(data) or declared > len(data):
        raise _no_end("BMP", "it is shorter than its header says")
    return min(end, declared) if declared else end


_TIFF_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}
_TIFF_TYPE_SIZES.update({13: 4, 16: 8, 17: 8, 18: 8})
_TIFF_INT_FORMATS = {1: "B", 3: "H", 4: "I", 13: "I", 16: "Q", 18: "Q"}
_TIFF_SUB_IFDS = {330, 34665, 34853, 40965}  # SubIFDs, Exif, GPS, Interoperability
_TIFF_EXTENTS = ((273, 279), (324, 325), (288, 289), (513, 514))  # offsets, byte counts


def _tiff_end(data: bytes) -> int:
    """The furthest byte referenced by any IFD (classic or BigTIFF): the IFDs themselves,
    their values, and the strips, tiles, free blocks and JPEG streams they point at."""
    order = {b"II": "<", b"MM": ">"}.get(data[:2])
    if order is None:
        raise _no_end("TIFF", "its header is damaged")
    (magic,) = struct.unpack_from(order + "H", data, 2)
    big = magic == 43
    if big:
        (first,) = struct.unpack_from(order + "Q", data, 8)
        count_fmt, entry_size, field_size, offset_fmt, end = "Q", 20, 8, "Q", 16
    else:
        (first,) = struct.unpack_from(order + "I", data, 4)
        count_fmt, entry_size, field_size, offset_fmt, end = "H", 12, 4, "I", 8
    size = len(data)
    pending, seen = [first], set()
    while pending:
        at = pending.pop()
        if at == 0 or at in seen:
            continue
        seen.add(at)
        if len(seen) > 10_000:
            raise _no_end("TIFF", "it has more directories than any image needs")
        (count,) = struct.unpack_from(order + count_fmt, data, at)
        entries_at = at + struct.calcsize(count_fmt)
        next_at = entries_at + count * entry_size
        end = max(end, next_at + field_size)
        if end > size:
            raise _no_end("TIFF", "a directory is cut off")
        values: dict[int, tuple[int, ...]] = {}
        for i in range(count):
            pos = entries_at + i * entry_size
            tag, kind = struct.unpack_from(order + "HH", data, pos)
            (n,) = struct.unpack_from(order + ("Q" if big else "I"), data, pos + 4)
            length = _TIFF_TYPE_SIZES.get(kind, 1) * n
            value_at = pos + (12 if big else 8)
            if length > field_size:
                (value_at,) = struct.unpack_from(order + offset_fmt, data, value_at)
                end = max(end, value_at + length)
                if end > size:
                    raise _no_end("TIFF", f"the values of tag {tag} are cut off")
            fmt = _TIFF_INT_FORMATS.get(kind)
            interesting = tag in _TIFF_SUB_IFDS or any(tag in pair for pair in _TIFF_EXTENTS)
            if fmt and interesting:
                values[tag] = struct.unpack_from(f"{order}{n}{fmt}", data, value_at)
        for tag in _TIFF_SUB_IFDS:
            pending.extend(values.get(tag, ()))
        for offsets_tag, counts_tag in _TIFF_EXTENTS:
            for offset, length in zip(
                values.get(offsets_tag, ()), values.get(counts_tag, ()), strict=False
            ):
                end = max(end, offset + length)
        if end > size:
            raise _no_end("TIFF", "its image data is cut off")
        (following,) = struct.unpack_from(order + offset_fmt, data, next_at)
        pending.append(following)
    return end


_ENDS: dict[str, Callable[[bytes], int]] = {
    "PNG": _png_end,
    "JPEG": _jpeg_end,
    "WEBP": _webp_end,
    "GIF": _gif_end,
    "BMP": _bmp_end,
    "TIFF": _tiff_end,
}


def check_extent(fmt: str, data: bytes) -> None:
    """Raise Unreadable when an image of ``fmt`` (a key of FORMATS) lacks its end or has
    data after it. Runs wherever it is called: it only reads the structure, decodes no
    pixels."""
    label = _LABELS[fmt]
    try:
        end = _ENDS[fmt](data)
    except (struct.error, IndexError, ValueError, OverflowError, MemoryError):
        raise _no_end(label, "its structure does not hold together") from None
    extra = len(data) - end
    if extra > 0 and (extra > _PADDING or data[end:].strip(b"\0")):
        raise Unreadable(
            f"data follows the end of the {label} image (a hidden second file?): "
            f"{extra:,} bytes after it"
        )


# ---------------------------------------------------------------- PDF

_PDF_SPACE = rb"[\x00\t\n\x0c\r ]"
_PDF_TAIL = re.compile(rb"startxref" + _PDF_SPACE + rb"+\d+" + _PDF_SPACE + rb"*%%EOF\Z")
_QPDF_PREFIX = re.compile(r"^[^<]*<[^>]*>(?: \([^)]*\))?: ")  # "stream <BytesIO ...>: "

# What makes a PDF more than a document, in the user's words. An action's type (/S); an
# /OpenAction's is said with where it is:
_PDF_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "a /Launch action that starts a program or opens a file",
    "/SubmitForm": "a /SubmitForm action that sends form data away",
    "/ImportData": "an /ImportData action that loads data from a file",
    "/GoToR": "a /GoToR link that opens another file",
    "/GoToE": "a /GoToE link that opens an embedded file",
    "/Rendition": "a /Rendition action that plays media",
    "/Movie": "a /Movie action that plays media",
    "/Sound": "a /Sound action that plays sound",
    "/RichMediaExecute": "a /RichMediaExecute action that runs rich media",
}
# A key in any dictionary:
_PDF_KEYS = {
    "/JS": "JavaScript",
    "/AA": "/AA actions that run by themselves when a page or field is used",
    "/EmbeddedFiles": "embedded files (/EmbeddedFiles)",
    "/EF": "embedded files (/EmbeddedFiles)",
    "/XFA": "an XFA form (/XFA)",
    "/RichMediaContent": "rich media (/RichMedia)",
}
# An annotation's or object's /Subtype or /Type:
_PDF_KINDS = {
    "/FileAttachment": "a file attachment (/FileAttachment)",
    "/EmbeddedFile": "embedded files (/EmbeddedFiles)",
    "/RichMedia": "rich media (/RichMedia)",
    "/Movie": "media that plays (/Movie)",
    "/Sound": "media that plays (/Sound)",
    "/Screen": "media that plays (/Screen)",
    "/3D": "a 3D model (/3D), which may carry scripts",
}


def _qpdf_reason(exc: BaseException | str) -> str:
    """qpdf's message without the stream's name: what the user can be told."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return _QPDF_PREFIX.sub("", text, count=1)


def _pdf_active_content(pdf: Any) -> list[str]:
    """Each kind of active content found in any object, in the user's words."""
    import pikepdf

    found: dict[str, list[str]] = {}

    def add(what: str, where: str | None = None) -> None:
        wheres = found.setdefault(what, [])
        if where and where not in wheres:
            wheres.append(where)

    def name(value: Any) -> str | None:
        return str(value) if isinstance(value, pikepdf.Name) else None

    root = pdf.Root
    opening = root.get("/OpenAction")
    if isinstance(opening, pikepdf.Dictionary):
        kind = _PDF_ACTIONS.get(name(opening.get("/S")) or "")
        if kind or "/JS" in opening:
            add(kind or "JavaScript", "an /OpenAction")
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names:
        add("JavaScript", "document scripts in /Names")

    stack: list[Any] = list(pdf.objects)
    children: list[Any]
    while stack:
        obj = stack.pop()
        if isinstance(obj, pikepdf.Stream):
            obj = obj.stream_dict
        if isinstance(obj, pikepdf.Array):
            children = list(obj)
        elif isinstance(obj, pikepdf.Dictionary):
            keys = set(obj.keys())
            kind = _PDF_ACTIONS.get(name(obj.get("/S")) or "")
            if kind:
                add(kind)
            for key in keys & _PDF_KEYS.keys():
                add(_PDF_KEYS[key])
            for key in ("/Subtype", "/Type"):
                label = _PDF_KINDS.get(name(obj.get(key)) or "")
                if label:
                    add(label)
            children = [obj.get(key) for key in keys]
        else:
            continue
        stack.extend(
            c
            for c in children
            if isinstance(c, (pikepdf.Dictionary, pikepdf.Array)) and not c.is_indirect
        )
    return [what + (f" ({', '.join(where)})" if where else "") for what, where in found.items()]


def _inspect_pdf(data: bytes) -> Inspection:
    """Runs in the worker: a PDF must parse without repair, have a page and be inert."""
    last = data.rfind(b"%%EOF")
    if last < 0:
        raise Unreadable("the PDF is truncated (no end-of-file marker)")
    end = last + 5
    extra = len(data) - end
    if data[end:].strip(b"\x00\t\n\x0c\r "):
        raise Unreadable(
            f"data follows the end of the PDF (a hidden second file?): {extra:,} bytes "
            "after its last %%EOF"
        )
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data), attempt_recovery=False)
    except pikepdf.PasswordError:
        raise Unreadable(
            "the PDF is password-protected; save or print an unprotected copy first"
        ) from None
    except (pikepdf.PdfError, ValueError, RuntimeError) as exc:
        raise Unreadable(
            f"it does not parse as a PDF ({_qpdf_reason(exc)}): it is damaged, or another "
            "kind of file behind a PDF's first and last lines; if it is a real document, "
            "save or print it again as a PDF first"
        ) from None
    with pdf:
        if not _PDF_TAIL.search(data, max(0, end - 1024), end):
            raise Unreadable(
                "the PDF does not end as a PDF does (something sits between its last "
                "cross-reference pointer and %%EOF: a hidden second file?)"
            )
        try:
            pages = len(pdf.pages)
            active = _pdf_active_content(pdf)
        except (pikepdf.PdfError, ValueError, RuntimeError, TypeError) as exc:
            raise Unreadable(f"the PDF is damaged ({_qpdf_reason(exc)})") from None
        if active:
            raise Unreadable(
                f"the PDF carries {', '.join(active)}; save or print it as a plain PDF or "
                "an image first"
            )
        if pages < 1:
            raise Unreadable("the PDF has no pages")
        problems = pdf.get_warnings()
        if problems:
            raise Unreadable(
                f"the PDF is damaged ({_qpdf_reason(problems[0])}); save or print it again "
                "as a PDF first"
            )
    return Inspection("application/pdf", None, None, None)


# ---------------------------------------------------------------- in the worker


@contextlib.contextmanager
def _opened_image(data: bytes) -> Any:
    """Pillow's image of ``data`` under the bomb limit, its failures as Unreadable."""
    from PIL import Image, ImageFile, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow's notes on damage: the refusal says it
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as im:
                fmt = im.format or ""
                if fmt not in FORMATS:
                    raise Unreadable(
                        f"{fmt or 'this'} is not an accepted image type "
                        "(PNG, JPEG, WebP, GIF, BMP, TIFF, or PDF)"
                    )
                width, height = im.size
                if width * height > MAX_PIXELS:
                    raise Unreadable(
                        f"the image is {width}×{height} pixels, over the limit "
                        f"of {MAX_PIXELS:,}: refused as a possible "
                        "decompression bomb"
                    )
                yield im
        except Unreadable:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise Unreadable(
                f"the image is over the limit of {MAX_PIXELS:,} pixels: "
                "refused as a possible decompression bomb"
            ) from None
        except UnidentifiedImageError:
            raise Unreadable(
                "it is not an image of an accepted type (PNG, JPEG, WebP, GIF, BMP, TIFF) nor a PDF"
            ) from None
        except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
            raise Unreadable(f"the image is damaged or truncated ({exc})") from None
        except MemoryError:
            raise Unreadable("the image needs more memory than allowed to decode") from None


def _screen_modes(im: Any) -> Any:
    return im.convert("RGBA") if im.mode not in ("RGB", "RGBA", "L") else im


def _inspect(data: bytes) -> Inspection:
    """Runs in the worker process."""
    if data[:5] == b"%PDF-":
        return _inspect_pdf(data)
    with _opened_image(data) as im:
        fmt = im.format
        check_extent(fmt, data)
        width, height = im.size
        im.seek(0)
        im.load()  # decodes every byte of the first frame: truncation shows here
        thumb = _screen_modes(im).copy()
        thumb.thumbnail((THUMB_SIZE, THUMB_SIZE))
        out = io.BytesIO()
        thumb.save(out, "PNG")
        return Inspection(FORMATS[fmt], width, height, out.getvalue(), thumb.size[0], thumb.size[1])


def fit(width: int, height: int, max_pixels: int, max_side: int = VIEW_MAX_SIDE) -> tuple[int, int]:
    """The largest size of the same shape within ``max_pixels`` and ``max_side``."""
    scale = min(
        1.0, math.sqrt(max_pixels / max(width * height, 1)), max_side / max(width, height, 1)
    )
    if scale >= 1.0:
        return width, height
    return max(1, math.floor(width * scale)), max(1, math.floor(height * scale))


def _png_of(im: Any) -> bytes:
    out = io.BytesIO()
    im.save(out, "PNG", compress_level=1)  # made to be shown at once, not kept
    return out.getvalue()


def _render_pdf(data: bytes, max_pixels: int) -> Rendition:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise Unreadable(f"the PDF cannot be rendered ({exc})") from None
    try:
        pages = len(doc)
        if not pages:
            raise Unreadable("the PDF has no pages")
        page = doc[0]
        width, height = page.get_size()
        scale = min(
            PDF_VIEW_DPI / 72,
            math.sqrt(max_pixels / max(width * height, 1.0)),
            VIEW_MAX_SIDE / max(width, height, 1.0),
        )
        image = page.render(scale=scale).to_pil()
        return Rendition(
            _png_of(image), image.width, image.height, None, None, pages, dpi=round(scale * 72)
        )
    except pdfium.PdfiumError as exc:
        raise Unreadable(f"the PDF cannot be rendered ({exc})") from None
    finally:
        doc.close()


def _render(data: bytes, media_type: str, max_pixels: int) -> Rendition:
    """Runs in the worker process: the picture the viewer shows."""
    if media_type == "application/pdf":
        return _render_pdf(data, max_pixels)
    with _opened_image(data) as im:
        frames = int(getattr(im, "n_frames", 1) or 1)
        width, height = im.size
        target = fit(width, height, max_pixels)
        im.seek(0)
        if target != (width, height):
            im.draft(None, target)  # a JPEG decodes at 1/2, 1/4 or 1/8 when that is enough
        im.load()
        frame = _screen_modes(im)
        if frame.size != target:
            from PIL import Image

            frame = frame.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
        unit = "page" if im.format == "TIFF" else "frame"
        return Rendition(_png_of(frame), target[0], target[1], width, height, frames, unit)


def _limit_worker() -> None:
    if sys.platform.startswith("linux"):
        import resource

        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, WORKER_MEMORY))


_pool: cf.ProcessPoolExecutor | None = None
_lock = threading.Lock()


def _get_pool() -> cf.ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = cf.ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_limit_worker,
            )
        return _pool


def _reset_pool(kill: bool = True) -> None:
    """Stop the worker (killing it when it hangs or misbehaves); the next call starts one."""
    global _pool
    with _lock:
        if _pool is not None:
            procs = list((getattr(_pool, "_processes", None) or {}).values())
            if kill:
                for proc in procs:
                    proc.kill()
            _pool.shutdown(wait=not kill, cancel_futures=True)
            _pool = None


atexit.register(_reset_pool, kill=False)

T = TypeVar("T")


def _in_worker(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(*args)`` in the worker within its time limit; its failures as Unreadable."""
    try:
        return _get_pool().submit(fn, *args).result(timeout=DECODE_SECONDS)
    except Unreadable:
        raise
    except cf.TimeoutError:
        _reset_pool()
        raise Unreadable(f"decoding took longer than {DECODE_SECONDS} s and was stopped") from None
    except cf.process.BrokenProcessPool:
        _reset_pool()
        raise Unreadable(
            "the file made the decoder fail (the worker process was stopped); "
            "the file is damaged or hostile"
        ) from None
    except Exception as exc:  # noqa: BLE001 - a library tripped over hostile bytes: refuse
        raise Unreadable(
            f"the file could not be examined ({type(exc).__name__} in the decoder); "
            "it is damaged or hostile"
        ) from None


def inspect(data: bytes) -> Inspection:
    """Check and describe a file's bytes in the isolated worker; raise Unreadable."""
    if not data:
        raise Unreadable("the file is empty")
    return _in_worker(_inspect, data)


def render(data: bytes, media_type: str, max_pixels: int = VIEW_MAX_PIXELS) -> Rendition:
    """A PNG of stored bytes for the screen, at most ``max_pixels``, made in the isolated
    worker (page 1 of a PDF, the first frame of an image). Raises Unreadable when it
    cannot be made. It does not judge the file (intake did): an item stored before a
    check was added is still shown."""
    if not data:
        raise Unreadable("the stored file is empty")
    return _in_worker(_render, data, media_type, max_pixels)


def shutdown_worker() -> None:
    """Stop the decoder's worker process (at the end of the app)."""
    _reset_pool(kill=False)
