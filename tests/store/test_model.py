"""Random concurrent mixes over every kind of row, against a sequential model of the writer.

Each member's owner sends its operations in order; members run concurrently. The writer
applies operations in the order they reach it, so a plain sequential model fed that same
order must give every caller the same answer and end with the same rows in every table:
balances (ledger moves), a feature-shaped table (a bounded counter, a compare-and-set state,
rows made on demand) and per-guild settings. Then the same rows must come back after the
database is lost, or only its WAL (invariants 2, 3, 4, 5, 7).
"""

from __future__ import annotations

import asyncio
import random
import shutil
import sqlite3
import tempfile
from pathlib import Path

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import open_app

from vouchy.core.errors import VouchyError
from vouchy.store.durability.files import sqlite_files
from vouchy.store.operations import Add, Expect, Op, Patch, Receipt

STARTING = 25
GUILDS = (1, 2)
USERS = (11, 12, 13, 14)
WIDGETS = (1, 2)
KINDS = ["earn", "spend", "transfer", "set", "stock", "settle", "reopen", "daily_amount"]

op_strategy = st.tuples(
    st.sampled_from(GUILDS),
    st.sampled_from(USERS),
    st.sampled_from(KINDS),
    st.integers(min_value=-3, max_value=60),
    st.sampled_from(USERS),
    st.sampled_from(WIDGETS),
    st.integers(min_value=0, max_value=40),  # reference number: small pool, so some repeat
)


class Model:
    """The store's rules, applied one operation at a time."""

    def __init__(self) -> None:
        self.balances: dict[tuple[int, int], int] = {}
        self.widgets: dict[tuple[int, int], dict] = {}
        self.settings: dict[tuple[int, str, str], str] = {}
        self.seen: dict[tuple[int, str], tuple[tuple[int, str], tuple]] = {}

    def apply(self, spec: tuple, ref: str) -> tuple:
        g, u, kind, amount, target, widget = spec
        if (g, ref) in self.seen:
            owner, first = self.seen[(g, ref)]
            if owner != (u, kind):  # another member's (or another kind of) operation
                return ("refused", "error.reference_taken")
            return first if first[0] == "refused" else ("dup", *first[1:])
        result = self._apply(g, u, kind, amount, target, widget)
        self.seen[(g, ref)] = ((u, kind), result)
        return result

    def _apply(self, g: int, u: int, kind: str, amount: int, target: int, widget: int) -> tuple:
        balance = self.balances.get((g, u), STARTING)
        if kind in ("earn", "spend", "transfer", "set"):
            delta = {"earn": amount, "spend": -amount, "transfer": -amount}.get(kind)
            if kind == "set":
                delta = amount - balance
                if delta == 0:
                    return ("refused", "store.nothing_to_change")
            if balance + delta < 0:
                return ("refused", "error.insufficient_funds")
            self.balances[(g, u)] = balance + delta
            if kind == "transfer":
                to = (g, target)
                self.balances[to] = self.balances.get(to, STARTING) - delta
                return ("ok", balance + delta, self.balances[to])
            return ("ok", balance + delta)
        row = self.widgets.get((g, widget))
        if kind == "stock":
            stock = (row or {}).get("stock", 0) + amount
            if stock < 0:
                return ("refused", "widgets.out_of_stock")
            self.widgets[(g, widget)] = {"stock": stock, "state": (row or {}).get("state", "open")}
            return ("ok", stock)
        if kind == "settle":
            if row is None or row["state"] != "open":
                return ("refused", "widgets.not_open")
            self.widgets[(g, widget)] = {**row, "state": "settled"}
            return ("ok", "settled")
        if kind == "reopen":
            self.widgets[(g, widget)] = {"stock": (row or {}).get("stock", 0), "state": "open"}
            return ("ok", "open")
        self.settings[(g, "points", "daily_amount")] = str(amount)
        return ("ok", amount)


def build(app, spec: tuple, ref: str) -> asyncio.Future:
    """The operation through the member's owner, as a feature would make it."""
    g, u, kind, amount, target, widget = spec
    member = app.points.member(g, u)
    if kind == "earn":
        return member.earn(amount, ref)
    if kind == "spend":
        return member.spend(amount, ref)
    if kind == "transfer":
        return member.transfer(target, amount, ref)
    if kind == "set":
        return member.adjust("set", amount, ref, acting_user_id=99)
    key = (g, widget)
    if kind == "stock":
        changes: tuple = (
            Add(
                table="widgets",
                key=key,
                column="stock",
                delta=amount,
                refuse="widgets.out_of_stock",
            ),
        )
    elif kind == "settle":
        changes = (
            Expect(
                table="widgets", key=key, column="state", value="open", refuse="widgets.not_open"
            ),
            Patch(table="widgets", key=key, values={"state": "settled"}),
        )
    elif kind == "reopen":
        changes = (Patch(table="widgets", key=key, values={"state": "open"}, create=True),)
    else:
        changes = tuple(app.settings.changes(g, "points", {"daily_amount": amount}, updated_by=u))
    op = Op(guild_id=g, user_id=u, reference=ref, name=f"model.{kind}", changes=changes)
    return app.actors.member(g, u).submit(op)


