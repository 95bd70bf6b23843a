"""Text a visitor supplied (a link value, an architecture, a file's name or cells), made safe
to show inside Streamlit's Markdown: shown as the characters typed, never as a link, an
image, HTML, a code span, emphasis or maths."""

from __future__ import annotations

import re
import string

# CommonMark lets a backslash escape every ASCII punctuation character, which then stands
# for itself: no link, image, tag, entity, code span, emphasis or $maths$ can start.
_ESCAPES = {ord(c): "\\" + c for c in string.punctuation}
# GitHub-flavoured Markdown also links bare URLs (http://, www.) and e-mail addresses, even
# escaped; an invisible word joiner after the scheme or before the @ stops it.
_AUTOLINK = re.compile(r"(?i)(https?|ftp|mailto|xmpp|www)(?=[:.])|(?=@)")
WORD_JOINER = "\u2060"


def escaped(text):
    """`text` as Markdown that renders exactly these characters on one line."""
    text = _AUTOLINK.sub(lambda m: (m.group(1) or "") + WORD_JOINER, " ".join(str(text).split()))
    return text.translate(_ESCAPES)
