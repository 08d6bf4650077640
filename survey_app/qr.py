"""QR codes of participant links, as scalable SVG."""

from __future__ import annotations

import qrcode
from qrcode.compat.etree import ET
from qrcode.image.svg import SvgPathFillImage


def qr_svg(data: str, title: str = "") -> str:
    """An SVG QR code of `data`: one path on white, sized only by its viewBox.

    Why no width/height: the library writes a fixed size in millimetres (a few cm); with
    only a viewBox the code scales to whatever holds it, a printed A4 page or a projector.
    Medium error correction survives a smudged printout or a glare spot on a wall.
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    root = code.make_image(image_factory=SvgPathFillImage).get_image()
    for attribute in ("width", "height"):
        root.attrib.pop(attribute, None)
    root.set("role", "img")
    # No anti-aliased seams between neighbouring modules when scaled up.
    root.set("shape-rendering", "crispEdges")
    if title:
        label = ET.Element("title")
        label.text = title
        root.insert(0, label)
    svg: str = ET.tostring(root, encoding="unicode")
    return svg
