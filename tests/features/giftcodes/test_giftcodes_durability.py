"""Gift-code state outlives the process: a stop in the middle of a run resumes exactly where it
was, and a lost ``vouchy.db`` (with its WAL) comes back whole from the journal."""

from __future__ import annotations

from pathlib import Path

import pytest
from features.giftcodes.giftcodes_support import (
    GUILD,
    OTHER_GUILD,
    gift_tables,
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

from vouchy.features.giftcodes.fake_provider import FakeCode
from vouchy.store.durability.files import sqlite_files

FIDS = tuple(range(201, 211))


async def test_a_stop_in_the_middle_of_a_run_resumes_and_never_redeems_a_success_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "vouchy.db"
    codes = [FakeCode(code="ONE"), FakeCode(code="TWO")]
    async with publisher(*FIDS, codes=codes, slow_s=0.3) as fake:
        async with running(tmp_path, fake, monkeypatch, giftcodes_requests_per_second="20") as (
            app,
            service,
        ):
            await set_guild(app)
            await register(service, *FIDS)
            await listed(service, "ONE", "TWO")
            await until(lambda: sum(fake.counters.successes.values()) >= 6)
        # Stopped cleanly with the run half done: what was redeemed is stored as done.
        done_before = {pair for pair, label in outcomes(db).items() if label.startswith("done")}
        open_before = {
            pair for pair, label in outcomes(db).items() if not label.startswith(("done", "failed"))
        }
        assert done_before and open_before
        requests_before = dict(fake.counters.pair_requests)
        async with running(tmp_path, fake, monkeypatch) as (app, service):
            await settled(service)
    final = outcomes(db)
    assert set(final.values()) == {"done:success"}
    assert len(final) == 2 * len(FIDS)
    for pair in done_before:  # a success is never attempted again
        assert fake.counters.pair_requests[pair] == requests_before[pair]
    assert max(fake.counters.successes.values()) == 1
    assert set(fake.counters.successes) == set(final)


async def test_a_lost_database_comes_back_with_every_gift_code_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "vouchy.db"
    codes = [FakeCode(code="ONE"), FakeCode(code="OLD", state="expired")]
    async with publisher(*FIDS, codes=codes) as fake:
        async with running(tmp_path, fake, monkeypatch) as (app, service):
            await set_guild(app)
            await set_guild(app, OTHER_GUILD, auto=False)
            await register(service, *FIDS)
            await register(service, *FIDS[:3], guild=OTHER_GUILD)
            await service.remove_player(GUILD, str(FIDS[-1]), by=1, reference="rm-1")
            await listed(service, "ONE", "OLD")
            await service.add_code(OTHER_GUILD, "TYPED", by=1, reference="typed-1")
            await settled(service)
        before = gift_tables(db)
        settings_before = rows(db, "SELECT * FROM settings ORDER BY 1, 2, 3")
        outbox_before = rows(db, "SELECT id, guild_id, reference, kind, payload FROM outbox")
    assert len(before["giftcode_attempts"]) > 10 and before["giftcode_posts"]
    for path in sqlite_files(db):
        path.unlink(missing_ok=True)
    async with running(tmp_path, None, monkeypatch, background=False) as (app, service):
        assert app.recovery is not None and app.recovery.action == "recovered"
        assert (await app.audit()).clean
        assert (await service.players(GUILD))[0].fid == FIDS[0]
    assert gift_tables(db) == before
    assert rows(db, "SELECT * FROM settings ORDER BY 1, 2, 3") == settings_before
    assert rows(db, "SELECT id, guild_id, reference, kind, payload FROM outbox") == outbox_before
