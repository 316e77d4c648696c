"""The store's generic primitives, one promise each: rows written whole with their ledger
moves, bounds and preconditions that refuse an operation alone, references that answer only
their own operation (the first result, refusals included), bad input that fails alone, and a
split batch that tells each caller the truth."""

from __future__ import annotations

import asyncio
import sqlite3

import msgspec
import pytest
from support import GUILD, open_app

from vouchy.core.errors import (
    InsufficientFunds,
    InvalidInput,
    ReferenceTaken,
    Refused,
    StorageUnavailable,
)
from vouchy.store.durability.journal import JournalUnavailable
from vouchy.store.operations import Add, Delete, Expect, Insert, Move, Op, Patch, Put

ALICE, BOB, CAROL = 1001, 1002, 1003


@pytest.fixture
async def app(tmp_path):
    app = await open_app(tmp_path)
    yield app
    await app.close()


def op(ref: str, user: int = ALICE, *, name: str = "widgets.test", **fields) -> Op:
    return Op(guild_id=GUILD, user_id=user, reference=ref, name=name, **fields)


def spend(user: int, amount: int) -> Move:
    return Move(user_id=user, kind="spend", delta=-amount)


def widgets(tmp_path) -> dict:
    conn = sqlite3.connect(tmp_path / "vouchy.db")
    try:
        return {
            (g, i): (stock, state, note)
            for g, i, stock, state, note in conn.execute("SELECT * FROM widgets")
        }
    finally:
        conn.close()


