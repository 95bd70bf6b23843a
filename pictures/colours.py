"""The app's one colour scale: orange = output 0, class 0, negative; white = undecided, zero;
purple = output 1, class 1, positive. Classes are told apart by marker shape as well:
class 0 circles, class 1 squares (test points hollow)."""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.colors import ListedColormap, to_hex, to_rgb

# PuOr's outermost tenth is near-black brown and near-black violet: it would read as "dark"
# rather than as a hue, and would swallow the dark outlines and contour. So the app's scale
# is PuOr's inner range, sampled with an odd count so that the middle entry is its white.
_PUOR = matplotlib.colormaps["PuOr"]
DIVERGING = ListedColormap(_PUOR(np.linspace(0.1, 0.9, 257)), name="playground_PuOr")
CLASS0_HEX = to_hex(DIVERGING(0.0))   # orange: output 0, class 0, negative
CLASS1_HEX = to_hex(DIVERGING(1.0))   # purple: output 1, class 1, positive
MIDDLE_HEX = to_hex(DIVERGING(0.5))   # white: undecided, zero
INK_HEX = "#262626"                   # outlines, the 0.5 contour, the plot frame
# A field with markers on top is washed halfway to white, so that the markers, in full
# colour, stand out from it and a misclassified point shows against its region.
FIELD_STRENGTH = 0.5

LUT = np.round(DIVERGING(np.linspace(0.0, 1.0, DIVERGING.N))[:, :3] * 255).astype(np.uint8)
INK = np.array(to_rgb(INK_HEX)) * 255.0
CLASS_RGB = np.array([to_rgb(CLASS0_HEX), to_rgb(CLASS1_HEX)]) * 255.0


def washed(strength):
    """The scale washed toward white: 1 is full colour, 0 all white."""
    if strength == 1.0:
        return LUT
    return np.round(255.0 - (255.0 - LUT) * strength).astype(np.uint8)


FIELD_LUT = washed(FIELD_STRENGTH)


def colour(values, lut):
    """Values in 0..1 (clipped) -> RGB uint8 through `lut`."""
    index = np.clip(values, 0.0, 1.0) * np.float32(len(lut) - 1) + np.float32(0.5)
    return np.take(lut, index.astype(np.intp), axis=0)


def output_colours(values, strength=1.0):
    """Values in 0..1 (clipped; NaN counts as 0.5) -> RGB uint8, shape values.shape + (3,)."""
    values = np.nan_to_num(np.asarray(values, dtype=np.float32), nan=0.5)
    return colour(values, washed(strength))


def signed_colours(values, limit, strength=1.0):
    """Values in -limit..limit (clipped) -> RGB uint8; 0 is white. limit <= 0 gives white."""
    scale = 0.5 / limit if limit > 0 else 0.0
    return output_colours(np.asarray(values, dtype=float) * scale + 0.5, strength)
