"""A browser tab without the browser: one Streamlit session driven over the app's own websocket.

`await Session.open(url, query)` does what a fresh tab on `url/?query` does: it asks
/_stcore/health and /_stcore/host-config, opens ws://.../_stcore/stream (subprotocol
"streamlit", no cookies: XSRF only guards login cookies, which the app does not use), sends a
`rerun_script` BackMsg with the link's query string and waits for the first run to finish.
The ForwardMsgs that come back are kept as the page keeps them: every element by its delta
path, a block redrawn with the same type keeping its children, and at the end of a run the
elements it did not redraw removed (a fragment run removes them inside its fragment only).
`click(key)` presses a button and waits until the session is idle again.

Like the browser it sends on every rerun the query string the app last wrote
(page_info_changed), the page's script hash, the value of every widget on the page (as the
element protos last set it: the server resends a value only when the script sets it) and the
hashes of the cacheable messages it keeps, which the server answers with `ref_hash` references
to them.

It parses the protobuf envelopes and reads only the fields it reports (widget ids and values,
metric values, text bodies, media URLs); it never decodes Arrow tables, charts or pictures.
With `fetch_media=True` it GETs each /media URL of st.image and st.download_button once per
session as they arrive, as the browser does, so the server's cost of serving them is counted;
it does not fetch the static JS, CSS and fonts (a browser has them cached after one visit),
nor send heartbeats or reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedOK

ROOTS = 4   # the page's containers: main, sidebar, event, bottom
DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
        ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}   # no rerun follows these
CLEARS = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
TEXTS = {"markdown", "alert", "heading", "text"}   # elements whose `body` is their text
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class MissingButtonError(LookupError):
    """No button with that key among the page's elements."""


def _chosen(proto, options):
    """A select widget's value as the browser sends it: its formatted option(s)."""
    if proto.set_value:
        return proto.raw_value if proto.HasField("raw_value") else None
    return options[proto.default] if proto.HasField("default") else None


def _chosen_list(proto, options):
    return list(proto.raw_values) if proto.set_value else [options[i] for i in proto.default]


def _typed(proto):
    if proto.set_value:
        return proto.value if proto.HasField("value") else None
    return proto.default if proto.HasField("default") else None


def _slider(proto):
    if proto.type == proto.SELECT_SLIDER:
        return "string_array_value", (list(proto.raw_value) if proto.set_value else
                                      [proto.options[int(i)] for i in proto.default])
    return "double_array_value", list(proto.value if proto.set_value else proto.default)


def _number(proto):
    value = _typed(proto)
    if proto.data_type == proto.INT:
        return "int_value", None if value is None else int(value)
    return "double_value", value


# Element type -> its value as the browser holds it: (WidgetState field, value or None).
# Buttons are left out: they send a trigger only when pressed; so are widgets this app lacks.
WIDGET_VALUES = {
    "text_input": lambda w: ("string_value", _typed(w)),
    "text_area": lambda w: ("string_value", _typed(w)),
    "selectbox": lambda w: ("string_value", _chosen(w, w.options)),
    "radio": lambda w: ("string_value", _chosen(w, w.options)),
    "multiselect": lambda w: ("string_array_value", _chosen_list(w, w.options)),
    "button_group": lambda w: ("string_array_value",
                               _chosen_list(w, [option.content for option in w.options])),
    "checkbox": lambda w: ("bool_value", w.value if w.set_value else w.default),
    "number_input": _number,
    "slider": _slider,
    "file_uploader": lambda w: ("file_uploader_state_value", ()),
}


def _set(state, name, value):
    """Put `value` in the WidgetState field `name` (a scalar, an array or a message)."""
    if name == "file_uploader_state_value":
        state.file_uploader_state_value.SetInParent()
    elif name.endswith("_array_value"):
        getattr(state, name).data.extend(value)
    else:
        setattr(state, name, value)


