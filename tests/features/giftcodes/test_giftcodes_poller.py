"""Where codes come from: the community list polled on its own (interval from the config or
``GIFTCODE_CHECK_INTERVAL``), the first read marking codes known without posting, each new code
posted once in each server's channel through the outbox and queued for the servers with
auto-redeem on, owed announcements finished after a restart, and the health line."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest
import pytest_asyncio
import structlog
from aiohttp import web
from features.giftcodes.giftcodes_support import (
    CHANNEL,
    GUILD,
    OTHER_GUILD,
    listed,
    outcomes,
    publisher,
    register,
    rows,
    running,
    set_guild,
    settled,
)

from vouchy.features.giftcodes import sources
from vouchy.features.giftcodes.fake_provider import FakeCode

THIRD_GUILD = 333_000_000_000_000_001
OTHER_CHANNEL = 666_666_666_666_666_666


class ListServer:
    """A community list on 127.0.0.1 whose answer the test changes."""

    def __init__(self) -> None:
        self.codes: list[str] = []
        self.status = 200
        self.reads = 0
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def _handle(self, _request: web.Request) -> web.Response:
        self.reads += 1
        if self.status != 200:
            return web.Response(status=self.status, text="<html>down</html>")
        return web.json_response({"codes": self.codes})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/codes", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/codes"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest_asyncio.fixture
async def codes_list() -> AsyncIterator[ListServer]:
    server = ListServer()
    await server.start()
    yield server
    await server.close()


def posts(db: Path) -> list[tuple[int, int, str]]:
    """(guild, channel, content) of every post in the outbox."""
    out = []
    for guild, payload in rows(
        db, "SELECT guild_id, payload FROM outbox WHERE kind = 'discord.post' ORDER BY id"
    ):
        body = json.loads(payload)
        out.append((guild, body["channel_id"], body["content"]))
    return out


async def test_the_first_read_only_marks_codes_known_and_later_ones_post_each_new_code_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "vouchy.db"
    codes = [FakeCode(code=c) for c in ("OLD1", "OLD2", "NEW1", "TYPED")]
    async with publisher(301, 302, 303, codes=codes) as fake:
        async with running(tmp_path, fake, monkeypatch) as (app, service):
            await set_guild(app)  # auto-redeem, a channel
            await set_guild(app, OTHER_GUILD, auto=False, channel=OTHER_CHANNEL)
            await set_guild(app, THIRD_GUILD, auto=True, channel=None)
            await register(service, 301, 302)
            await register(service, 303, guild=OTHER_GUILD)
            await register(service, 302, guild=THIRD_GUILD)
            first = sources.parse_code_list(b'{"codes": ["OLD1 01.01.2025", "OLD2"]}')
            assert await service.take_list(first) == ["OLD1", "OLD2"]
            assert posts(db) == [] and outcomes(db) == {}
            # An admin of the other server types a code before the list shows it.
            await service.add_code(OTHER_GUILD, "TYPED", by=1, reference="typed")
            assert [p[:2] for p in posts(db)] == [(OTHER_GUILD, OTHER_CHANNEL)]
            later = sources.parse_code_list(
                b'{"codes": ["NEW1 02.05.2025", "OLD1 01.01.2025", "TYPED", "OLD2"]}'
            )
            assert await service.take_list(later) == ["NEW1", "TYPED"]
            assert await service.take_list(later) == []  # the same list again: nothing new
            await settled(service)
    found = posts(db)
    assert found[0][:2] == (OTHER_GUILD, OTHER_CHANNEL) and "`TYPED`" in found[0][2]  # its admin
    later_posts = sorted((g, c, "NEW1" in text) for g, c, text in found[1:])
    assert later_posts == [
        (GUILD, CHANNEL, False),  # TYPED, now listed: the other server had it already
        (GUILD, CHANNEL, True),
        (OTHER_GUILD, OTHER_CHANNEL, True),
    ]
    [new_here] = [text for g, _, text in found if g == GUILD and "NEW1" in text]
    [new_there] = [text for g, _, text in found if g == OTHER_GUILD and "NEW1" in text]
    assert "`NEW1` (listed 2025-05-02)" in new_here
    assert "redeeming it for the 2 registered player(s)" in new_here
    assert "redeeming" not in new_there  # auto-redeem off in the other server
    # Queued for the players of servers with auto-redeem on, once each: 301, 302.
    assert outcomes(db) == {
        ("NEW1", 301): "done:success",
        ("NEW1", 302): "done:success",
        ("TYPED", 301): "done:success",
        ("TYPED", 302): "done:success",
    }
    assert rows(db, "SELECT code, source, listed FROM giftcode_codes ORDER BY code") == [
        ("NEW1", "list", 1),
        ("OLD1", "first_start", 1),
        ("OLD2", "first_start", 1),
        ("TYPED", "admin", 1),
    ]


async def test_announcements_owed_when_the_process_stopped_are_made_once_after_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "vouchy.db"
    async with running(tmp_path, None, monkeypatch, secret="") as (app, service):
        await set_guild(app)
        await set_guild(app, OTHER_GUILD, auto=False, channel=OTHER_CHANNEL)
        await service.take_list(sources.CodeList())

        async def dies_first(*_args: object) -> None:
            raise RuntimeError("the process died before posting")

        monkeypatch.setattr(service, "_post", dies_first)
        with pytest.raises(RuntimeError):
            await listed(service, "NEWCODE")
    assert rows(db, "SELECT announce_pending FROM giftcode_codes") == [(1,)]
    assert posts(db) == []
    for _ in range(2):  # restarting again owes nothing more
        async with running(tmp_path, None, monkeypatch, secret=""):
            pass
    assert [p[:2] for p in posts(db)] == [(GUILD, CHANNEL), (OTHER_GUILD, OTHER_CHANNEL)]
    assert rows(db, "SELECT announce_pending FROM giftcode_codes") == [(0,)]


async def test_the_poller_reads_the_list_at_the_environments_interval_and_logs_its_health(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, codes_list: ListServer
) -> None:
    db = tmp_path / "vouchy.db"
    monkeypatch.setenv("GIFTCODE_CHECK_INTERVAL", "1")
    codes_list.codes = ["OLD1 01.01.2025"]
    with structlog.testing.capture_logs() as logs:
        async with running(
            tmp_path,
            None,
            monkeypatch,
            secret="",
            giftcodes_list_url=codes_list.url,
            giftcodes_check_interval_s="600",  # the environment wins
            giftcodes_health_every_checks="2",
        ) as (app, _service):
            await set_guild(app)
            await asyncio.sleep(0.5)
            codes_list.codes = ["NEW1 02.05.2025", "OLD1 01.01.2025"]
            codes_list.status = 503
            await asyncio.sleep(1.0)
            codes_list.status = 200
            await asyncio.sleep(1.2)
    assert codes_list.reads >= 3
    assert [e["interval_s"] for e in logs if e["event"] == "giftcode_poller_started"] == [1.0]
    failed = [e for e in logs if e["event"] == "giftcode_list_failed"]
    assert failed and "HTTP 503" in failed[0]["reason"]
    health = [e for e in logs if e["event"] == "giftcode_health"]
    assert health and health[0]["checks"] == 2 and health[0]["codes"] >= 1
    assert {e["log_level"] for e in health} == {"info"}
    # The first read marked OLD1 known; NEW1 came later and was posted once.
    [(guild, channel, text)] = posts(db)
    assert (guild, channel) == (GUILD, CHANNEL) and "`NEW1`" in text and "OLD1" not in text
    assert not [e for e in logs if e["log_level"] in ("error", "critical")]


async def test_a_list_that_cannot_be_read_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, codes_list: ListServer
) -> None:
    db = tmp_path / "vouchy.db"
    async with running(
        tmp_path, None, monkeypatch, secret="", background=False, giftcodes_list_url=codes_list.url
    ) as (_app, service):
        await service.check()  # the first read
        before = rows(db, "SELECT * FROM giftcode_codes"), rows(db, "SELECT * FROM giftcode_runner")
        for status in (500, 404):
            codes_list.status = status
            with structlog.testing.capture_logs() as logs:
                assert await service.check() == []
            assert [e["event"] for e in logs] == ["giftcode_list_failed"]
        codes_list.status = 200

        async def garbage(_url: str, _timeout: float) -> bytes:
            return b"<html>not a list</html>"

        service.fetch_list = garbage
        assert await service.check() == []
        assert service.list_failures == 3
        assert (
            rows(db, "SELECT * FROM giftcode_codes"),
            rows(db, "SELECT * FROM giftcode_runner"),
        ) == before


def test_the_config_section_holds_every_default_the_poller_and_client_use() -> None:
    from vouchy.features.giftcodes.settings import GiftcodesSettings, policy_of

    settings = GiftcodesSettings()
    assert settings.check_interval_s == sources.DEFAULT_INTERVAL_S == 10.0
    policy = policy_of(settings)
    assert (policy.max_concurrency, policy.requests_per_second) == (2, 1.0)
    assert (policy.temporary_max_tries, policy.unknown_max_tries) == (10, 3)
    assert policy.consecutive_error_limit == 5
    assert "secret" not in msgspec.json.encode(settings).decode().replace("secret_env", "")


async def test_the_poller_starts_with_the_bot_and_stops_cleanly_with_it(
    tmp_path: Path, codes_list: ListServer
) -> None:
    from support.bot import started_bot

    from vouchy.features.giftcodes.service import GiftCodeService

    codes_list.codes = ["OLD1 01.01.2025"]
    with structlog.testing.capture_logs() as logs:
        async with started_bot(tmp_path, giftcodes_list_url=codes_list.url) as h:
            service = h.app.service(GiftCodeService)
            for _ in range(200):
                if codes_list.reads:
                    break
                await asyncio.sleep(0.01)
            assert codes_list.reads == 1  # read at start; the next read is 10 s later
            [work] = service._tasks
            assert not work.done()
        assert service._tasks == [] and work.done() and service._stop.is_set()
    names = [e["event"] for e in logs]
    assert names.index("giftcode_poller_started") < names.index("bot_stopping")
    assert "giftcode_redemption_off" in names  # no secret: no redemption loop
    assert not [e for e in logs if e["log_level"] in ("error", "critical", "warning")]
    assert rows(tmp_path / "vouchy.db", "SELECT code, source FROM giftcode_codes") == [
        ("OLD1", "first_start")
    ]
