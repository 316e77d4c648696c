"""The ledger's promises, one test each: idempotent references, failures that stay alone,
bad input that changes nothing, per-user order, back-pressure and a flushing shutdown."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from support import GUILD, dump, open_app

from vouchy.core.errors import (
    BotAccount,
    Busy,
    CooldownActive,
    InsufficientFunds,
    InvalidAmount,
    InvalidInput,
    SelfTransfer,
    StorageUnavailable,
)
from vouchy.store.operations import Move, Op

ALICE, BOB = 1001, 1002


@pytest.fixture
async def app(tmp_path):
    app = await open_app(tmp_path, points_starting_balance=25)
    yield app
    await app.close()


@pytest.mark.parametrize("copies", [1, 2, 3, 4, 5])
async def test_the_same_reference_sent_at_once_makes_one_ledger_row_and_one_answer(
    tmp_path, copies
):
    app = await open_app(tmp_path)
    try:
        # Straight to the writer, past the member's owner, so the copies really race.
        earn_op = Op(
            guild_id=GUILD, user_id=ALICE, reference="ix:777", name="t", moves=(earn(ALICE, 40),)
        )
        give = Move(user_id=ALICE, kind="transfer_out", delta=-5, to_user_id=BOB)
        give_op = Op(guild_id=GUILD, user_id=ALICE, reference="ix:778", name="g", moves=(give,))
        results = await asyncio.gather(
            *(app.writer.submit(earn_op) for _ in range(copies)),
            *(app.writer.submit(give_op) for _ in range(copies)),
        )
    finally:
        await app.close()
    earns, transfers = results[:copies], results[copies:]
    assert {(r.ledger_id, r.user_id, r.balance) for r in earns} == {(earns[0].ledger_id, ALICE, 65)}
    assert sum(not r.duplicate for r in earns) == 1
    assert {(r.ledger_id, r.balance, r.to_balance) for r in transfers} == {
        (transfers[0].ledger_id, 60, 30)
    }
    rows = [(r[6], r[5]) for r in dump(tmp_path / "vouchy.db")["ledger"]]
    assert rows.count(("ix:777", "earn")) == 1
    assert rows.count(("ix:778", "transfer_out")) == 1
    assert rows.count(("ix:778", "transfer_in")) == 1


async def test_a_reference_repeated_after_a_restart_changes_nothing_and_answers_the_first_receipt(
    tmp_path,
):
    app = await open_app(tmp_path)
    first = await app.points.member(GUILD, ALICE).earn(10, "ix:1")
    await app.close()
    app = await open_app(tmp_path)
    try:
        again = await app.points.member(GUILD, ALICE).earn(99, "ix:1")
        assert (await app.points.member(GUILD, ALICE).account()).balance == 35
    finally:
        await app.close()
    assert again.duplicate and (again.ledger_id, again.delta, again.balance) == (
        first.ledger_id,
        10,
        35,
    )


async def test_a_refused_operation_fails_alone_and_its_batch_neighbours_commit(app):
    ops = [
        app.points.member(GUILD, ALICE).earn(5, "a"),
        app.points.member(GUILD, BOB).spend(500, "b"),  # refused: Bob has 25
        app.points.member(GUILD, 1003).daily("c"),
        app.points.member(GUILD, 1003).daily("d"),  # refused: cooldown
    ]
    results = await asyncio.gather(*ops, return_exceptions=True)
    assert results[0].balance == 30
    assert isinstance(results[1], InsufficientFunds) and results[1].balance == 25
    assert results[2].balance == 125
    assert isinstance(results[3], CooldownActive)
    assert (await app.points.member(GUILD, BOB).account()).exists is False
    assert (await app.audit()).clean


async def test_operations_of_one_member_apply_in_the_order_they_arrived(app):
    actor = app.points.member(GUILD, ALICE)
    futures = [
        actor.earn(10, f"o{i}") if i % 2 == 0 else actor.spend(30, f"o{i}") for i in range(12)
    ]
    results = await asyncio.gather(*futures, return_exceptions=True)
    # 25 +10 -30 = 5, +10 = 15, spend 30 refused, ... the sequence a person would compute.
    balance, expected = 25, []
    for i in range(12):
        delta = 10 if i % 2 == 0 else -30
        if balance + delta < 0:
            expected.append("refused")
        else:
            balance += delta
            expected.append(balance)
    got = [r.balance if not isinstance(r, Exception) else "refused" for r in results]
    assert got == expected
    ids = [r.ledger_id for r in results if not isinstance(r, Exception)]
    assert ids == sorted(ids)


async def test_a_transfer_never_lets_a_balance_go_negative(app):
    results = await asyncio.gather(
        *(app.points.member(GUILD, ALICE).transfer(BOB, 10, f"t{i}") for i in range(5)),
        return_exceptions=True,
    )
    assert [r.balance if not isinstance(r, Exception) else "refused" for r in results] == [
        15,
        5,
        "refused",
        "refused",
        "refused",
    ]
    assert (await app.points.member(GUILD, BOB).account()).balance == 45
    assert (await app.audit()).clean


BAD_INPUTS = [
    ("zero amount", lambda a: a.points.member(GUILD, ALICE).earn(0, "x"), InvalidAmount),
    ("negative amount", lambda a: a.points.member(GUILD, ALICE).spend(-5, "x"), InvalidAmount),
    (
        "amount over the limit",
        lambda a: a.points.member(GUILD, ALICE).earn(10_001, "x"),
        InvalidAmount,
    ),
    ("fractional amount", lambda a: a.points.member(GUILD, ALICE).earn(2.5, "x"), InvalidAmount),
    ("text amount", lambda a: a.points.member(GUILD, ALICE).earn("10", "x"), InvalidAmount),
    ("boolean amount", lambda a: a.points.member(GUILD, ALICE).earn(True, "x"), InvalidAmount),
    (
        "giving to oneself",
        lambda a: a.points.member(GUILD, ALICE).transfer(ALICE, 5, "x"),
        SelfTransfer,
    ),
    (
        "giving to a bot",
        lambda a: a.points.member(GUILD, ALICE).transfer(BOB, 5, "x", receiver_is_bot=True),
        BotAccount,
    ),
    (
        "giving to id zero",
        lambda a: a.points.member(GUILD, ALICE).transfer(0, 5, "x"),
        InvalidInput,
    ),
    (
        "spending more than the balance",
        lambda a: a.points.member(GUILD, ALICE).spend(26, "x"),
        InsufficientFunds,
    ),
    (
        "removing more than the balance",
        lambda a: a.points.member(GUILD, ALICE).adjust("remove", 26, "x", acting_user_id=9),
        InsufficientFunds,
    ),
    (
        "setting a negative balance",
        lambda a: a.points.member(GUILD, ALICE).adjust("set", -1, "x", acting_user_id=9),
        InvalidAmount,
    ),
    (
        "setting the balance it has",
        lambda a: a.points.member(GUILD, ALICE).adjust("set", 25, "x", acting_user_id=9),
        InvalidInput,
    ),
    (
        "a reason that is too long",
        lambda a: a.points.member(GUILD, ALICE).earn(5, "x", reason="r" * 201),
        InvalidInput,
    ),
    (
        "an empty reference",
        lambda a: a.writer.submit(
            Op(guild_id=GUILD, user_id=ALICE, reference="", name="t", moves=(earn(ALICE, 1),))
        ),
        InvalidInput,
    ),
    (
        "a delta beyond the schema's bound",
        lambda a: a.writer.submit(
            Op(guild_id=GUILD, user_id=ALICE, reference="y", name="t", moves=(earn(ALICE, 10**13),))
        ),
        InvalidInput,
    ),
    ("page zero", lambda a: a.points.member(GUILD, ALICE).history(0), InvalidInput),
    ("page 10^12", lambda a: a.points.member(GUILD, ALICE).history(10**12), InvalidInput),
]


def earn(user_id: int, delta: int) -> Move:
    return Move(user_id=user_id, kind="earn", delta=delta)


@pytest.mark.parametrize("name,call,error", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
async def test_bad_input_gets_a_clear_error_and_changes_nothing(app, tmp_path, name, call, error):
    await app.points.member(GUILD, ALICE).daily("seed")  # something to leave untouched
    await app.points.member(GUILD, ALICE).spend(100, "seed2")
    before = dump(tmp_path / "vouchy.db")
    with pytest.raises(error) as caught:
        await call(app)
    assert caught.value.message and "\n" not in caught.value.message
    assert dump(tmp_path / "vouchy.db") == before
    assert (await app.audit()).clean


async def test_a_storage_failure_answers_every_caller_and_the_writer_recovers(
    app, tmp_path, monkeypatch
):
    await app.points.member(GUILD, ALICE).earn(1, "before")
    before = dump(tmp_path / "vouchy.db")
    real = app.writer._write
    calls = {"n": 0}

    def failing(conn, plan, check):
        calls["n"] += 1
        if calls["n"] == 1:
            raise sqlite3.OperationalError("disk I/O error")
        return real(conn, plan, check)

    monkeypatch.setattr(app.writer, "_write", failing)
    results = await asyncio.gather(
        app.points.member(GUILD, ALICE).earn(5, "f1"),
        app.points.member(GUILD, BOB).earn(5, "f2"),
        return_exceptions=True,
    )
    assert all(isinstance(r, StorageUnavailable) for r in results)
    assert dump(tmp_path / "vouchy.db") == before
    # The same references go through once the disk answers again.
    again = await asyncio.gather(
        app.points.member(GUILD, ALICE).earn(5, "f1"), app.points.member(GUILD, BOB).earn(5, "f2")
    )
    assert [r.balance for r in again] == [31, 30]
    assert (await app.audit()).clean


async def test_a_full_queue_makes_callers_wait_instead_of_dropping_work(tmp_path):
    app = await open_app(tmp_path, limits_writer_queue_size=4, limits_writer_max_batch=2)
    try:
        results = await asyncio.gather(
            *(app.points.member(GUILD, 5000 + i).earn(1, f"q{i}") for i in range(50))
        )
    finally:
        await app.close()
    assert [r.balance for r in results] == [26] * 50
    assert len(dump(tmp_path / "vouchy.db")["accounts"]) == 50


async def test_shutdown_commits_everything_already_accepted_then_refuses_new_work(tmp_path):
    app = await open_app(tmp_path)
    futures = [app.points.member(GUILD, 6000 + i % 7).earn(3, f"shut{i}") for i in range(200)]
    await app.close()
    assert all(f.done() and not f.exception() for f in futures)
    with pytest.raises(Busy):
        app.points.member(GUILD, ALICE).earn(1, "late")
    ledger = dump(tmp_path / "vouchy.db")["ledger"]
    assert sum(1 for r in ledger if r[6].startswith("shut") and r[5] == "earn") == 200


async def test_the_schema_refuses_a_negative_balance_and_edits_to_the_ledger(app, tmp_path):
    await app.points.member(GUILD, ALICE).earn(1, "x")
    conn = sqlite3.connect(tmp_path / "vouchy.db")
    try:
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE accounts SET balance = -1")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE ledger SET delta = 1000")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM ledger")
    finally:
        conn.close()


async def test_history_pages_newest_first_and_the_leaderboard_ranks_the_asker(app):
    for i in range(7):
        await app.points.member(GUILD, ALICE).earn(i + 1, f"h{i}")
    await app.points.member(GUILD, BOB).earn(100, "b")
    page = await app.points.member(GUILD, ALICE).history(1, 3)
    assert [e.reference for e in page.entries] == ["h6", "h5", "h4"]
    assert (page.total, page.pages) == (8, 3)  # 7 earns and the opening row
    board = await app.points.member(GUILD, ALICE).leaderboard(1, 1)
    assert [(r.rank, r.user_id) for r in board.rows] == [(1, BOB)]
    assert (board.asker_rank, board.asker_balance) == (2, 53)


async def test_audit_finds_a_tampered_balance_and_repair_rebuilds_it_from_the_ledger(app, tmp_path):
    await app.points.member(GUILD, ALICE).earn(10, "x")
    await app.close()
    conn = sqlite3.connect(tmp_path / "vouchy.db")
    conn.execute("UPDATE accounts SET balance = 999 WHERE user_id = ?", (ALICE,))
    conn.commit()
    conn.close()
    app2 = await open_app(tmp_path)
    try:
        report = await app2.audit()
        assert [(d.user_id, d.problem, d.balance, d.ledger_sum) for d in report.discrepancies] == [
            (ALICE, "balance_mismatch", 999, 35)
        ]
        fixed = await app2.repair()
        assert [(r.kind, r.delta, r.balance) for r in fixed] == [("repair", 0, 35)]
        assert (await app2.audit()).clean
        assert (await app2.points.member(GUILD, ALICE).earn(1, "after")).balance == 36
        entry = (await app2.points.member(GUILD, ALICE).history(1, 2)).entries[1]
        assert entry.kind == "repair" and "999" in entry.reason
    finally:
        await app2.close()


async def test_a_second_writer_on_the_same_data_directory_is_refused(app, tmp_path):
    from vouchy.store.durability.lock import DataDirectoryBusy

    with pytest.raises(DataDirectoryBusy, match="in use"):
        await open_app(tmp_path)


async def test_reads_do_not_wait_for_a_write_in_progress(app):
    import time

    await app.points.member(GUILD, ALICE).earn(5, "r")

    def long_write(conn, _ctx):
        conn.execute("UPDATE accounts SET updated_at = updated_at")
        time.sleep(1.0)  # the write connection's thread is busy inside a transaction
        return None, None

    writing = asyncio.ensure_future(app.writer.exclusive(long_write))
    await asyncio.sleep(0.1)
    started = time.perf_counter()
    view = await app.points.member(GUILD, ALICE).account()
    board = await app.points.member(GUILD, ALICE).leaderboard()
    assert time.perf_counter() - started < 0.5
    assert view.balance == 30 and board.asker_rank == 1
    assert not writing.done()
    await writing


async def test_ids_that_are_int_subclasses_are_stored_as_plain_ids(app, tmp_path):
    class Snowflake(int):  # what hikari hands over
        pass

    receipt = await app.points.member(Snowflake(GUILD), Snowflake(ALICE)).transfer(
        Snowflake(BOB), 5, "sf"
    )
    assert type(receipt.user_id) is int and type(receipt.to_user_id) is int
    assert (await app.points.member(GUILD, BOB).account()).balance == 30
