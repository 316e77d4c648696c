"""The leaderboard page in a real browser: Debian's Chromium, headless, driven by Selenium
through /usr/bin/chromedriver, against the page served by aiohttp on 127.0.0.1.

Install the browser with ``bash scripts/browser-setup.sh`` (as root); without it these tests
fail (they never skip).
"""

from __future__ import annotations

import asyncio
import os
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from vouchy.web import inputs, page, problems
from vouchy.web.page import LeaderboardPage, Row

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SETUP = "scripts/browser-setup.sh"
GUILD = 42
EVIL = '<script>alert("x")</script>'
LONG_NAME = "Maximilien" * 9  # 90 letters without a space
# Chromium, as root on a closed network: no sandbox, no GPU, no calls home (machines notes).
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--force-color-profile=srgb",
    "--lang=en-US",
)


def require_browser(chromium: str = CHROMIUM, chromedriver: str = CHROMEDRIVER) -> None:
    """Fail (never skip) with the command that installs what is missing."""
    missing = [path for path in (chromium, chromedriver) if not os.access(path, os.X_OK)]
    if missing:
        pytest.fail(
            f"{' and '.join(missing)} missing: the browser tests need Debian's chromium and "
            f"chromium-driver; install them with `bash {SETUP}` (as root).",
            pytrace=False,
        )


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG, for the avatars the test server hands out."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def members() -> list[tuple[str, str | None]]:
    names = ["Alice", EVIL, "Zoé", LONG_NAME, "Bob", "Chloé", "Dan", "Émile", "Fatou", "Gus"]
    return [(n, f"/avatars/{i}.png" if i % 3 else None) for i, n in enumerate(names, 1)]


PER_PAGE = 4


async def leaderboard(request: web.Request) -> web.Response:
    if request.match_info["guild_id"] != str(GUILD):
        return problems.response(problems.NotFound())  # a guild that did not opt in
    query = inputs.leaderboard_query(request.query)
    everyone = members()
    pages = -(-len(everyone) // PER_PAGE)
    start = (query.page - 1) * PER_PAGE
    rows = [
        Row(
            rank=start + i + 1,
            display_name=name,
            avatar_url=avatar,
            value=(10 - start - i) * 1_250,
            level=10 - start - i,
        )
        for i, (name, avatar) in enumerate(everyone[start : start + PER_PAGE])
    ]
    data = LeaderboardPage(
        guild_id=GUILD,
        guild_name="Le Café des Vouchs",
        icon_url="/avatars/icon.png",
        board=query.board,
        rows=rows,
        page=query.page,
        pages=pages,
    )
    locale = inputs.pick_locale(request.headers.get("Accept-Language"))
    return web.Response(text=page.render(data, locale), headers=page.headers(image_sources=()))


async def avatar(request: web.Request) -> web.Response:
    return web.Response(body=png(64, 64, (200, 120, 40)), content_type="image/png")


class Server:
    """The page's aiohttp app on 127.0.0.1 and an ephemeral port, in its own thread (Selenium
    blocks, so the server cannot share the test's event loop)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.port = 0
        self.thread = threading.Thread(target=self._run, name="page-server", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_get("/g/{guild_id}", leaderboard)
        app.router.add_get("/avatars/{name}.png", avatar)
        self.runner = web.AppRunner(app, access_log=None)
        self.loop.run_until_complete(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = self.runner.addresses[0][1]
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.runner.cleanup())
        self.loop.close()

    def __enter__(self) -> Server:
        self.thread.start()
        assert self.ready.wait(10), "the page server did not start"
        return self

    def __exit__(self, *_: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with Server() as running:
        yield running


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Headless Chromium, or None when it is not installed: each test then calls
    ``require_browser()`` first, so it fails as a test (not a set-up error)."""
    try:
        require_browser()
    except pytest.fail.Exception:
        yield None
        return
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_argument("--window-size=1280,900")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    started = time.monotonic()
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(20)
    print(f"chromium started in {time.monotonic() - started:.2f} s")
    yield driver
    driver.quit()


def phone(driver, width: int = 390, height: int = 844) -> None:  # type: ignore[no-untyped-def]
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 3, "mobile": True},
    )


def desktop(driver) -> None:  # type: ignore[no-untyped-def]
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def assert_png(path: Path, width: int, height: int) -> None:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    shot_width, shot_height = struct.unpack(">II", data[16:24])
    assert (shot_width, shot_height) == (width, height)
    assert len(data) > 15_000, f"a {len(data)}-byte screenshot is too plain to hold the table"


def test_a_missing_browser_fails_naming_the_setup_script() -> None:
    with pytest.raises(pytest.fail.Exception) as failed:
        require_browser("/nonexistent/chromium", CHROMEDRIVER)
    assert SETUP in str(failed.value)
    assert "/nonexistent/chromium" in str(failed.value)


