"""A teacher's link in a real browser: the locked control cannot be edited, the hidden tab
is not there, and the page still trains with the link's settings."""

import pytest
from playwright.sync_api import expect

import runs
from formats import number

pytestmark = pytest.mark.e2e


def test_a_teachers_link_locks_a_control_and_hides_a_tab(app):
    app.open("?lock=arch,seed&hide=experiments,l2&arch=2-2-1&seed=123")
    page = app.page
    expect(page.locator(".st-key-arch input")).to_be_disabled()
    expect(page.locator(".st-key-seed input")).to_be_disabled()
    expect(page.locator(".st-key-l2")).to_have_count(0)
    expect(page.get_by_role("tab", name="Experiments")).to_have_count(0)
    expect(page.get_by_role("tab", name="Gradient flow")).to_be_visible()
    app.train()
    expected = runs.train(runs.config(arch="2-2-1", seed=123))
    expect(app.metric("Final loss")).to_have_text(number(expected.history.final_loss))
    # The link keeps the teacher's lists as the page writes the settings back into it.
    assert "lock=arch%2Cseed" in page.url or "lock=arch,seed" in page.url
    app.assert_healthy()
