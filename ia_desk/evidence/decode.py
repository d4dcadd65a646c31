"""Looking inside untrusted files safely.

Image decoding runs in a separate worker process with a memory limit and a time limit,
so a hostile file (a decompression bomb, a file crafted against an image library) can
at worst kill that worker, never the app. The worker answers with plain data: the
detected type, the pixel size and a small PNG thumbnail. Nothing is written to disk.

Accepted: PNG, JPEG, WebP, GIF (first frame), BMP, TIFF; PDF captures as documents
(checked for their header and trailer, not rendered).
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import contextlib
import io
import multiprocessing
import sys
import threading
import warnings
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Inspection:
    media_type: str
    width: int | None
    height: int | None
    thumbnail: bytes | None  # PNG
    thumb_width: int | None = None
    thumb_height: int | None = None


class Unreadable(Exception):
    """The file is not an acceptable, intact image or PDF; the message says why."""


def _inspect(data: bytes) -> Inspection:
    """Runs in the worker process."""
    if data[:5] == b"%PDF-":
        if b"%%EOF" not in data[-2048:]:
            raise Unreadable("the PDF is truncated (no end-of-file marker)")
        return Inspection("application/pdf", None, None, None)
    from PIL import Image, ImageFile, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with warnings.catch_warnings():
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
                im.seek(0)
                im.load()  # decodes every byte of the first frame: truncation shows here
                frame = im.convert("RGBA") if im.mode not in ("RGB", "RGBA", "L") else im
                thumb = frame.copy()
                thumb.thumbnail((THUMB_SIZE, THUMB_SIZE))
                out = io.BytesIO()
                thumb.save(out, "PNG")
                return Inspection(
                    FORMATS[fmt], width, height, out.getvalue(), thumb.size[0], thumb.size[1]
                )
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
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise Unreadable(f"the image is damaged or truncated ({exc})") from None
        except MemoryError:
            raise Unreadable("the image needs more memory than allowed to decode") from None


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


def inspect(data: bytes) -> Inspection:
    """Check and describe a file's bytes in the isolated worker; raise Unreadable."""
    if not data:
        raise Unreadable("the file is empty")
    try:
        return _get_pool().submit(_inspect, data).result(timeout=DECODE_SECONDS)
    except Unreadable:
        raise
    except cf.TimeoutError:
        _reset_pool()
        raise Unreadable(f"decoding took longer than {DECODE_SECONDS} s and was stopped") from None
    except cf.process.BrokenProcessPool:
        _reset_pool()
        raise Unreadable(
            "the image made the decoder fail (the worker process was stopped); "
            "the file is damaged or hostile"
        ) from None


def shutdown_worker() -> None:
    """Stop the decoder's worker process (at the end of the app)."""
    _reset_pool(kill=False)
