"""RGB arrays and matplotlib figures to PNG bytes, and frames to an animated PNG (Pillow)."""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

# Level 1: the frames are smooth fields that compress well at once; higher levels cost
# more time than they save bytes.
COMPRESSION = 1


def encode(rgb):
    """(H, W, 3) uint8 -> PNG bytes."""
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8)).save(
        out, format="PNG", compress_level=COMPRESSION)
    return out.getvalue()


def figure(fig):
    """Render a Figure once, at its own dpi, to PNG bytes (opaque figures; no tight bbox)."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return encode(np.asarray(canvas.buffer_rgba())[:, :, :3])


def animated(rgbs, seconds_per_frame=0.25, pause_at_end=1.5):
    """Same-sized (H, W, 3) uint8 frames as one looping animated PNG, played by the browser."""
    frames = [Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8)) for rgb in rgbs]
    durations = [round(seconds_per_frame * 1000)] * (len(frames) - 1) + [round(pause_at_end * 1000)]
    out = io.BytesIO()
    frames[0].save(out, format="PNG", save_all=True, append_images=frames[1:], loop=0,
                   duration=durations, default_image=False, compress_level=COMPRESSION,
                   disposal=0, blend=0)
    return out.getvalue()
