"""Invented screenshots of social-media posts for the demonstration cases."""

from __future__ import annotations

import io
import textwrap

from PIL import Image, ImageDraw, ImageFont

PLATFORM_COLOURS = {
    "Facebook": "#1877f2",
    "Instagram": "#c13584",
    "X (Twitter)": "#111111",
    "TikTok": "#010101",
    "Reddit": "#ff4500",
    "Nextdoor": "#00b246",
}


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def post_screenshot(platform: str, author: str, text: str, when: str) -> bytes:
    """A PNG that looks like a captured post: header bar, author, text, time, reactions."""
    width, height = 900, 560
    im = Image.new("RGB", (width, height), "#f0f2f5")
    d = ImageDraw.Draw(im)
    colour = PLATFORM_COLOURS.get(platform, "#444444")
    d.rectangle([0, 0, width, 64], fill=colour)
    d.text((24, 16), platform, fill="white", font=_font(28))
    d.rounded_rectangle(
        [40, 96, width - 40, height - 40], radius=14, fill="white", outline="#d0d3d8"
    )
    d.ellipse([64, 120, 120, 176], fill="#9aa4b1")
    d.text((136, 124), author, fill="#050505", font=_font(24))
    d.text((136, 154), when + " · Public", fill="#65676b", font=_font(18))
    y = 200
    for line in textwrap.wrap(text, 62)[:8]:
        d.text((64, y), line, fill="#050505", font=_font(22))
        y += 32
    d.line([64, height - 110, width - 64, height - 110], fill="#e4e6eb", width=2)
    d.text((64, height - 96), "Like        Comment        Share", fill="#65676b", font=_font(20))
    d.text(
        (64, height - 70), "27 reactions · 9 comments · 3 shares", fill="#65676b", font=_font(18)
    )
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()
