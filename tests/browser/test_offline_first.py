"""A form opened once works without a connection; its submit waits on the device and is
stored once when the connection returns; a shared device keeps nothing it should not."""

from __future__ import annotations

import time
from typing import Any

from flask import request
from playwright.sync_api import Page, expect

from tests.conftest import NEEDS

from .test_offline_draft import DRAFT_KEY, FIRST_HALF, QUEUED, RESTORED, draft, expect_filled, live
from .test_participant_form import (
    EXPECTED,
    expect_thanks,
    fill_needs_assessment,
    open_form,
    stored_answers,
    submit,
)

OUTBOX = """() => new Promise((resolve, reject) => {
  const opening = indexedDB.open("survey", 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore("outbox", {keyPath: "path"});
  opening.onerror = () => reject(opening.error);
  opening.onsuccess = () => {
    const db = opening.result;
    const all = db.transaction("outbox").objectStore("outbox").getAll();
    all.onsuccess = () => { db.close(); resolve(all.result); };
  };
})"""


def outbox(page: Page) -> list[dict[str, Any]]:
    """The submits waiting on the device, as the page's IndexedDB holds them."""
    entries: list[dict[str, Any]] = page.evaluate(OUTBOX)
    return entries


def kept_for_offline(page: Page) -> None:
    """Wait until the service worker controls the page and holds a copy of it."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    deadline = time.monotonic() + 10
    while not page.evaluate("async () => !!(await caches.match(location.href))"):
        assert time.monotonic() < deadline, "the service worker never kept the page"
        page.wait_for_timeout(100)


def device_storage(page: Page) -> dict[str, Any]:
    """Everything the app could have left in this origin's storage."""
    return {
        "local": page.evaluate("() => Object.keys(localStorage)"),
        "session": page.evaluate("() => Object.keys(sessionStorage)"),
        "outbox": outbox(page),
    }


def test_form_reopened_offline_keeps_its_submit_until_back_online_and_stores_it_once(
    page, app, live_server, stored
):
    form_gets: list[str] = []

    @app.before_request
    def count_form_gets() -> None:
        if request.method == "GET" and request.path == f"/q/{NEEDS}":
            form_gets.append(request.path)

    open_form(page, live_server)
    kept_for_offline(page)
    fill_needs_assessment(page, skip=frozenset(EXPECTED) - FIRST_HALF)
    context = page.context
    context.set_offline(True)
    served = len(form_gets)

    page.reload()  # from the worker's copy: the server is not asked
    expect(live(page).filter(has_text=RESTORED)).to_be_visible()
    assert len(form_gets) == served
    fill_needs_assessment(page, skip=FIRST_HALF)
    submit(page)
    status = page.locator("#send-status")
    expect(status).to_contain_text(QUEUED)
    [waiting] = outbox(page)
    token = page.locator("input[name=submission_token]").input_value()
    assert waiting["token"] == token
    assert f"submission_token={token}" in waiting["body"]

    page.close()  # closed offline, and opened again offline
    page = context.new_page()
    page.goto(f"{live_server}/q/{NEEDS}")
    expect(page.locator("#send-status")).to_contain_text(QUEUED)
    expect_filled(page)
    assert len(form_gets) == served
    assert stored() == []

    context.set_offline(False)  # the outbox sends itself
    expect_thanks(page, live_server)
    [response] = stored()
    assert response.submission_token == token
    assert stored_answers(response) == EXPECTED
    assert device_storage(page) == {"local": [], "session": [], "outbox": []}


def test_the_form_asks_to_keep_its_storage(new_phone_page, live_server):
    page = new_phone_page()
    page.context.add_init_script(
        """window.persistAsked = 0;
        const persist = navigator.storage.persist.bind(navigator.storage);
        navigator.storage.persist = () => { window.persistAsked += 1; return persist(); };"""
    )
    open_form(page, live_server)
    page.wait_for_function("() => window.persistAsked > 0")


