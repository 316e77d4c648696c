"""The public leaderboard page as a visitor gets it, in a real browser: the running bot (against
the fake Discord) with the web server, a guild that opted in with ``/config web leaderboard
on``, points earned over the API, and Debian's Chromium driven by Selenium. Selenium blocks,
so each browser step runs in a thread while the event loop serves the page."""

from __future__ import annotations

import asyncio
import struct
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from support.bot import Harness, started_bot

from vouchy.testing.fake_discord import FakeDiscord, Member, User, next_snowflake
from vouchy.web.directory import DiscordDirectory
from vouchy.web.server import WebServer

pytestmark = pytest.mark.asyncio(loop_scope="module")

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--force-color-profile=srgb",
    "--lang=en-US",
    "--window-size=1280,900",
)
PEOPLE = [("Aline", None), ("bob", "Bobby"), ("<b>carl</b>", None), ("dora", None)]


class Site:
    def __init__(self, h: Harness, server: WebServer, browser: Any) -> None:
        self.h = h
        self.server = server
        self.browser = browser

    def url(self, path: str) -> str:
        return self.server.url + path


def start_browser(profile: Path) -> Any:
    import os

    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        pytest.fail(f"{missing} missing: run `bash scripts/browser-setup.sh` (as root)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(20)
    return driver


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    fake = FakeDiscord()
    for username, nick in PEOPLE:
        fake.guild.members.append(Member(User(next_snowflake(), username), nick=nick))
    await fake.start()
    browser = None
    try:
        async with started_bot(tmp_path_factory.mktemp("page-live"), fake=fake) as h:
            reply = await h.run("config web leaderboard", h.admin, state="on")
            assert reply["ephemeral"]
            directory = DiscordDirectory(h.bot.bot)
            async with WebServer(h.app, host="127.0.0.1", port=0, directory=directory) as server:
                await earn_over_http(h, server)
                profile = tmp_path_factory.mktemp("chromium-profile")
                browser = await asyncio.to_thread(start_browser, profile)
                yield Site(h, server, browser)
    finally:
        if browser is not None:
            await asyncio.to_thread(browser.quit)
        await fake.close()


async def earn_over_http(h: Harness, server: WebServer) -> None:
    """Points as a shop's backend would give them: over the API, with a key from /admin."""
    from vouchy.features.api.service import ApiService

    created = await h.app.service(ApiService).create_key(
        h.guild_id, "shop", "earn", created_by=h.admin.id, reference="test:page-key"
    )
    assert created.key is not None
    headers = {"Authorization": f"Bearer {created.key.reveal()}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        for n, (username, _nick) in enumerate(PEOPLE):
            member = next(m for m in h.guild.members if m.user.username == username)
            url = f"{server.url}/v1/guilds/{h.guild_id}/members/{member.id}/earn"
            async with session.post(
                url, json={"points": 4_000 - n * 1_000}, headers={"Idempotency-Key": f"p{n}"}
            ) as response:
                assert response.status == 200, await response.text()


def read_table(browser: Any, url: str, shot: Path) -> dict[str, Any]:
    from selenium.webdriver.common.by import By

    started = time.monotonic()
    browser.get(url)
    rows = browser.find_elements(By.CSS_SELECTOR, "table tbody tr")
    cells = [[c.text for c in r.find_elements(By.CSS_SELECTOR, "td, th bdi")] for r in rows]
    assert browser.save_screenshot(str(shot))
    return {
        "title": browser.title,
        "caption": browser.find_element(By.TAG_NAME, "caption").text,
        "headers": [th.text for th in browser.find_elements(By.CSS_SELECTOR, "thead th")],
        "cells": cells,
        "scripts": browser.execute_script("return document.scripts.length"),
        "seconds": time.monotonic() - started,
    }


def body_text(browser: Any, url: str) -> str:
    from selenium.webdriver.common.by import By

    browser.get(url)
    return str(browser.find_element(By.TAG_NAME, "body").text)


async def test_the_page_renders_the_guilds_table_with_discord_names_in_chromium(
    site: Site, tmp_path: Path
) -> None:
    h = site.h
    shot = tmp_path / "leaderboard-live.png"
    seen = await asyncio.to_thread(read_table, site.browser, site.url(f"/g/{h.guild_id}"), shot)
    assert seen["title"] == f"Leaderboard of {h.guild.name}"
    assert seen["caption"] == "Members with the most points, page 1 of 1"
    assert seen["headers"] == ["Rank", "Member", "Points"]
    assert seen["cells"][:4] == [
        ["1", "Aline", "4,025"],
        ["2", "Bobby", "3,025"],  # the server nickname, as Discord shows it
        ["3", "<b>carl</b>", "2,025"],  # a name is text, never markup
        ["4", "dora", "1,025"],
    ]
    assert seen["scripts"] == 0
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24])[0] > 300 and len(data) > 10_000


async def test_a_guild_that_did_not_opt_in_gets_a_404_in_the_browser(site: Site) -> None:
    text = await asyncio.to_thread(body_text, site.browser, site.url(f"/g/{next_snowflake()}"))
    assert '"status":404' in text and "not-found" in text
    await site.h.run("config web leaderboard", site.h.admin, state="off")
    try:
        text = await asyncio.to_thread(body_text, site.browser, site.url(f"/g/{site.h.guild_id}"))
        assert '"status":404' in text
    finally:
        await site.h.run("config web leaderboard", site.h.admin, state="on")
