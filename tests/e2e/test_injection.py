"""Text a visitor supplies never becomes Markdown or HTML: links, CSV file names and cells.

Every payload points at a tiny HTTP server of the test's own on 127.0.0.1 (the trap): if any
payload became an image, the browser would fetch it there; if it became a link, the page
would hold an <a> to it. Each page is checked at once, when its script run has finished, and
all of a page's problems are reported together.

The link carries a payload in every linked setting (arch, lr, dataset, seed and the rest), a
different one per setting, so that over the pages every setting gets every payload. A CSV
file's name is shown from its last slash on (the app drops folders) and quoted cells are
clipped to 20 characters, so the file checks compare with what the engine itself says.
"""

import csv
import io
import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, urlencode

import pytest

import data
from runs import KEYS

pytestmark = pytest.mark.e2e

SIDEBAR = '[data-testid="stSidebar"]'
MAIN = '[data-testid="stMain"]'
ALERT = '[data-testid="stAlert"]'
CAPTION = '[data-testid="stCaptionContainer"]'
URL_ATTRIBUTES = ("href", "src", "srcset", "action", "formaction", "poster", "data", "style",
                  "xlink:href", "background")
# Every element whose URL-bearing attribute mentions the trap, as "tag attribute=value".
POINTING_AT = """([host, names]) => [...document.querySelectorAll('*')].flatMap(element =>
    names.map(name => [name, element.getAttribute(name)])
         .filter(([, value]) => value && value.includes(host))
         .map(([name, value]) => `<${element.tagName.toLowerCase()} ${name}="${value}">`))"""


class Trap(ThreadingHTTPServer):
    """Records the path of every request it gets; answers 204 No Content."""

    daemon_threads = True

    def __init__(self):
        self.requests = []
        super().__init__(("127.0.0.1", 0), _Recorder)

    @property
    def host(self):
        return f"127.0.0.1:{self.server_address[1]}"


class _Recorder(BaseHTTPRequestHandler):
    def do_GET(self):   # the names are http.server's
        self.server.requests.append(self.path)
        self.send_response(204)
        self.end_headers()

    do_POST = do_HEAD = do_GET   # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def trap():
    server = Trap()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
    assert server.requests == [], f"the browser fetched {server.requests} from the trap"


LINK = 1   # the index of the Markdown link among the payloads


def payloads(host):
    """Markdown and HTML a visitor might type, each pointing at `host` where it can (the last
    two are what GitHub-flavoured Markdown turns into links without any http://)."""
    base = f"http://{host}"
    return [f"![]({base}/pixel.png)", f"[click me]({base}/phish)", f"<img src={base}/img.png>",
            f'<a href="{base}/a">a</a>', "`code`", "**bold**", "$x^2$", ":red[red]",
            f"{base}/bare", "www.trap.example/login", "someone@trap.example"]


def plain(text):
    """Text as read: one line, without the invisible word joiners the app puts where Markdown
    would otherwise turn a URL or an e-mail address into a link."""
    return " ".join(text.replace("\u2060", "").split())


def problems_on(page, trap):
    """Whatever on the page shows that a payload became Markdown or HTML (a list of sentences)."""
    found = []
    for area in (MAIN, SIDEBAR):
        for tag, attribute in (("a", "href"), ("img", "src")):
            count = page.locator(f'{area} {tag}[{attribute}*="{trap.host}"]').count()
            if count:
                found.append(f"{count} <{tag}> in {area} with a {attribute} to the trap")
    pointing = Counter(page.evaluate(POINTING_AT, [trap.host, list(URL_ATTRIBUTES)]))
    found += [f"{count} × {element} points at the trap" for element, count in pointing.items()]
    # The payloads' own words in alerts and captions anywhere; anything made at all in the
    # sidebar's, where visitors' text is shown (the app's own alerts elsewhere may hold maths).
    checks = [(shown, selector, has_text, what)
              for shown in (ALERT, CAPTION)
              for selector, has_text, what in (("code", "code", "a code span"),
                                               ("strong, b", "bold", "bold text"),
                                               ("em, i", "bold", "emphasis"))]
    checks += [(f"{SIDEBAR} {shown}", selector, None, what)
               for shown in (ALERT, CAPTION)
               for selector, what in ((".katex", "maths"), ("img", "an image"), ("a", "a link"))]
    for shown, selector, has_text, what in checks:
        made = page.locator(f"{shown} :is({selector})", has_text=has_text) \
            .evaluate_all("elements => elements.map(element => element.outerHTML)")
        if made:
            found.append(f"{len(made)} × {what} inside {shown}: {', '.join(made)}")
    if trap.requests:
        found.append(f"the trap got requests: {trap.requests}")
    return found


# --- through the link -------------------------------------------------------------------------