def test_a_resent_submit_from_a_second_tab_is_stored_once(page, live_server, stored):
    """The outbox sends under the submission token, so two tabs sending it store one."""
    open_form(page, live_server)
    kept_for_offline(page)
    fill_needs_assessment(page)
    page.context.set_offline(True)
    submit(page)
    expect(page.locator("#send-status")).to_contain_text(QUEUED)
    other = page.context.new_page()
    other.goto(f"{live_server}/q/{NEEDS}")
    expect(other.locator("#send-status")).to_contain_text(QUEUED)
    page.context.set_offline(False)
    expect_thanks(page, live_server)
    expect_thanks(other, live_server)
    assert len(stored()) == 1


def test_start_over_asks_then_clears_the_draft_and_gives_a_new_token(page, live_server):
    open_form(page, live_server)
    device = page.locator("#device-draft")
    expect(device).to_contain_text("kept on this device for 24 hours, for this link only")
    fill_needs_assessment(page, skip=frozenset(EXPECTED) - FIRST_HALF)
    token = page.locator("input[name=submission_token]").input_value()
    asked: list[str] = []

    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Start over").click()
    assert asked == ["Clear all your answers on this device and start again?"]
    assert draft(page) is not None
    expect(page.get_by_label("Non-governmental organisation")).to_be_checked()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Start over").click()
    expect(page.get_by_label("Non-governmental organisation")).not_to_be_checked()
    expect(page.locator("#draft-notice")).to_be_empty()
    assert draft(page) is None
    assert page.locator("input[name=submission_token]").input_value() != token


def write_draft(page: Page, **changes: Any) -> None:
    page.evaluate(
        """([key, changes]) => {
            const kept = JSON.parse(localStorage.getItem(key));
            localStorage.setItem(key, JSON.stringify(Object.assign(kept, changes)));
        }""",
        [DRAFT_KEY, changes],
    )


def test_a_draft_older_than_a_day_is_dropped_unread(page, live_server):
    open_form(page, live_server)
    fill_needs_assessment(page, skip=frozenset(EXPECTED) - {"stakeholder_type"})
    write_draft(page, savedAt=int(time.time() * 1000) - 25 * 3600 * 1000)
    page.reload()
    expect(page.locator("#device-draft")).to_be_visible()
    expect(page.get_by_label("Non-governmental organisation")).not_to_be_checked()
    expect(page.locator("#draft-notice")).to_be_empty()
    assert draft(page) is None


def test_a_draft_is_only_restored_on_the_link_it_came_from(page, live_server):
    open_form(page, live_server)
    fill_needs_assessment(page, skip=frozenset(EXPECTED) - {"stakeholder_type"})
    write_draft(page, path="/t/another-link")
    page.reload()
    expect(page.get_by_label("Non-governmental organisation")).not_to_be_checked()
    assert draft(page) is None


def test_after_a_submit_nothing_of_it_stays_on_the_device(page, live_server, stored):
    open_form(page, live_server)
    fill_needs_assessment(page)
    page.evaluate(
        "path => sessionStorage.setItem('survey:sent-token:' + path, 'x'.repeat(43))",
        f"/q/{NEEDS}",
    )  # as an older version of the script left it
    submit(page)
    expect_thanks(page, live_server)
    assert len(stored()) == 1
    assert device_storage(page) == {"local": [], "session": [], "outbox": []}


def test_a_wifi_that_passes_nothing_sends_once_it_does_without_an_online_event(
    page, live_server, stored
):
    """On a hotel Wi-Fi that passes nothing the device still counts as online, so no
    "online" event ever comes: the waiting submit is tried again until it gets through."""
    open_form(page, live_server)
    kept_for_offline(page)
    fill_needs_assessment(page)
    page.route(f"{live_server}/q/{NEEDS}", lambda route: route.abort("internetdisconnected"))
    submit(page)
    expect(page.locator("#send-status")).to_contain_text(QUEUED)
    assert page.evaluate("navigator.onLine")
    assert stored() == []

    page.unroute(f"{live_server}/q/{NEEDS}")
    expect_thanks(page, live_server)
    [response] = stored()
    assert stored_answers(response) == EXPECTED