@dataclass(frozen=True)
class Element:
    """One element on the page: where it is, its type ("button", "metric", ...), its proto."""

    path: tuple[int, ...]
    type: str
    proto: object
    fragment_id: str = ""

    @property
    def id(self):
        """A widget's element id ("" for other elements)."""
        return getattr(self.proto, "id", "")

    @property
    def key(self):
        """A keyed widget's user key (its element id ends with it), else None."""
        key = self.id.split("-", maxsplit=2)[-1] if self.id else "None"
        return None if key == "None" else key


@dataclass
class _Leaf:
    element_type: str
    proto: object
    run: str
    fragment: str


@dataclass
class _Block:
    type: str
    run: str
    fragment: str = ""
    block_id: str = ""
    children: list = field(default_factory=list)


def _without_stale(node, run, fragments, inside=None):
    """`node` without what the run `run` did not draw (the browser's rule), or None."""
    if isinstance(node, _Leaf):
        kept = node.run == run or bool(fragments and (not node.fragment or inside is None))
        return node if kept else None
    if fragments:
        if inside is not None and node.run != run:
            return None
        if node.fragment in fragments and node.run == run:
            inside = node.fragment
    elif node.run != run:
        return None
    node.children = [kept for child in node.children
                     if (kept := _without_stale(child, run, fragments, inside)) is not None]
    return node


def _walk(block, path):
    for index, child in enumerate(block.children):
        if isinstance(child, _Leaf):
            yield Element((*path, index), child.element_type, child.proto, child.fragment)
        else:
            yield from _walk(child, (*path, index))


def _get(url):
    """GET `url`; the size of the body, or None if the server has no such file."""
    try:
        with NO_PROXY.open(url, timeout=120) as answer:
            return len(answer.read())
    except urllib.error.HTTPError:
        return None