def test_the_browser_renders_the_table_with_names_as_text(browser, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    require_browser()
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    desktop(browser)
    browser.get(server.url(f"/g/{GUILD}"))
    assert browser.title == "Leaderboard of Le Café des Vouchs"
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    table = browser.find_element(By.TAG_NAME, "table")
    assert table.find_element(By.TAG_NAME, "caption").text == (
        "Members with the most points, page 1 of 3"
    )
    headers = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
    assert headers == ["Rank", "Member", "Points"]
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    cells = [[c.text for c in r.find_elements(By.CSS_SELECTOR, "td, th bdi")] for r in rows]
    assert cells == [
        ["1", "Alice", "12,500"],
        ["2", EVIL, "11,250"],
        ["3", "Zoé", "10,000"],
        ["4", LONG_NAME, "8,750"],
    ]
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert  # noqa: B018  (the escaped <script> never ran)
    assert browser.execute_script("return document.scripts.length") == 0

    avatars = browser.find_elements(By.CSS_SELECTOR, "tbody img")
    assert len(avatars) == 3
    for img in avatars:
        assert img.get_attribute("alt") == ""
        assert browser.execute_script("return arguments[0].complete", img)
        assert browser.execute_script("return arguments[0].naturalWidth", img) == 64
        assert img.size == {"width": 32, "height": 32}

    # The inline style ran under the Content-Security-Policy: its colours are applied.
    current = browser.find_element(By.CSS_SELECTOR, ".tabs a[aria-current=page]")
    assert current.value_of_css_property("background-color") == "rgba(10, 88, 202, 1)"
    assert current.value_of_css_property("color") == "rgba(255, 255, 255, 1)"
    refused = [e for e in browser.get_log("browser") if "Content Security Policy" in e["message"]]
    assert refused == []

    shot = tmp_path / "leaderboard-desktop.png"
    assert browser.save_screenshot(str(shot))
    width, height = browser.execute_script("return [window.innerWidth, window.innerHeight]")
    assert_png(shot, width, height)


def test_tabs_and_pages_are_plain_links_that_work(browser, server) -> None:  # type: ignore[no-untyped-def]
    require_browser()
    from selenium.webdriver.common.by import By

    desktop(browser)
    browser.get(server.url(f"/g/{GUILD}"))
    tabs = browser.find_elements(By.CSS_SELECTOR, "nav .tabs a")
    assert [t.text for t in tabs] == ["Points", "Levels", "Vouches"]
    tabs[1].click()
    assert browser.current_url == server.url(f"/g/{GUILD}?board=levels")
    current = browser.find_element(By.CSS_SELECTOR, ".tabs a[aria-current=page]")
    assert current.text == "Levels"
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "thead th")]
    assert headers == ["Rank", "Member", "Level", "XP"]

    browser.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
    assert browser.current_url == server.url(f"/g/{GUILD}?board=levels&page=2")
    first = browser.find_element(By.CSS_SELECTOR, "tbody tr")
    assert [c.text for c in first.find_elements(By.CSS_SELECTOR, "td, th bdi")] == [
        "5",
        "Bob",
        "6",
        "7,500",
    ]
    browser.find_element(By.CSS_SELECTOR, "a[rel=prev]").click()
    assert browser.current_url == server.url(f"/g/{GUILD}?board=levels")


def test_on_a_phone_the_page_fits_without_horizontal_scroll(browser, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    require_browser()
    from selenium.webdriver.common.by import By

    try:
        for width in (320, 390):  # the narrowest phones in use, and a common one
            phone(browser, width, 844)
            for path in ("", "?board=levels", "?board=vouches&page=3"):
                browser.get(server.url(f"/g/{GUILD}{path}"))
                inner, scroll = browser.execute_script(
                    "return [window.innerWidth, document.documentElement.scrollWidth]"
                )
                assert inner == width
                assert scroll <= inner, f"{path}: {scroll} px wide on a {inner} px screen"
        browser.get(server.url(f"/g/{GUILD}"))
        long_name = browser.find_element(By.XPATH, f"//bdi[text()='{LONG_NAME}']")
        assert long_name.rect["x"] + long_name.rect["width"] <= 390
        shot = tmp_path / "leaderboard-phone.png"
        assert browser.save_screenshot(str(shot))
        assert_png(shot, 390 * 3, 844 * 3)
    finally:
        desktop(browser)


def test_a_guild_that_did_not_opt_in_answers_a_404_problem(browser, server) -> None:  # type: ignore[no-untyped-def]
    require_browser()
    from selenium.webdriver.common.by import By

    browser.get(server.url("/g/7"))
    assert '"status":404' in browser.find_element(By.TAG_NAME, "body").text


def test_a_french_browser_gets_the_page_in_french(browser, server) -> None:  # type: ignore[no-untyped-def]
    require_browser()
    from selenium.webdriver.common.by import By

    user_agent = browser.execute_script("return navigator.userAgent")
    browser.execute_cdp_cmd(
        "Emulation.setUserAgentOverride", {"userAgent": user_agent, "acceptLanguage": "fr-FR,fr"}
    )
    try:
        browser.get(server.url(f"/g/{GUILD}?board=levels"))
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
        assert browser.find_element(By.TAG_NAME, "caption").text == (
            "Membres par niveau et XP, page 1 sur 3"
        )
        first = browser.find_element(By.CSS_SELECTOR, "tbody tr")
        values = [c.text for c in first.find_elements(By.CSS_SELECTOR, "td")]
        assert values == ["1", "10", "12\u202f500"]
    finally:
        browser.execute_cdp_cmd(
            "Emulation.setUserAgentOverride", {"userAgent": user_agent, "acceptLanguage": "en-US"}
        )


def test_the_dark_scheme_applies_its_own_checked_colours(browser, server) -> None:  # type: ignore[no-untyped-def]
    require_browser()
    from selenium.webdriver.common.by import By

    dark = [{"name": "prefers-color-scheme", "value": "dark"}]
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": dark})
    try:
        browser.get(server.url(f"/g/{GUILD}"))
        body = browser.find_element(By.TAG_NAME, "body")
        assert body.value_of_css_property("background-color") == "rgba(21, 23, 26, 1)"
        assert body.value_of_css_property("color") == "rgba(236, 238, 241, 1)"
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
