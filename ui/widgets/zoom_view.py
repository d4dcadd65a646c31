"""A picture with wheel zoom and drag to pan, fitted to the window until the user zooms."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView


class ZoomView(QGraphicsView):
    """An image with wheel zoom and drag to pan."""

    def __init__(self) -> None:
        super().__init__()
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.scene_ = QGraphicsScene(self)
        self.setScene(self.scene_)
        self.item: QGraphicsPixmapItem | None = None
        self.auto_fit = True  # until the user zooms, the image follows the window's size

    def set_image(self, image: QImage) -> bool:
        """Show a picture already decoded (from the core's rendition, never an original)."""
        self.scene_.clear()
        self.item = None
        if image.isNull():
            return False
        self.item = self.scene_.addPixmap(
            QPixmap.fromImage(image, Qt.ImageConversionFlag.NoOpaqueDetection)
        )
        self.fit()
        return True

    def fit(self) -> None:
        self.auto_fit = True
        if self.item is not None:
            self.fitInView(self.item, Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.auto_fit:
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        self.zoom(1.25 if event.angleDelta().y() > 0 else 0.8)

    def zoom(self, factor: float) -> None:
        self.auto_fit = False
        self.scale(factor, factor)
