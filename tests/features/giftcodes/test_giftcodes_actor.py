"""The gift-code actor on the real write path against the fake publisher: every transition
stored (the rows say what the state machine decided), the retry limits, the back-off after
errors in a row, Retry-After, the signing-error stop and its alert, a restart in the middle."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
import structlog
from features.giftcodes.giftcodes_support import (
    GUILD,
    LOG_CHANNEL,
    listed,
    outcomes,
    publisher,
    register,
    rows,
    running,
    set_guild,
    settled,
    until,
)

from vouchy.features.giftcodes import tables
from vouchy.features.giftcodes.fake_provider import FakeCode

FIDS = tuple(range(101, 113))


def by_outcome(found: dict[tuple[str, int], str], code: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for (c, _fid), label in found.items():
        if c == code:
            out[label] = out.get(label, 0) + 1
    return out


async def test_every_class_of_answer_ends_each_pair_as_the_rules_say_and_the_rows_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = [
        FakeCode(code="GOOD"),
        FakeCode(code="OLD", state="expired"),
        FakeCode(code="VIPONLY", min_vip=3),
        FakeCode(code="FEW", claim_limit=4),
        FakeCode(code="HIGH", min_level=35),
    ]
    async with publisher(*FIDS, codes=codes, slow_s=0.8) as fake:
        fake.players[101].vip = 5
        fake.players[102].furnace_level = 40
        async with running(tmp_path, fake, monkeypatch) as (app, service):
            await set_guild(app)
            await register(service, *FIDS)
            fake.inject("timeout", fid=104, code="GOOD")  # took effect; the answer came late
            fake.inject("html", path=None)
            fake.inject("garbage")
            fake.inject("http_500", times=2)
            fake.inject("timeout_retry")
            fake.inject("too_frequent")
            fake.inject("unknown_msg")
            fake.inject("http_429", retry_after_s=1)
            assert await listed(service, "GOOD", "OLD", "VIPONLY", "FEW", "HIGH") == [
                "GOOD",
                "OLD",
                "VIPONLY",
                "FEW",
                "HIGH",
            ]
            await settled(service)
            state = (await service.redeemer()).state
        found = outcomes(tmp_path / "vouchy.db")
    # The rows say what memory said: every transition went through the write path.
    assert found == {(a.code, a.fid): f"{a.status}:{a.reason}" for a in state.attempts.values()}
    good = by_outcome(found, "GOOD")
    assert good.get("done:success", 0) + good.get("done:received", 0) == len(FIDS)
    assert good.get("done:received") == 1  # 104: the late answer's redemption went through
    assert by_outcome(found, "OLD") == {"failed:expired": len(FIDS)}
    assert len([p for p in fake.counters.pair_requests if p[0] == "OLD"]) == 1  # its canary
    assert by_outcome(found, "VIPONLY") == {"done:success": 1, "failed:vip_required": 11}
    assert by_outcome(found, "FEW") == {"done:success": 4, "failed:claim_limit": 8}
    assert by_outcome(found, "HIGH") == {"done:success": 1, "failed:level_too_low": 11}
    assert max(fake.counters.successes.values()) == 1
    assert rows(
        tmp_path / "vouchy.db", "SELECT status, stop_reason FROM giftcode_codes WHERE code = 'OLD'"
    ) == [("stopped", "expired")]
    [(hits,)] = rows(
        tmp_path / "vouchy.db", "SELECT claim_limit_hits FROM giftcode_codes WHERE code = 'FEW'"
    )
    assert hits == 8


async def test_a_temporary_answer_is_tried_at_most_ten_times_then_given_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with publisher(101, codes=[FakeCode(code="GOOD")]) as fake:
        fake.inject("timeout_retry", times=50, fid=101)
        async with running(
            tmp_path, fake, monkeypatch, giftcodes_consecutive_error_limit="100"
        ) as (
            app,
            service,
        ):
            await set_guild(app)
            await register(service, 101)
            await listed(service, "GOOD")
            await settled(service)
    assert outcomes(tmp_path / "vouchy.db") == {("GOOD", 101): "failed:gave_up"}
    assert fake.counters.pair_requests[("GOOD", 101)] == 10
    [(tries, temporary)] = rows(
        tmp_path / "vouchy.db", "SELECT tries, temporary FROM giftcode_attempts"
    )
    assert (tries, temporary) == (10, 10)


async def test_an_unknown_answer_is_tried_at_most_three_times_then_given_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with publisher(101, codes=[FakeCode(code="GOOD")]) as fake:
        fake.inject("unknown_msg", times=50, fid=101)
        async with running(tmp_path, fake, monkeypatch) as (app, service):
            await set_guild(app)
            await register(service, 101)
            await listed(service, "GOOD")
            await settled(service)
    assert outcomes(tmp_path / "vouchy.db") == {("GOOD", 101): "failed:gave_up"}
    assert fake.counters.pair_requests[("GOOD", 101)] == 3


async def test_five_errors_in_a_row_make_the_loop_back_off_then_it_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fids = (101, 102, 103, 104, 105, 106)
    async with publisher(*fids, codes=[FakeCode(code="GOOD")]) as fake:
        async with running(
            tmp_path,
            fake,
            monkeypatch,
            giftcodes_canary="false",
            giftcodes_backoff_s="1",
            giftcodes_backoff_max_s="2",
        ) as (app, service):
            await set_guild(app)
            await register(service, *fids)
            fake.inject("http_503", times=5)
            with structlog.testing.capture_logs() as logs:
                await listed(service, "GOOD")
                await settled(service)
    backoffs = [e for e in logs if e["event"] == "giftcode_backoff"]
    assert len(backoffs) == 1 and backoffs[0]["log_level"] == "warning"
    # Nothing started during the pause: the sixth request came a second (less its jitter of
    # at most 20%) after the fifth.
    times = sorted(fake.counters.arrivals[-len(fids) - 5 :])
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert max(gaps) >= 0.8 - 0.01
    assert set(outcomes(tmp_path / "vouchy.db").values()) == {"done:success"}
    [(status, backoffs_left)] = rows(
        tmp_path / "vouchy.db", "SELECT status, backoffs FROM giftcode_runner"
    )
    assert (status, backoffs_left) == ("running", 0)


async def test_a_429_with_retry_after_holds_every_request_that_long(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with publisher(101, 102, codes=[FakeCode(code="GOOD")]) as fake:
        async with running(tmp_path, fake, monkeypatch, giftcodes_canary="false") as (
            app,
            service,
        ):
            await set_guild(app)
            await register(service, 101, 102)
            fake.inject("http_429", retry_after_s=1)
            started = time.monotonic()
            await listed(service, "GOOD")
            await settled(service)
    arrivals = [t for t in fake.counters.arrivals if t >= started]
    assert len(arrivals) == 3  # the 429, then one request per player
    assert min(arrivals[1:]) - arrivals[0] >= 0.95
    assert set(outcomes(tmp_path / "vouchy.db").values()) == {"done:success"}


async def test_a_signing_error_stops_redemption_tells_the_admins_and_fails_nobody(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with publisher(101, 102, 103, codes=[FakeCode(code="GOOD")]) as fake:
        async with running(tmp_path, fake, monkeypatch, background=False) as (app, service):
            await set_guild(app, log_channel=LOG_CHANNEL)
            await register(service, 101, 102, 103)  # with the right secret
        before = fake.counters.requests
        async with running(tmp_path, fake, monkeypatch, secret="wrong") as (app, service):
            with structlog.testing.capture_logs() as logs:
                await listed(service, "GOOD")
                redeemer = await service.redeemer()
                await until(lambda: redeemer.state.runner.status == "stopped")
                await asyncio.sleep(0.3)  # nothing more leaves
        sent = fake.counters.requests - before
        assert sent == 1  # the canary's request; nothing after it
        db = tmp_path / "vouchy.db"
        assert rows(db, "SELECT status, stop_reason FROM giftcode_runner") == [
            ("stopped", "sign_error")
        ]
        assert not [v for v in outcomes(db).values() if v.startswith("failed")]
        posts = [p for (p,) in rows(db, "SELECT payload FROM outbox WHERE kind = 'discord.post'")]
        [alert] = [p for p in posts if str(LOG_CHANNEL) in p]
        assert "sign error" in alert
        assert [e["event"] for e in logs if e["log_level"] == "error"] == [
            "giftcode_redemption_stopped"
        ]
        # A restart (with the secret fixed) resumes where it stopped and finishes the run.
        async with running(tmp_path, fake, monkeypatch) as (app, service):
            await settled(service)
    assert set(outcomes(db).values()) == {"done:success"}
    assert fake.counters.successes == {("GOOD", 101): 1, ("GOOD", 102): 1, ("GOOD", 103): 1}
    assert rows(db, "SELECT status FROM giftcode_runner") == [("running",)]


async def test_the_registrations_counter_is_audited_and_repaired_from_its_source_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "vouchy.db"
    async with publisher(101, 102) as fake:
        async with running(tmp_path, fake, monkeypatch, background=False) as (app, service):
            await register(service, 101, 102)
            await register(service, 101, guild=999_999_999_999_999_999)
            assert (await app.audit()).clean
    # Break the counter while Vouchy is stopped (a hand edit, a bug of another version).
    conn = sqlite3.connect(db)
    conn.execute("UPDATE giftcode_players SET guilds = 7 WHERE fid = 101")
    conn.commit()
    conn.close()
    async with running(tmp_path, None, monkeypatch, background=False) as (app, _service):
        [found] = (await app.audit()).discrepancies
        assert (found.check, found.key, found.balance, found.ledger_sum) == (
            tables.CHECK_GUILDS,
            [101],
            7,
            2,
        )
        assert [d.key for d in (await app.audit(GUILD)).discrepancies] == [[101]]
        assert len(await app.repair()) == 1
        assert (await app.audit()).clean
    assert rows(db, "SELECT fid, guilds FROM giftcode_players ORDER BY fid") == [(101, 2), (102, 1)]


async def test_the_captcha_shape_runs_through_the_actor_and_never_sends_an_unsure_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from features.giftcodes.giftcodes_support import SECRET

    from vouchy.features.giftcodes.fake_provider import FakeCaptchaSolver, FakeProvider
    from vouchy.features.giftcodes.provider import GiftCodeClient

    fake = FakeProvider(
        secret=SECRET,
        players=[p for p in publisher(101, 102).players.values()],
        codes=[FakeCode(code="GOOD")],
        captcha=True,
    )
    async with fake:
        solver = FakeCaptchaSolver(fake, confidences=[0.2])
        fake.inject("captcha_error")  # the publisher refuses one answer
        client = GiftCodeClient(fake.base_url, SECRET, shape="captcha", solver=solver)
        async with running(tmp_path, fake, monkeypatch, background=False) as (app, service):
            service.publisher = client  # before the state loads: the loop uses this client
            service._close_publisher = client.close
            await app.start_background()
            await set_guild(app)
            await register(service, 101, 102)
            await listed(service, "GOOD")
            await settled(service)
    assert set(outcomes(tmp_path / "vouchy.db").values()) == {"done:success"}
    # The unsure read (0.2) fetched a new captcha instead of being sent; the refused answer was
    # tried again with a new captcha.
    assert fake.counters.answers["CAPTCHA CHECK ERROR."] == 1
    assert fake.counters.by_path["captcha"] == 4  # 2 players + the unsure one + the retry
    assert max(fake.counters.successes.values()) == 1


async def test_the_game_secret_is_never_logged_nor_kept_in_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from features.giftcodes.giftcodes_support import SECRET

    async with publisher(101, codes=[FakeCode(code="GOOD")]) as fake:
        fake.inject("sign_error")  # the loop stops, logs, alerts: the secret in none of it
        with structlog.testing.capture_logs() as logs:
            async with running(tmp_path, fake, monkeypatch, giftcodes_canary="false") as (
                app,
                service,
            ):
                await set_guild(app, log_channel=LOG_CHANNEL)
                await register(service, 101)
                await listed(service, "GOOD")
                redeemer = await service.redeemer()
                await until(lambda: redeemer.state.runner.status == "stopped")
                config_text = repr(app.config) + repr(service.publisher) + repr(service.config)
    assert logs and SECRET not in repr(logs)
    assert SECRET not in config_text
    assert SECRET not in Path("config.toml").read_text()
    assert SECRET not in repr(rows(tmp_path / "vouchy.db", "SELECT * FROM outbox"))
    for journal in (tmp_path / "journal").iterdir():
        assert SECRET not in journal.read_text()


async def test_a_player_who_moved_state_is_looked_up_again_stored_and_then_redeemed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "vouchy.db"
    async with publisher(101, codes=[FakeCode(code="GOOD")]) as fake:
        async with running(tmp_path, fake, monkeypatch) as (app, service):
            await set_guild(app)
            await register(service, 101)
            assert rows(db, "SELECT kid FROM giftcode_players") == [(245,)]
            fake.players[101].kid = 312  # the player transferred to another state
            await listed(service, "GOOD")
            await settled(service)
    assert fake.counters.answers["USER INFO ERROR."] == 1
    assert fake.counters.by_path["player"] == 2  # registered, then looked up again
    assert rows(db, "SELECT kid FROM giftcode_players") == [(312,)]
    assert outcomes(db) == {("GOOD", 101): "done:success"}
