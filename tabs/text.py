"""Text a visitor supplied (a link value, an architecture, a file's name or cells), made safe
to show inside Streamlit's Markdown: shown as the characters typed, never as a link, an
image, HTML, a code span, emphasis or maths."""

from __future__ import annotations

import string

# CommonMark lets a backslash escape every ASCII punctuation character, which then stands
# for itself: no link, image, tag, entity, code span, emphasis or $maths$ can start.
_ESCAPES = {ord(c): "\\" + c for c in string.punctuation}


def escaped(text):
    """`text` as Markdown that renders exactly these characters on one line."""
    return " ".join(str(text).split()).translate(_ESCAPES)