def ledger_refs(tmp_path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(tmp_path / "vouchy.db")
    try:
        return conn.execute("SELECT reference, kind FROM ledger ORDER BY id").fetchall()
    finally:
        conn.close()


async def test_rows_and_ledger_moves_of_one_operation_are_written_together(app, tmp_path):
    receipt = await app.writer.submit(
        op(
            "buy-1",
            moves=(spend(ALICE, 5),),
            changes=(
                Put(table="widgets", key=(GUILD, 1), values={"stock": 3, "note": "new"}),
                Add(table="widgets", key=(GUILD, 1), column="stock", delta=-1),
                Insert(table="widgets", key=(GUILD, 2), values={"state": "settled"}),
            ),
        )
    )
    assert receipt.balance == 20
    assert receipt.row("widgets", (GUILD, 1))["stock"] == 2
    assert widgets(tmp_path) == {(GUILD, 1): (2, "open", "new"), (GUILD, 2): (0, "settled", "")}
    await app.writer.submit(op("del", changes=(Delete(table="widgets", key=(GUILD, 2)),)))
    assert (GUILD, 2) not in widgets(tmp_path)


async def test_a_bound_refuses_the_operation_alone_and_leaves_no_trace(app, tmp_path):
    await app.writer.submit(
        op("stock", changes=(Put(table="widgets", key=(GUILD, 1), values={"stock": 3}),))
    )
    before_ledger = ledger_refs(tmp_path)
    results = await asyncio.gather(
        app.writer.submit(op("ok-1", user=BOB, moves=(spend(BOB, 1),))),
        app.writer.submit(
            op(
                "too-many",
                user=CAROL,
                moves=(spend(CAROL, 5),),  # would open Carol's account: no trace of it either
                changes=(
                    Add(
                        table="widgets",
                        key=(GUILD, 1),
                        column="stock",
                        delta=-5,
                        refuse="widgets.out_of_stock",
                        params={"item": "widget"},
                    ),
                ),
            )
        ),
        app.writer.submit(op("ok-2", user=BOB, moves=(spend(BOB, 1),))),
        return_exceptions=True,
    )
    refused = results[1]
    assert isinstance(refused, Refused) and refused.key == "widgets.out_of_stock"
    assert refused.params == {"item": "widget", "current": 3, "delta": -5}
    assert [r.balance for r in (results[0], results[2])] == [24, 23]
    assert widgets(tmp_path)[(GUILD, 1)][0] == 3
    new_rows = ledger_refs(tmp_path)[len(before_ledger) :]
    assert ("too-many", "start") not in new_rows and ("too-many", "spend") not in new_rows
    assert not (await app.points.member(GUILD, CAROL).account()).exists
    assert (await app.audit()).clean


async def test_compare_and_set_moves_a_state_only_from_what_it_expects(app, tmp_path):
    await app.writer.submit(op("open", changes=(Put(table="widgets", key=(GUILD, 7), values={}),)))

    def settle(ref: str, user: int) -> Op:
        return op(
            ref,
            user=user,
            changes=(
                Expect(
                    table="widgets",
                    key=(GUILD, 7),
                    column="state",
                    value="open",
                    refuse="hand.over",
                ),
                Patch(table="widgets", key=(GUILD, 7), values={"state": "settled", "note": ref}),
            ),
        )

    results = await asyncio.gather(
        *(app.writer.submit(settle(f"settle-{i}", ALICE + i)) for i in range(20)),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(
        isinstance(r, Refused) and r.params["current"] == "settled"
        for r in results
        if r not in winners
    )
    assert widgets(tmp_path)[(GUILD, 7)] == (0, "settled", winners[0].reference)


async def test_one_thousand_buyers_of_the_last_ten_units_leave_exactly_ten_sales(app, tmp_path):
    await app.writer.submit(
        op("restock", changes=(Put(table="widgets", key=(GUILD, 1), values={"stock": 10}),))
    )

    def buy(i: int) -> Op:
        user = 5000 + i
        return op(
            f"buy-{i}",
            user=user,
            moves=(spend(user, 1),),
            changes=(
                Add(table="widgets", key=(GUILD, 1), column="stock", delta=-1, low=0, refuse="out"),
            ),
        )

    # Through each member's owner, all at once: the check happens in the writer's plan.
    results = await asyncio.gather(
        *(app.actors.member(GUILD, 5000 + i).submit(buy(i)) for i in range(1000)),
        return_exceptions=True,
    )
    sold = [r for r in results if not isinstance(r, BaseException)]
    assert len(sold) == 10
    assert all(isinstance(r, Refused) and r.key == "out" for r in results if r not in sold)
    assert widgets(tmp_path)[(GUILD, 1)][0] == 0
    spends = [r for r in ledger_refs(tmp_path) if r[1] == "spend"]
    assert len(spends) == 10
    assert (await app.audit()).clean


async def test_a_repeated_reference_answers_the_first_receipt_rows_included(app):
    first = await app.writer.submit(
        op(
            "r1",
            changes=(Add(table="widgets", key=(GUILD, 3), column="stock", delta=4),),
            data={"draw": 17},
        )
    )
    again = await app.writer.submit(
        op(
            "r1",
            changes=(Add(table="widgets", key=(GUILD, 3), column="stock", delta=4),),
            data={"draw": 99},
        )
    )
    assert again.duplicate and not first.duplicate
    assert again.row("widgets")["stock"] == 4 and again.data == {"draw": 17}
    assert msgspec.structs.replace(again, duplicate=False) == first


async def test_a_refusal_is_a_result_the_same_reference_is_refused_the_same_way(app):
    with pytest.raises(InsufficientFunds) as first:
        await app.points.member(GUILD, ALICE).spend(100, "ix:9")
    await app.points.member(GUILD, ALICE).earn(500, "ix:10")
    with pytest.raises(InsufficientFunds) as again:  # Discord redelivered it: not applied now
        await app.points.member(GUILD, ALICE).spend(100, "ix:9")
    assert (
        (again.value.balance, again.value.needed)
        == (first.value.balance, first.value.needed)
        == (25, 100)
    )
    assert (await app.points.member(GUILD, ALICE).account()).balance == 525


async def test_a_reference_answers_only_the_operation_that_owns_it(app):
    mine = await app.points.member(GUILD, 8).transfer(9, 5, "x")
    with pytest.raises(ReferenceTaken):
        await app.points.member(GUILD, 10).earn(3, "x")  # not member 8's receipt
    with pytest.raises(ReferenceTaken):
        await app.points.member(GUILD, 8).earn(3, "x")  # member 8, but another operation
    assert (await app.points.member(GUILD, 10).account()).exists is False
    assert (await app.points.member(GUILD, 8).transfer(9, 5, "x")).ledger_id == mine.ledger_id


async def test_references_the_store_makes_for_itself_cannot_be_taken_by_a_caller(app):
    # Opening rows and transfer credits carry their operation's own reference, so no caller's
    # reference can collide with them.
    await app.points.member(GUILD, 6).earn(1, "start:5")
    await app.points.member(GUILD, 10).earn(1, "x:in")
    await app.points.member(GUILD, 8).transfer(9, 2, "x")
    assert (await app.points.member(GUILD, 5).earn(4, "first-for-5")).balance == 29
    assert (await app.points.member(GUILD, 9).account()).balance == 27
    assert (await app.audit()).clean


@pytest.mark.parametrize(
    "make",
    [
        lambda: Op(guild_id=2**63, user_id=1, reference="r", name="n"),
        lambda: Op(guild_id=1, user_id=1, reference="r", name="n", acting_user_id=2**64),
        lambda: Op(guild_id=1, user_id=0, reference="r", name="n"),
        lambda: Op(guild_id=-5, user_id=1, reference="r", name="n"),
        lambda: Op(guild_id=1, user_id=1, reference="r", name="n", reason="bad \ud800 text"),
        lambda: Op(guild_id=1, user_id=1, reference="\udfff", name="n"),
        lambda: Op(guild_id=1, user_id=1, reference="", name="n"),
        lambda: Op(guild_id=1, user_id=1, reference="r" * 201, name="n"),
        lambda: Move(user_id=2**63, kind="earn", delta=1),
        lambda: Move(user_id=1, kind="daily-ish", delta=1),
        lambda: Move(user_id=1, kind="earn", delta=10**13),
        lambda: Put(table="widgets", key=(1, 2), values={"note": b"bytes"}),
        lambda: Put(table="widgets; DROP TABLE ledger", key=(1, 2)),
        lambda: Add(table="widgets", key=(1, 2), column="stock", delta=2**70),
    ],
    ids=[
        "guild id 2^63",
        "acting user 2^64",
        "user id zero",
        "negative guild",
        "lone surrogate in a reason",
        "lone surrogate in a reference",
        "empty reference",
        "reference too long",
        "move user 2^63",
        "unknown ledger kind",
        "delta beyond the schema",
        "bytes value",
        "table name injection",
        "counter delta beyond 64 bits",
    ],
)
def test_bad_input_is_refused_at_the_edge_with_a_typed_error(make):
    with pytest.raises(InvalidInput) as caught:
        make()
    assert caught.value.message and "\n" not in caught.value.message


async def test_a_str_or_int_subclass_is_stored_as_the_plain_value(app, tmp_path):
    class Ref(str):
        pass

    class Snowflake(int):
        pass

    receipt = await app.writer.submit(
        Op(
            guild_id=Snowflake(GUILD),
            user_id=Snowflake(ALICE),
            reference=Ref("sub"),
            name="n",
            moves=(Move(user_id=Snowflake(ALICE), kind="earn", delta=1),),
        )
    )
    assert type(receipt.reference) is str and receipt.balance == 26


async def test_an_operation_the_plan_cannot_apply_fails_alone_and_its_neighbours_commit(
    app, tmp_path
):
    good = [
        app.writer.submit(
            op(f"g{i}", user=2000 + i, moves=(Move(user_id=2000 + i, kind="earn", delta=1),))
        )
        for i in range(10)
    ]
    bad = [
        app.writer.submit(op("no-table", changes=(Put(table="nowhere", key=(1,)),))),
        app.writer.submit(
            op(
                "no-column",
                changes=(Put(table="widgets", key=(GUILD, 1), values={"colour": "red"}),),
            )
        ),
        app.writer.submit(op("reserved", changes=(Put(table="ledger", key=(1,)),))),
        app.writer.submit(op("short-key", changes=(Put(table="widgets", key=(GUILD,)),))),
    ]
    more = [
        app.writer.submit(
            op(f"h{i}", user=3000 + i, moves=(Move(user_id=3000 + i, kind="earn", delta=1),))
        )
        for i in range(10)
    ]
    results = await asyncio.gather(*good, *bad, *more, return_exceptions=True)
    assert all(isinstance(r, InvalidInput) for r in results[10:14])
    assert [r.balance for r in results[:10] + results[14:]] == [26] * 20
    assert (await app.audit()).clean


async def test_a_write_the_schema_refuses_fails_alone_after_the_batch_is_split(app, tmp_path):
    ops = [
        op(
            f"n{i}",
            user=4000 + i,
            changes=(
                Put(
                    table="widgets",
                    key=(GUILD, 100 + i),
                    values={"note": "forbidden" if i == 5 else "fine"},
                ),
            ),
        )
        for i in range(12)
    ]
    results = await asyncio.gather(*(app.writer.submit(o) for o in ops), return_exceptions=True)
    assert isinstance(results[5], InvalidInput) and results[5].key == "store.schema_refused"
    assert [i for i, r in enumerate(results) if isinstance(r, BaseException)] == [5]
    assert len(widgets(tmp_path)) == 11


async def test_a_split_batch_whose_storage_fails_tells_each_caller_exactly_what_happened(
    tmp_path, monkeypatch
):
    app = await open_app(tmp_path)
    journal = app.writer.journal
    real = journal.append
    appends = {"n": 0}

    def failing_after_first(ws):
        appends["n"] += 1
        if appends["n"] > 1:
            raise JournalUnavailable()
        return real(ws)

    try:
        # Eight operations in one batch; the sixth breaks a CHECK only the schema knows, so
        # the batch is split. The first half commits; then the disk refuses every write.
        ops = [
            op(
                f"s{i}",
                user=4000 + i,
                moves=(Move(user_id=4000 + i, kind="earn", delta=1),),
                changes=(
                    Put(
                        table="widgets",
                        key=(GUILD, 200 + i),
                        values={"note": "forbidden" if i == 5 else "ok"},
                    ),
                ),
            )
            for i in range(8)
        ]
        monkeypatch.setattr(journal, "append", failing_after_first)
        results = await asyncio.gather(*(app.writer.submit(o) for o in ops), return_exceptions=True)
    finally:
        monkeypatch.undo()
        await app.close()
    told = ["saved" if not isinstance(r, BaseException) else r.key for r in results]
    assert told == ["saved"] * 4 + [
        "error.storage",
        "store.schema_refused",
        "error.storage",
        "error.storage",
    ]
    assert all(
        isinstance(r, StorageUnavailable)
        for r in results
        if getattr(r, "key", "") == "error.storage"
    )
    app = await open_app(tmp_path)  # what was answered "saved" is there, and only that
    try:
        assert sorted(widgets(tmp_path)) == [(GUILD, 200 + i) for i in range(4)]
        assert (await app.audit()).clean
    finally:
        await app.close()
