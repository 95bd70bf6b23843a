"""bench/protocol.py against a real server: a browser-less session sees the page, trains its own
seed, and says clearly when a button is not there."""

import asyncio

import pytest

from bench.classroom import engine_final_loss
from bench.protocol import MissingButtonError, Session
from tests.browser import run_in_own_thread, streamlit_server

pytestmark = pytest.mark.e2e

TIMEOUT_S = 240   # per step, on a shared 2-core machine


@pytest.fixture(scope="module")
def server():
    with streamlit_server() as running:
        yield running


async def _opened(url, query):
    return await Session.open(url, query, timeout=TIMEOUT_S)


def test_a_session_opens_on_its_link_with_the_train_button_and_its_pictures(server):
    async def visit():
        session = await _opened(server.url, {"seed": "7", "arch": "2-2-1"})
        await session.close()
        return session

    session = run_in_own_thread(visit())
    buttons = [widget.key for widget in session.widgets() if widget.type == "button"]
    assert "train" in buttons
    assert session.query["seed"] == "7" and session.query["arch"] == "2-2-1"
    assert any("network of seed 7 at epoch 0" in text for text in session.texts())
    assert session.metric("Final loss") is None   # not trained yet
    assert session.media_fetched >= 1 and session.media_missing == 0   # the boundary PNG


def test_three_sessions_training_at_once_each_show_their_own_seeds_final_loss(server):
    seeds = (3, 4, 5)

    async def lesson():
        sessions = await asyncio.gather(*(_opened(server.url, {"seed": seed, "arch": "2-2-1"})
                                          for seed in seeds))
        seconds = await asyncio.gather(*(session.click("train", TIMEOUT_S)
                                         for session in sessions))
        await asyncio.gather(*(session.close() for session in sessions))
        return sessions, seconds

    sessions, seconds = run_in_own_thread(lesson())
    assert all(s > 0 for s in seconds)
    for seed, session in zip(seeds, sessions):
        assert session.query["seed"] == str(seed)
        assert session.metric("Final loss") == engine_final_loss(session.query), seed
    assert len({session.metric("Final loss") for session in sessions}) == 3


def test_clicking_a_key_that_is_not_on_the_page_names_the_buttons_there(server):
    async def visit():
        session = await _opened(server.url, {})
        try:
            await session.click("no_such_button")
        finally:
            await session.close()

    with pytest.raises(MissingButtonError, match=r"No button with key 'no_such_button'.*train"):
        run_in_own_thread(visit())
