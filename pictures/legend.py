"""The app's one colour legend, as a small SVG: one scale for output, class and sign."""

from __future__ import annotations

from pictures.colours import CLASS0_HEX, CLASS1_HEX, FIELD_STRENGTH, INK_HEX, washed

STOPS = 9   # gradient stops along the bar
ENDS = (("0 · class 0 ●", "negative"), ("0.5 · undecided", "zero"), ("1 · class 1 ■", "positive"))


def _hex(rgb):
    return "#" + "".join(f"{int(v):02x}" for v in rgb)


def legend_svg(width=300):
    """The colour scale from orange (output 0, class 0, a negative weight) through white
    (undecided, zero) to purple (output 1, class 1, positive), as the pictures use it."""
    lut = washed(FIELD_STRENGTH)
    stops = "".join(
        f'<stop offset="{i / (STOPS - 1):.3f}" '
        f'stop-color="{_hex(lut[round(i / (STOPS - 1) * (len(lut) - 1))])}"/>'
        for i in range(STOPS))
    bar, top, height = width - 16, 4, 12
    labels = []
    for (above, below), x, anchor in zip(ENDS, (8, width / 2, width - 8),
                                         ("start", "middle", "end")):
        labels.append(f'<text x="{x:g}" y="{top + height + 15}" text-anchor="{anchor}">'
                      f'{above}</text>'
                      f'<text x="{x:g}" y="{top + height + 31}" text-anchor="{anchor}">'
                      f'{below}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{top + height + 36}" '
            f'viewBox="0 0 {width} {top + height + 36}" font-family="DejaVu Sans, sans-serif" '
            f'font-size="13" fill="{INK_HEX}">'
            f'<defs><linearGradient id="scale">{stops}</linearGradient></defs>'
            f'<rect x="8" y="{top}" width="{bar}" height="{height}" fill="url(#scale)" '
            f'stroke="#bdbdbd"/>'
            f'<rect x="8" y="{top}" width="{bar * 0.06:.1f}" height="{height}" '
            f'fill="{CLASS0_HEX}"/>'
            f'<rect x="{8 + bar * 0.94:.1f}" y="{top}" width="{bar * 0.06:.1f}" '
            f'height="{height}" fill="{CLASS1_HEX}"/>'
            + "".join(labels) + "</svg>")