def rotations(count):
    """Page i gives key k the payload (i + k) % count: over all pages, every key gets each."""
    return [[(i + k) % count for k in range(len(KEYS))] for i in range(count)]


def shown_in_link_warning(text, key):
    """The value the warning quotes for `key` ("“key=value” in the link was ignored: ...")."""
    match = re.search(f"“{re.escape(key)}=(.*?)” in the link was ignored", text)
    return None if match is None else match.group(1)


@pytest.mark.parametrize("page_number", range(len(payloads("host"))))
def test_payloads_in_the_link_are_shown_as_typed(app, trap, page_number):
    texts = payloads(trap.host)
    chosen = {key: texts[index] for key, index in zip(KEYS, rotations(len(texts))[page_number])}
    page = app.open("?" + urlencode(chosen, quote_via=quote)).page
    warnings = page.locator(f"{SIDEBAR} {ALERT}").all_inner_texts()
    found = problems_on(page, trap)
    for key, payload in chosen.items():
        mine = [plain(text) for text in warnings if f"“{key}=" in text]
        if len(mine) != 1:
            found.append(f"{key}={payload!r}: {len(mine)} warnings quote it, not 1: {warnings}")
            continue
        shown = shown_in_link_warning(mine[0], key)
        # The warning may shorten a long value, never change it.
        if shown is None or not payload.startswith(shown.removesuffix("…")) \
                or len(shown) < min(len(payload), 30):
            found.append(f"{key}={payload!r}: the warning shows {mine[0]!r}")
        if key == "arch" and f"“{payload}”" not in mine[0]:   # the reason quotes all of it
            found.append(f"arch={payload!r}: the reason does not quote it: {mine[0]!r}")
    assert found == [], "\n".join(found)
    app.assert_healthy()


# --- through a CSV file -----------------------------------------------------------------------

def named(content, name):
    """The bytes as the engine reads an uploaded file (with its name)."""
    file = io.BytesIO(content)
    file.name = name
    return file


def csv_bytes(rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([["x1", "x2", "label"], *rows])
    return out.getvalue().encode()


def good_file(payload):
    """Six points, half of them labelled with the payload (the caption quotes both labels)."""
    return csv_bytes([[0, 0, payload], [1, 1, payload], [0, 1, "other"], [1, 0, "other"],
                      [2, 2, payload], [2, 0, "other"]])


def bad_file(payload):
    """Line 3's x2 is the payload: the error quotes it."""
    return csv_bytes([[0, 0, 0], [1, payload, 1], [2, 2, 0]])


def expected_caption(content, name):
    dataset = data.read_csv(named(content, name))
    return plain(" ".join([f"{dataset.name}: {dataset.n:,} points.", *dataset.notes]))


def expected_error(content, name):
    with pytest.raises(ValueError) as error:
        data.read_csv(named(content, name))
    return plain(f"This file cannot be used: {error.value} The previous data and run are kept.")


def upload(app, content, name):
    app.upload({"name": name, "mimeType": "text/csv", "buffer": content})


def test_payloads_in_a_csv_file_name_and_cells_are_shown_as_typed(app, trap):
    page = app.open().page
    sidebar = page.locator(SIDEBAR)
    found = []
    for payload in payloads(trap.host):
        name = payload + ".csv"
        content = good_file(payload)
        upload(app, content, name)
        captions = [plain(text) for text in sidebar.locator(CAPTION).all_inner_texts()
                    if " points." in text]
        if captions != [expected_caption(content, name)]:
            found.append(f"file {name!r}: captions {captions}, expected "
                         f"{[expected_caption(content, name)]}")
        found += [f"file {name!r}: {problem}" for problem in problems_on(page, trap)]

        content = bad_file(payload)
        upload(app, content, name)
        errors = [plain(text) for text in sidebar.locator(ALERT).all_inner_texts()
                  if "This file cannot be used" in text]
        if errors != [expected_error(content, name)]:
            found.append(f"cell {payload!r}: errors {errors}, expected "
                         f"{[expected_error(content, name)]}")
        found += [f"cell {payload!r}: {problem}" for problem in problems_on(page, trap)]
    # The engine shortens a quoted cell to 20 characters; the link's is still recognisable.
    shown = expected_error(bad_file(payloads(trap.host)[LINK]), "x.csv")
    assert "[click me](http" in shown, shown

    # A file whose name holds every payload without a slash (a name loses what is before
    # one), trained on: the run's pictures and texts show nothing of it either.
    name = " ".join(p for p in payloads(trap.host) if "/" not in p) + ".csv"
    upload(app, good_file(payloads(trap.host)[LINK]), name)
    app.train()
    found += [f"trained on {name!r}: {problem}" for problem in problems_on(page, trap)]
    assert found == [], "\n".join(found)
    app.assert_healthy()
