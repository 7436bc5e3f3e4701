"""QR codes as SVG (segno: pure Python, no image library), for an activity's shared evaluation
link: shown on the room's screen or printed on the agenda. Used by the workspace's results page
(web/staff/outcome.py) and the operator's command (``ops evaluation room --qr``); segno is in
the Lambda package (requirements.txt), imported on use only."""

from __future__ import annotations

import io


def qr_svg(url: str, scale: int = 8) -> str:
    """The QR code of ``url`` as a standalone SVG document (error correction M: a printed code
    still reads with a corner smudged)."""
    # segno (about 30 ms to import) is needed by the QR code's route and command only.
    import segno

    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=scale, border=4, xmldecl=False, title="QR code", nl=False)
    return out.getvalue().decode("utf-8")