def valid(spec: tuple) -> bool:
    """Amounts the points rules accept at the edge (refused before the writer otherwise)."""
    g, u, kind, amount, target, widget = spec
    if kind in ("earn", "spend", "transfer", "daily_amount"):
        return amount >= 1 and (kind != "transfer" or target != u)
    if kind == "set":
        return amount >= 0
    return True


def outcome(kind: str, result: object) -> tuple:
    if isinstance(result, VouchyError):
        return ("refused", result.key)
    assert isinstance(result, Receipt)
    first = "dup" if result.duplicate else "ok"
    if kind in ("earn", "spend", "set"):
        return (first, result.balance)
    if kind == "transfer":
        return (first, result.balance, result.to_balance)
    if kind == "stock":
        return (first, result.row("widgets")["stock"])
    if kind in ("settle", "reopen"):
        return (first, result.row("widgets")["state"])
    return (first, int(result.row("settings")["value"]))


def tables(db: Path) -> dict:
    conn = sqlite3.connect(db)
    try:
        return {
            "balances": dict(
                ((g, u), b)
                for g, u, b in conn.execute("SELECT guild_id, user_id, balance FROM accounts")
            ),
            "widgets": {
                (g, w): {"stock": s, "state": st}
                for g, w, s, st in conn.execute("SELECT guild_id, id, stock, state FROM widgets")
            },
            "settings": {
                (g, f, k): v
                for g, f, k, v in conn.execute("SELECT guild_id, feature, key, value FROM settings")
            },
        }
    finally:
        conn.close()


async def run_mix(data_dir: Path, specs: list[tuple], image: Path | None = None) -> Model:
    app = await open_app(data_dir, points_starting_balance=STARTING)
    order: list[tuple[int, str, int]] = []
    original = app.writer.try_submit

    def recording(op: Op):
        future = original(op)
        if future is not None:
            order.append((op.guild_id, op.reference, op.user_id))
        return future

    app.writer.try_submit = recording  # type: ignore[method-assign]
    refs = [f"r{s[0] % 2}-{s[6]}" for s in specs]
    try:
        calls = [(spec[:6], ref) for spec, ref in zip(specs, refs, strict=True) if valid(spec[:6])]
        futures = [build(app, spec, ref) for spec, ref in calls]
        results = await asyncio.gather(*futures, return_exceptions=True)
        report = await app.audit()
        if image is not None:  # the files as a crash would leave them: WAL and journal open
            image.mkdir(parents=True)
            for path in sqlite_files(app.config.db_path)[:2]:
                if path.exists():
                    shutil.copy(path, image / path.name)
            shutil.copytree(app.config.journal_dir, image / "journal")
            shutil.copy(app.config.data_dir / "vouchy.id", image / "vouchy.id")
    finally:
        await app.close()

    # Each call's answer equals the model's, fed the order the writer saw. A reference reused
    # by another member is refused (it names someone else's operation), never answered.
    # A member's own operations reach the writer in the order they were told (their owner).
    by_ref: dict[tuple[int, str, int], list] = {}
    for (spec, ref), result in zip(calls, results, strict=True):
        by_ref.setdefault((spec[0], ref, spec[1]), []).append((spec, result))
    model = Model()
    for key in order:
        spec, result = by_ref[key].pop(0)
        expected = model.apply(spec, key[1])
        assert outcome(spec[2], result) == expected, (spec, key, result)
    assert report.clean, report.discrepancies
    return model


def expected_tables(model: Model) -> dict:
    return {
        "balances": model.balances,
        "widgets": model.widgets,
        "settings": {k: v for k, v in model.settings.items()},
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(op_strategy, min_size=1, max_size=60))
def test_concurrent_mixes_answer_like_a_sequential_model_and_every_table_agrees(specs) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        model = asyncio.run(run_mix(Path(tmp), specs))
        assert tables(Path(tmp) / "vouchy.db") == expected_tables(model)


def test_every_table_comes_back_whole_after_losing_the_database_or_only_its_wal(tmp_path):
    rng = random.Random(8)
    specs = [
        (
            rng.choice(GUILDS),
            rng.choice(USERS),
            rng.choice(KINDS),
            rng.randint(-3, 60),
            rng.choice(USERS),
            rng.choice(WIDGETS),
            rng.randint(0, 300),
        )
        for _ in range(400)
    ]
    image = tmp_path / "image"
    model = asyncio.run(run_mix(tmp_path / "live", specs, image))
    want = expected_tables(model)
    assert tables(tmp_path / "live" / "vouchy.db") == want
    for lost in (("vouchy.db", "vouchy.db-wal"), ("vouchy.db-wal",)):
        data = tmp_path / f"without-{len(lost)}"
        shutil.copytree(image, data)
        for name in lost:
            (data / name).unlink(missing_ok=True)

        async def reopen(data: Path = data) -> None:
            app = await open_app(data, points_starting_balance=STARTING)
            try:
                assert (await app.audit()).clean
                assert app.recovery is not None and app.recovery.action != "ok"
            finally:
                await app.close()

        asyncio.run(reopen())
        assert tables(data / "vouchy.db") == want, lost


def test_a_receipt_encodes_and_decodes_the_same():
    receipt = Receipt(reference="r", guild_id=1, user_id=2, seq=3, created_at=4)
    assert msgspec.json.decode(msgspec.json.encode(receipt), type=Receipt) == receipt
