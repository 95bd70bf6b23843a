"""tabs/text.escaped: visitor text shown in Markdown exactly as typed, never as markup."""

import re
import string

from hypothesis import given
from hypothesis import strategies as st

from tabs.text import WORD_JOINER, escaped

UNESCAPED_PUNCTUATION = re.compile(r"(?<!\\)[" + re.escape(string.punctuation) + "]")


def unescaped(markdown):
    """What a reader sees: backslash escapes resolved, word joiners invisible."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(WORD_JOINER, "")


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_any_text_reads_back_as_typed_on_one_line(text):
    assert unescaped(escaped(text)) == " ".join(text.split())


@given(st.text(alphabet=string.printable, max_size=80))
def test_no_punctuation_is_left_for_markdown_to_act_on(text):
    markdown = escaped(text)
    stripped = re.sub(r"\\.", "", markdown)
    assert not UNESCAPED_PUNCTUATION.search(stripped)


def test_bare_urls_and_addresses_are_kept_from_becoming_links():
    for text in ("http://host/x", "HTTPS://host", "www.host.example", "me@host.example",
                 "mailto:me@host", "ftp://host"):
        markdown = escaped(text).replace("\\", "")
        assert not re.search(r"(?i)(https?|ftp|mailto|www)[:.]", markdown), markdown
        assert "@" not in markdown or WORD_JOINER + "@" in markdown


def test_ordinary_words_are_left_alone():
    assert escaped("the wwwx thing and http in a sentence") == \
        "the wwwx thing and http in a sentence"
