"""Evidence as it comes in: files picked or dropped, and pasted images.

A pasted image is stored as a lossless PNG of it, and that is what is hashed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage, QImageWriter

from ia_desk.services.evidence import EvidenceInput

IMAGE_FILTER = "Screenshots (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff *.pdf)"


def clipboard_png(image: QImage) -> bytes:
    """A pasted image as lossless PNG bytes (what is stored and hashed)."""
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    # QImageWriter, as QImage.save does: PySide6's stubs and binding disagree on save()'s
    # format argument (the stubs say bytes, the binding takes only str).
    QImageWriter(buf, b"PNG").write(image)
    buf.close()
    return bytes(data.data())


def clipboard_name() -> str:
    return f"clipboard-{dt.datetime.now():%Y%m%d-%H%M%S}.png"


def read_files(paths: list[str], method: str) -> list[EvidenceInput]:
    items = []
    for p in paths:
        path = Path(p)
        items.append(EvidenceInput(data=path.read_bytes(), file_name=path.name, method=method))
    return items