class Session:
    """One browser-less session of the app; open it with `await Session.open(url, query)`."""

    def __init__(self, url, fetch_media=True):
        self.url = url.rstrip("/")
        self.fetch_media = fetch_media
        self.media_fetched = 0    # /media files read, and their bytes
        self.media_bytes = 0
        self.media_missing = 0    # /media URLs the server no longer had
        self._roots = [_Block("root", "") for _ in range(ROOTS)]
        self._values = {}         # widget id -> (WidgetState field, value)
        self._cache = {}          # message hash -> [ForwardMsg, run count when last used]
        self._cache_runs = 0
        self._max_cache_age = 2
        self._query = ""
        self._page_hash = ""
        self._run = ""            # id of the latest run started
        self._started = 0         # runs started so far
        self._finished = 0        # value of _started when a run last ended for good
        self._running = False
        self._changed = asyncio.Event()
        self._seen_media = set()
        self._fetches = set()
        self._ws = None
        self._reader = None
        self._failure = None

    @classmethod
    async def open(cls, url, query=None, *, fetch_media=True, timeout=300.0):
        """A session on `url/?query`, its first script run finished (and with fetch_media,
        its pictures fetched)."""
        session = cls(url, fetch_media)
        try:
            await session._connect(urlencode(query or {}), timeout)
        except BaseException:
            if session._ws is not None:
                await session.close()
            raise
        return session

    async def _connect(self, query, timeout):
        for check in ("health", "host-config"):   # what the page asks before it connects
            await asyncio.to_thread(_get, f"{self.url}/_stcore/{check}")
        parts = urlsplit(self.url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        # No pings of our own (a browser sends none), no limit on a message's size.
        self._ws = await connect(f"{scheme}://{parts.netloc}{parts.path}/_stcore/stream",
                                 subprotocols=["streamlit"], origin=self.url, proxy=None,
                                 ping_interval=None, max_size=None, open_timeout=timeout)
        self._reader = asyncio.create_task(self._read())
        self._query = query
        await self._rerun(WidgetStates())
        await self._idle(0, timeout, "the first script run")
        await asyncio.gather(*self._fetches)

    async def close(self):
        await self._ws.close()
        await self._reader
        await asyncio.gather(*self._fetches, return_exceptions=True)

    # --- what the page shows ---------------------------------------------------------------

    @property
    def query(self):
        """The page's link settings, as the app last wrote them into the link."""
        return dict(parse_qsl(self._query))

    def elements(self):
        """Every element on the page, in page order (main, sidebar, event, bottom)."""
        return [element for index, root in enumerate(self._roots)
                for element in _walk(root, (index,))]

    def widgets(self):
        """The page's widgets (elements with an element id)."""
        return [element for element in self.elements() if element.id]

    def metric(self, label):
        """The value text of the st.metric labelled `label`, or None."""
        return next((element.proto.body for element in self.elements()
                     if element.type == "metric" and element.proto.label == label), None)

    def texts(self):
        """The bodies of the page's markdown, captions, alerts, headings and st.text."""
        return [element.proto.body for element in self.elements() if element.type in TEXTS]

    # --- what a student does ---------------------------------------------------------------

    async def click(self, key, timeout=300.0):
        """Press the button with user key `key` and wait until the session is idle again;
        returns the seconds from sending the click to the end of the last run it started.
        With fetch_media, the pictures of the run are fetched before it returns."""
        buttons = [element for element in self.elements() if element.type == "button"]
        button = next((element for element in buttons if element.key == key), None)
        if button is None:
            shown = ", ".join(element.key or "(no key)" for element in buttons) or "none"
            raise MissingButtonError(f"No button with key {key!r} on the page (its "
                                     f"buttons: {shown}).")
        if button.proto.disabled:
            raise ValueError(f"The button {key!r} is disabled: a student cannot press it.")
        states = self._widget_states()
        trigger = states.widgets.add()
        trigger.id, trigger.trigger_value = button.id, True
        started = self._started
        start = time.perf_counter()
        await self._rerun(states, button.fragment_id)
        await self._idle(started, timeout, f"the run that {key!r} started")
        seconds = time.perf_counter() - start
        await asyncio.gather(*self._fetches)
        return seconds

    def _widget_states(self):
        states = WidgetStates()
        for widget_id, (name, value) in self._values.items():
            state = states.widgets.add()
            state.id = widget_id
            _set(state, name, value)
        return states

    async def _rerun(self, widget_states, fragment_id=""):
        message = BackMsg()
        client = message.rerun_script
        client.query_string = self._query
        client.widget_states.CopyFrom(widget_states)
        client.page_script_hash = self._page_hash
        client.fragment_id = fragment_id
        client.cached_message_hashes.extend(self._cache)
        context = client.context_info
        context.timezone, context.timezone_offset, context.locale = "UTC", 0, "en-US"
        context.url, context.is_embedded, context.color_scheme = f"{self.url}/", False, "light"
        await self._ws.send(message.SerializeToString())

    async def _idle(self, started, timeout, what):
        """Wait until a run started after `started` runs has ended and no other followed."""
        deadline = time.monotonic() + timeout
        while True:
            self._changed.clear()
            if self._started > started and self._finished == self._started \
                    and not self._running:
                return
            if self._reader.done():
                raise ConnectionError(f"The server closed the session before {what} ended: "
                                      f"{self._failure or 'closed'}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{what} did not end within {timeout:g} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    # --- what the server sends -------------------------------------------------------------

    async def _read(self):
        try:
            async for payload in self._ws:
                message = ForwardMsg()
                message.ParseFromString(payload)
                self._receive(message)
        except ConnectionClosedOK:
            pass
        except Exception as error:   # kept for the waiting caller to report
            self._failure = error
        finally:
            self._changed.set()

    def _receive(self, message):
        kind = message.WhichOneof("type")
        if kind == "ref_hash":   # a message we hold, with a new place on the page
            cached = self._cache[message.ref_hash]
            cached[1] = self._cache_runs
            self._draw(cached[0].delta, tuple(message.metadata.delta_path))
            return
        if message.metadata.cacheable:
            self._cache.setdefault(message.hash, [message, self._cache_runs])[1] = \
                self._cache_runs
        if kind == "delta":
            self._draw(message.delta, tuple(message.metadata.delta_path))
        elif kind == "new_session":
            self._run = message.metadata.run.script_run_id
            self._started += 1
            self._page_hash = message.new_session.page_script_hash
            self._max_cache_age = message.new_session.config.max_cached_message_age
            self._changed.set()
        elif kind == "script_finished":
            self._finish(message.script_finished, message.metadata.run)
        elif kind == "session_status_changed":
            self._running = message.session_status_changed.script_is_running
            self._changed.set()
        elif kind == "page_info_changed":
            self._query = message.page_info_changed.query_string

    def _finish(self, status, run):
        fragments = set(run.fragment_ids)
        if status in CLEARS and run.script_run_id and (fragments or run.script_run_id == self._run):
            self._roots = [_without_stale(root, run.script_run_id, fragments)
                           or _Block("root", run.script_run_id) for root in self._roots]
            shown = {element.id for element in self.widgets()}
            self._values = {key: value for key, value in self._values.items() if key in shown}
        if status != ForwardMsg.FINISHED_EARLY_FOR_RERUN and run.script_run_id:
            self._cache_runs += 1
            for key, (message, used) in list(self._cache.items()):
                in_run = not fragments or message.delta.fragment_id in fragments
                if in_run and self._cache_runs - used > self._max_cache_age:
                    del self._cache[key]
        if status in DONE:
            self._finished = self._started
        self._changed.set()

    def _draw(self, delta, path):
        kind = delta.WhichOneof("type")
        if kind not in ("new_element", "add_block"):
            return   # transient elements (toasts, spinners) are not kept
        parent = self._roots[path[0]]
        parent.run = self._run
        for index in path[1:-1]:
            parent = parent.children[index]
            parent.run = self._run
        at = path[-1]
        old = parent.children[at] if at < len(parent.children) else None
        if kind == "new_element":
            element_type = delta.new_element.WhichOneof("type")
            proto = getattr(delta.new_element, element_type)
            node = _Leaf(element_type, proto, self._run, delta.fragment_id)
            self._hold_value(element_type, proto)
            self._fetch_media(element_type, proto)
        else:
            block = delta.add_block
            node = _Block(block.WhichOneof("type"), self._run, delta.fragment_id, block.id)
            same = isinstance(old, _Block) and old.type == node.type and (
                node.type != "dialog" or old.block_id == node.block_id)
            if same:   # the browser keeps a redrawn block's children until the run ends
                node.children = old.children
        if old is None:
            parent.children.append(node)
        else:
            parent.children[at] = node

    def _hold_value(self, element_type, proto):
        """Keep a widget's value: its default when new, the script's when it sets one."""
        value_of = WIDGET_VALUES.get(element_type)
        if value_of is None or (proto.id in self._values
                                and not getattr(proto, "set_value", False)):
            return
        name, value = value_of(proto)
        if value is None:
            self._values.pop(proto.id, None)
        else:
            self._values[proto.id] = (name, value)

    def _fetch_media(self, element_type, proto):
        if not self.fetch_media:
            return
        if element_type == "imgs":
            urls = [image.url for image in proto.imgs]
        elif element_type == "download_button":
            urls = [proto.url]
        else:
            return
        for url in urls:
            if url.startswith("/media/") and url not in self._seen_media:
                self._seen_media.add(url)
                task = asyncio.create_task(self._fetch(url))
                self._fetches.add(task)
                task.add_done_callback(self._fetches.discard)

    async def _fetch(self, url):
        size = await asyncio.to_thread(_get, f"{self.url}{url}")
        if size is None:
            self.media_missing += 1
        else:
            self.media_fetched += 1
            self.media_bytes += size
