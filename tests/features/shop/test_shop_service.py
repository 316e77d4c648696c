"""The shop through its service and the real store (no gateway): purchases that happen whole
or not at all, races between members decided by the writer's plan, items used once, codes
issued, used, expired and refunded once, what other features plug in, the audit and its
repairs, and everything surviving a lost database."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from support import open_app

from vouchy.app import Vouchy
from vouchy.cli import main
from vouchy.core.errors import InsufficientFunds, InvalidInput, ReferenceTaken, Refused
from vouchy.features.shop import listings
from vouchy.features.shop.listings import ListingChange
from vouchy.features.shop.rules import DAY_MS
from vouchy.features.shop.service import ShopService
from vouchy.store.operations import Move, Op

G = 111_111_111_111_111_111
ADMIN = 900_000_000_000_000_001
ALICE, BOB = 300_000_000_000_000_001, 300_000_000_000_000_002
SHOP_TABLES = (
    "accounts",
    "ledger",
    "shop_items",
    "shop_inventory",
    "shop_item_moves",
    "shop_listings",
    "shop_purchase_counts",
    "shop_purchases",
    "shop_multipliers",
    "shop_rewards",
    "shop_redemptions",
    "outbox",
)


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Vouchy]:
    app = await open_app(tmp_path)
    yield app
    await app.close()


def shop_of(app: Vouchy) -> ShopService:
    return app.service(ShopService)


def dump(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in SHOP_TABLES}
    finally:
        conn.close()


async def fund(app: Vouchy, user: int, points: int) -> None:
    await app.points.member(G, user).earn(points, f"fund:{user}:{points}:{random.random()}")


async def sell(app: Vouchy, name: str = "VIP pass", ref: str = "list", **change: object) -> str:
    values: dict[str, object] = {"price": 30}
    values.update(change)
    return await shop_of(app).add_listing(G, ADMIN, name, ListingChange(**values), ref)  # type: ignore[arg-type]


async def test_a_purchase_spends_points_takes_stock_counts_and_grants_in_one_change(app) -> None:
    shop = shop_of(app)
    await fund(app, ALICE, 100)
    item = await sell(app, stock=5, member_limit=3, description="Access to #vip")
    bought = await shop.buy(G, ALICE, item, 2, "ix:1")
    assert (bought.item, bought.quantity, bought.total, bought.balance, bought.held) == (
        "vip-pass",
        2,
        60,
        65,
        2,
    )
    listing = await shop.listing(G, item)
    assert listing is not None and (listing.stock, listing.sold) == (3, 2)
    history = await app.points.member(G, ALICE).history()
    assert (history.entries[0].kind, history.entries[0].delta) == ("purchase", -60)
    again = await shop.buy(G, ALICE, item, 2, "ix:1")  # Discord redelivered it
    assert again.balance == 65 and (await shop.listing(G, item)).sold == 2  # type: ignore[union-attr]
    view = await shop.inventory(G, ALICE)
    assert [(v.item, v.name, v.quantity, v.usable) for v in view.items] == [
        ("vip-pass", "VIP pass", 2, False)
    ]
    assert (await app.audit()).clean


@pytest.mark.parametrize(
    ("setup", "quantity", "roles", "key"),
    [
        ({"price": 1000}, 1, (), "error.insufficient_funds"),
        ({"stock": 1}, 2, (), "shop.out_of_stock"),
        ({"stock": 0}, 1, (), "shop.sold_out"),
        ({"member_limit": 1}, 2, (), "shop.limit_reached"),
        ({"required_role_id": 77}, 1, (78,), "shop.role_required"),
    ],
)
async def test_a_purchase_that_cannot_happen_is_refused_and_changes_nothing(
    app, tmp_path, setup, quantity, roles, key
) -> None:
    shop = shop_of(app)
    item = await sell(app, **setup)
    await fund(app, ALICE, 10)
    before = dump(tmp_path / "vouchy.db")
    with pytest.raises(Refused) as e:
        await shop.buy(G, ALICE, item, quantity, "ix:refused", role_ids=roles)
    assert e.value.key == key
    assert dump(tmp_path / "vouchy.db") == before


async def test_the_limit_counts_every_purchase_of_the_member(app, tmp_path) -> None:
    shop = shop_of(app)
    item = await sell(app, price=1, member_limit=2)
    await shop.buy(G, ALICE, item, 1, "ix:a")
    await shop.buy(G, ALICE, item, 1, "ix:b")
    before = dump(tmp_path / "vouchy.db")
    with pytest.raises(Refused) as e:
        await shop.buy(G, ALICE, item, 1, "ix:c")
    assert (e.value.key, e.value.params["current"], e.value.params["limit"]) == (
        "shop.limit_reached",
        2,
        2,
    )
    assert dump(tmp_path / "vouchy.db") == before
    assert (await shop.buy(G, BOB, item, 2, "ix:d")).held == 2  # another member's own limit


async def test_a_sale_past_its_end_date_and_an_item_gone_are_refused(app) -> None:
    shop = shop_of(app)
    item = await sell(app, price=1, ends_at=shop.clock() + 60_000)
    real = shop.clock
    shop.clock = lambda: real() + 120_000
    with pytest.raises(Refused) as e:
        await shop.buy(G, ALICE, item, 1, "ix:late")
    assert e.value.key == "shop.sale_ended"
    assert (await shop.shop(G)).listings == []  # an ended sale is not shown
    await shop.remove_listing(G, ADMIN, item, "unlist")
    with pytest.raises(Refused) as e:
        await shop.buy(G, ALICE, item, 1, "ix:gone")
    assert e.value.key == "shop.not_for_sale"


async def test_a_listing_changed_by_an_admin_after_it_was_read_refuses_the_purchase(app) -> None:
    shop = shop_of(app)
    item = await sell(app, price=5)
    stale = await shop.listing(G, item)
    assert stale is not None
    await shop.edit_listing(G, ADMIN, item, ListingChange(price=50), "reprice")
    # A purchase built from the listing as it was read, reaching the writer after the edit.
    op = listings.buy(
        G,
        ALICE,
        stale,
        1,
        role_ids=(),
        item_name="VIP pass",
        reference="ix:stale",
        move_id=shop.new_id(),
        now_ms=shop.clock(),
    )
    with pytest.raises(Refused) as e:
        await shop.submit(op)
    assert e.value.key == "shop.listing_changed"
    assert (await app.points.member(G, ALICE).account()).balance == 25
    assert await shop.quantity(G, ALICE, item) == 0


async def test_a_hundred_members_buying_the_last_ten_units_at_once_make_exactly_ten_sales(
    app, tmp_path
) -> None:
    shop = shop_of(app)
    item = await sell(app, price=20, stock=10)
    buyers = [400_000_000_000_000_000 + i for i in range(100)]
    results = await asyncio.gather(
        *(shop.buy(G, u, item, 1, f"ix:race:{u}") for u in buyers), return_exceptions=True
    )
    sold = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(sold) == 10
    assert all(isinstance(r, Refused) and r.key == "shop.sold_out" for r in refused)
    listing = await shop.listing(G, item)
    assert listing is not None and (listing.stock, listing.sold) == (0, 10)
    conn = sqlite3.connect(tmp_path / "vouchy.db")
    try:
        holders = conn.execute(
            "SELECT user_id, quantity FROM shop_inventory WHERE guild_id = ? AND quantity > 0",
            (G,),
        ).fetchall()
        records = conn.execute(
            "SELECT user_id, SUM(delta) FROM shop_item_moves WHERE guild_id = ? GROUP BY user_id",
            (G,),
        ).fetchall()
        spent = conn.execute(
            "SELECT COUNT(*), SUM(delta) FROM ledger WHERE guild_id = ? AND kind = 'purchase'",
            (G,),
        ).fetchone()
        balances = dict(
            conn.execute("SELECT user_id, balance FROM accounts WHERE guild_id = ?", (G,))
        )
    finally:
        conn.close()
    winners = {b.balance for b in sold}
    assert winners == {5}  # 25 - 20 for each buyer
    assert sorted(holders) == sorted(records) and len(holders) == 10
    assert all(q == 1 for _, q in holders)
    assert spent == (10, -200)
    assert sum(1 for u in buyers if balances.get(u) == 5) == 10
    assert (await app.audit()).clean


async def test_a_jackpot_credits_a_draw_from_the_range_kept_in_the_receipt(app) -> None:
    shop = shop_of(app)
    shop.rng = random.Random(1)
    await app.update_settings(
        G, "shop", {"jackpot_min": 7, "jackpot_max": 9}, updated_by=ADMIN, reference="cfg"
    )
    shop_changes = shop.grant_changes(G, ALICE, "jackpot", 2)
    await app.writer.submit(
        Op(guild_id=G, user_id=ALICE, reference="grant", name="test.grant", changes=shop_changes)
    )
    used = await shop.use(G, ALICE, "jackpot", "ix:use", seen=1)
    assert 7 <= used.draw <= 9 and used.balance == 25 + used.draw
    entry = (await app.points.member(G, ALICE).history()).entries[0]
    assert (entry.kind, entry.delta, entry.reference) == ("item_use", used.draw, "ix:use")
    conn = sqlite3.connect(app.config.db_path)
    try:
        (result,) = conn.execute(
            "SELECT result FROM operations WHERE reference = 'ix:use'"
        ).fetchone()
    finally:
        conn.close()
    assert f'"draw":{used.draw}' in result  # the receipt holds the draw
    assert await shop.quantity(G, ALICE, "jackpot") == 1


async def test_two_clicks_on_the_same_use_button_at_once_use_the_item_once(app) -> None:
    shop = shop_of(app)
    await app.writer.submit(
        Op(
            guild_id=G,
            user_id=ALICE,
            reference="grant",
            name="test.grant",
            changes=shop.grant_changes(G, ALICE, "jackpot", 3),
        )
    )
    results = await asyncio.gather(
        shop.use(G, ALICE, "jackpot", "ix:click-1", seen=1),
        shop.use(G, ALICE, "jackpot", "ix:click-2", seen=1),
        return_exceptions=True,
    )
    used = [r for r in results if not isinstance(r, BaseException)]
    assert len(used) == 1
    assert [r.key for r in results if isinstance(r, Refused)] == ["shop.item_moved_on"]
    assert await shop.quantity(G, ALICE, "jackpot") == 2
    # The quantity comes back to what the old button showed (one used, one given): the
    # button still names a row that has moved on.
    await shop.change_items(G, ALICE, "jackpot", 1, "give", give=True, admin_id=ADMIN)
    assert await shop.quantity(G, ALICE, "jackpot") == 3
    with pytest.raises(Refused) as e:
        await shop.use(G, ALICE, "jackpot", "ix:click-3", seen=1)
    assert e.value.key == "shop.item_moved_on"
    [view] = (await shop.inventory(G, ALICE)).items
    assert (view.quantity, view.version) == (3, 3)
    assert (await app.audit()).clean


async def test_a_multiplier_boosts_the_next_games_one_at_a_time(app) -> None:
    shop = shop_of(app)
    await app.writer.submit(
        Op(
            guild_id=G,
            user_id=ALICE,
            reference="grant",
            name="test.grant",
            changes=shop.grant_changes(G, ALICE, "x2", 1) + shop.grant_changes(G, ALICE, "x3", 1),
        )
    )
    assert await shop.multiplier_for_game(G, ALICE) == (1, ())
    used = await shop.use(G, ALICE, "x2", "ix:x2")
    assert (used.factor, used.games) == (2, 2)
    with pytest.raises(Refused) as e:
        await shop.use(G, ALICE, "x3", "ix:x3")
    assert e.value.key == "shop.multiplier_active"
    view = await shop.inventory(G, ALICE)
    assert view.multiplier is not None and (view.multiplier.factor, view.multiplier.games_left) == (
        2,
        2,
    )
    assert [v.item for v in view.items] == ["x3"]  # the x3 was not spent

    async def settle(ref: str, win: int) -> None:
        factor, changes = await shop.multiplier_for_game(G, ALICE)
        await app.actors.member(G, ALICE).submit(
            Op(
                guild_id=G,
                user_id=ALICE,
                reference=ref,
                name="games.settle",
                moves=(Move(user_id=ALICE, kind="game_win", delta=win * factor),),
                changes=changes,
            )
        )

    await settle("game-1", 10)
    # The last game, read by two settlements at once: one uses it, the other is refused whole.
    first, second = await asyncio.gather(
        settle("game-2", 10), settle("game-3", 10), return_exceptions=True
    )
    assert first is None and isinstance(second, Refused)
    assert second.key == "shop.multiplier_spent"
    wins = [
        e.delta
        for e in (await app.points.member(G, ALICE).history()).entries
        if e.kind == "game_win"
    ]
    assert wins == [20, 20]
    assert await shop.multiplier_for_game(G, ALICE) == (1, ())
    assert (await shop.use(G, ALICE, "x3", "ix:x3-again")).factor == 3


async def test_admins_give_and_take_items_and_cannot_take_more_than_held(app, tmp_path) -> None:
    shop = shop_of(app)
    receipt, held = await shop.change_items(
        G, ALICE, "x3", 4, "give", give=True, admin_id=ADMIN, reason="event"
    )
    assert held == 4 and receipt.user_id == ALICE
    _, held = await shop.change_items(G, ALICE, "x3", 3, "take", give=False, admin_id=ADMIN)
    assert held == 1
    before = dump(tmp_path / "vouchy.db")
    with pytest.raises(Refused) as e:
        await shop.change_items(G, ALICE, "x3", 2, "take-2", give=False, admin_id=ADMIN)
    assert (e.value.key, e.value.params["current"]) == ("shop.not_enough_items", 1)
    assert dump(tmp_path / "vouchy.db") == before
    with pytest.raises(InvalidInput):
        await shop.resolve_item(G, "nothing like it")
    assert await shop.resolve_item(G, "Multiplicateur x2") == "x2"


async def test_a_redemption_spends_points_and_issues_a_unique_code_that_expires(app) -> None:
    shop = shop_of(app)
    await shop.add_reward(G, ADMIN, "Free delivery", "add", cost=20, description="One order")
    await fund(app, ALICE, 100)
    first = await shop.redeem(G, ALICE, "free-delivery", "api:key-1", fingerprint="body-1")
    assert (first.cost, first.balance, first.duplicate) == (20, 105, False)
    assert first.expires_at - first.created_at == 30 * DAY_MS
    again = await shop.redeem(G, ALICE, "Free delivery", "api:key-1", fingerprint="body-1")
    assert (again.code, again.duplicate) == (first.code, True)
    with pytest.raises(ReferenceTaken):
        await shop.redeem(G, ALICE, "free-delivery", "api:key-1", fingerprint="body-2")
    second = await shop.redeem(G, ALICE, "free-delivery", "api:key-2")
    assert second.code != first.code
    mine = await shop.redemptions(G, user_id=ALICE)
    assert {r.code for r in mine.redemptions} == {first.code, second.code}
    assert (await shop.redeem(G, BOB, "free-delivery", "api:bob")).balance == 5
    with pytest.raises(InsufficientFunds):
        await shop.redeem(G, BOB, "free-delivery", "api:bob-2")
    with pytest.raises(InvalidInput):
        await shop.redeem(G, ALICE, "nothing", "api:none")


async def test_a_code_is_used_once_and_an_expired_one_is_refused_with_the_reason(app) -> None:
    shop = shop_of(app)
    await shop.add_reward(G, ADMIN, "Discount", "add", cost=5, valid_days=2)
    red = await shop.redeem(G, ALICE, "discount", "r1")
    used = await shop.use_redemption(G, ADMIN, red.code.lower().replace("-", ""), "use-1")
    assert (used.status, used.used_by) == ("used", ADMIN)
    with pytest.raises(Refused) as e:
        await shop.use_redemption(G, ADMIN, red.code, "use-2")
    assert e.value.key == "shop.redemption_used"
    late = await shop.redeem(G, ALICE, "discount", "r2")
    real = shop.clock
    shop.clock = lambda: real() + 2 * DAY_MS + 1
    with pytest.raises(Refused) as e:
        await shop.use_redemption(G, ADMIN, late.code, "use-3")
    assert e.value.key == "shop.redemption_expired"
    expired = await shop.redemptions(G, status="expired")
    assert [r.code for r in expired.redemptions] == [late.code]
    assert await shop.refund_expired() == 0  # the guild does not refund (the default)


async def test_an_expired_unused_code_is_refunded_once_when_the_guild_said_so(app) -> None:
    shop = shop_of(app)
    await app.update_settings(G, "shop", {"refund_expired": True}, updated_by=ADMIN, reference="c")
    await shop.add_reward(G, ADMIN, "Discount", "add", cost=15, valid_days=1)
    red = await shop.redeem(G, ALICE, "discount", "r1")
    assert red.balance == 10
    assert await shop.refund_expired() == 0  # not expired yet
    real = shop.clock
    shop.clock = lambda: real() + DAY_MS + 1
    results = await asyncio.gather(shop.refund_expired(), shop.refund_expired())
    assert sorted(results) == [0, 1]
    assert await shop.refund_expired() == 0
    assert (await app.points.member(G, ALICE).account()).balance == 25
    entry = (await app.points.member(G, ALICE).history()).entries[0]
    assert (entry.kind, entry.delta) == ("refund", 15)
    with pytest.raises(Refused) as e:
        await shop.use_redemption(G, ADMIN, red.code, "use")
    assert e.value.key == "shop.redemption_refunded"
    assert (await app.audit()).clean


async def test_items_stock_and_redemptions_survive_a_lost_database(tmp_path) -> None:
    app = await open_app(tmp_path)
    try:
        shop = shop_of(app)
        await app.snapshot_now()  # the snapshot holds none of what follows
        item = await sell(app, price=3, stock=4, member_limit=2)
        await shop.buy(G, ALICE, item, 2, "ix:buy")
        await shop.change_items(G, BOB, "jackpot", 3, "give", give=True, admin_id=ADMIN)
        await shop.add_reward(G, ADMIN, "Discount", "add", cost=5)
        red = await shop.redeem(G, BOB, "discount", "ix:redeem")
        await shop.use(G, BOB, "jackpot", "ix:use", seen=1)
        want = dump(app.config.db_path)
    finally:
        await app.close()
    for name in ("vouchy.db", "vouchy.db-wal", "vouchy.db-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    app = await open_app(tmp_path)
    try:
        assert app.recovery is not None and app.recovery.action != "ok"
        assert dump(app.config.db_path) == want
        shop = shop_of(app)
        listing = await shop.listing(G, item)
        assert listing is not None and (listing.stock, listing.sold) == (2, 2)
        assert await shop.quantity(G, BOB, "jackpot") == 2
        assert (await shop.redemption(G, red.code)) is not None
        assert (await app.audit()).clean
    finally:
        await app.close()


def break_rows(db: Path, *statements: str) -> None:
    conn = sqlite3.connect(db)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


async def test_the_audit_finds_every_broken_shop_counter_and_repair_rebuilds_it(tmp_path) -> None:
    app = await open_app(tmp_path)
    try:
        shop = shop_of(app)
        item = await sell(app, price=1, stock=10, member_limit=5)
        await shop.buy(G, ALICE, item, 3, "ix:1")
        await shop.buy(G, BOB, item, 1, "ix:2")
        await shop.change_items(G, ALICE, "x2", 2, "give", give=True, admin_id=ADMIN)
        healthy = dump(app.config.db_path)
    finally:
        await app.close()
    break_rows(
        tmp_path / "vouchy.db",
        "UPDATE shop_inventory SET quantity = 9 WHERE item = 'x2'",
        f"DELETE FROM shop_inventory WHERE user_id = {BOB} AND item = 'vip-pass'",
        "UPDATE shop_listings SET sold = 1, stock = 8",
        f"UPDATE shop_purchase_counts SET bought = 0 WHERE user_id = {ALICE}",
        f"DELETE FROM shop_purchase_counts WHERE user_id = {BOB}",
    )
    app = await open_app(tmp_path)
    try:
        report = await app.audit(G)
        found = sorted((d.check, d.problem, d.balance, d.ledger_sum) for d in report.discrepancies)
        assert found == [
            ("shop.inventory", "quantity_mismatch", 9, 2),
            ("shop.inventory", "quantity_missing", None, 1),
            ("shop.purchase_counts", "count_mismatch", 0, 3),
            ("shop.purchase_counts", "count_missing", None, 1),
            ("shop.sold", "sold_mismatch", 1, 4),
            ("shop.stock", "stock_mismatch", 8, 6),
        ]
        fixed = await app.repair(G, acting_user_id=ADMIN)
        assert len(fixed) == 6
        assert (await app.audit()).clean
        repaired = dump(app.config.db_path)
        # Inventory: up to the quantity (its change count moved: a repair is a change);
        # listings: up to sold; purchase counts: whole.
        for table, width in (
            ("shop_inventory", 4),
            ("shop_listings", 7),
            ("shop_purchase_counts", 4),
        ):
            assert [r[:width] for r in repaired[table]] == [r[:width] for r in healthy[table]]
    finally:
        await app.close()


async def test_a_redemption_without_its_ledger_row_is_reported_for_a_person(tmp_path) -> None:
    app = await open_app(tmp_path)
    try:
        shop = shop_of(app)
        await shop.add_reward(G, ADMIN, "Discount", "add", cost=5)
        red = await shop.redeem(G, ALICE, "discount", "ix:r")
    finally:
        await app.close()
    break_rows(tmp_path / "vouchy.db", "UPDATE shop_redemptions SET cost = 6")
    app = await open_app(tmp_path)
    try:
        report = await app.audit(G)
        assert [(d.check, d.problem, d.detail) for d in report.discrepancies] == [
            ("shop.redemption_points", "redeem_row_missing", red.code)
        ]
        assert await app.repair(G) == []  # no automatic fix: a person decides
    finally:
        await app.close()


def test_importing_items_is_idempotent_per_file_and_member(tmp_path) -> None:
    data = tmp_path / "data"
    file = tmp_path / "inventory.csv"
    file.write_text(
        f"user_id,item_type,quantity\n{ALICE},jackpot,3\n{ALICE},multiplier_x2,1\n{BOB},x3,2\n"
    )
    args = ["--data", str(data), "import", "items-csv", str(file), "--guild", str(G)]
    assert main([*args, "--check"]) == 0
    assert not (data / "vouchy.db").exists()
    assert main(args) == 0
    first = dump(data / "vouchy.db")
    assert main(args) == 0  # the same file again changes nothing
    assert dump(data / "vouchy.db") == first
    held = sorted(r[1:4] for r in first["shop_inventory"])
    assert held == [(ALICE, "jackpot", 3), (ALICE, "x2", 1), (BOB, "x3", 2)]
    moves = {r[5] for r in first["shop_item_moves"]}
    assert moves == {"import"}
    unknown = tmp_path / "unknown.csv"
    unknown.write_text(f"user,item,qty\n{ALICE},golden-ticket,1\n")
    assert main([*args[:4], str(unknown), "--guild", str(G)]) == 2
    assert dump(data / "vouchy.db") == first


async def test_a_repeated_purchase_answers_its_first_receipt_even_once_sold_out(app) -> None:
    shop = shop_of(app)
    item = await sell(app, price=5, stock=1)
    first = await shop.buy(G, ALICE, item, 1, "ix:last")
    again = await shop.buy(G, ALICE, item, 1, "ix:last")  # redelivered after the sale
    assert (again.ledger_id, again.balance, again.held) == (first.ledger_id, 20, 1)
    with pytest.raises(Refused) as e:
        await shop.buy(G, BOB, item, 1, "ix:bob")
    assert e.value.key == "shop.sold_out"
    await shop.add_reward(G, ADMIN, "Discount", "add", cost=5)
    red = await shop.redeem(G, ALICE, "discount", "api:k")
    await shop.remove_reward(G, ADMIN, "discount", "unlist")
    replay = await shop.redeem(G, ALICE, "discount", "api:k")  # the reward is gone now
    assert (replay.code, replay.duplicate) == (red.code, True)


async def test_the_refund_job_refunds_as_it_runs_and_a_jackpot_range_upside_down_is_refused(
    app,
) -> None:
    from vouchy.features.shop.discord import refund_forever

    shop = shop_of(app)
    with pytest.raises(InvalidInput) as e:
        await app.update_settings(
            G, "shop", {"jackpot_min": 600}, updated_by=ADMIN, reference="cfg-bad"
        )
    assert e.value.key == "settings.bad_value" and "jackpot_min" in str(e.value.params)
    await app.update_settings(G, "shop", {"refund_expired": True}, updated_by=ADMIN, reference="c")
    await shop.add_reward(G, ADMIN, "Discount", "add", cost=15, valid_days=1)
    await shop.redeem(G, ALICE, "discount", "r1")
    real = shop.clock
    shop.clock = lambda: real() + DAY_MS + 1
    job = asyncio.create_task(refund_forever(shop, every_s=0.01))
    try:
        for _ in range(200):
            if (await app.points.member(G, ALICE).account()).balance == 25:
                break
            await asyncio.sleep(0.01)
    finally:
        job.cancel()
    assert (await app.points.member(G, ALICE).account()).balance == 25
    assert [r.status for r in (await shop.redemptions(G)).redemptions] == ["refunded"]


async def test_the_shop_sells_the_built_in_items_and_other_features_grant_them_by_name(
    app,
) -> None:
    shop = shop_of(app)
    item = await shop.add_listing(G, ADMIN, "Jackpot", ListingChange(price=10), "sell-jackpot")
    assert item == "jackpot"
    with pytest.raises(Refused) as e:
        await shop.add_listing(
            G, ADMIN, "x2", ListingChange(price=10, description="mine"), "sell-x2"
        )
    assert e.value.key == "shop.builtin_fixed"
    bought = await shop.buy(G, ALICE, "jackpot", 2, "ix:jackpots")
    assert (bought.total, bought.held) == (20, 2)
    [view] = (await shop.inventory(G, ALICE)).items
    assert (view.item, view.name, view.usable) == ("jackpot", "", True)
    # A level reward names the item as an admin typed it.
    await shop.add_listing(G, ADMIN, "Golden Ticket", ListingChange(price=99), "sell-ticket")
    changes = shop.grant_changes(G, BOB, "Golden Ticket", 1, reference="level:5")
    await app.actors.member(G, BOB).submit(
        Op(guild_id=G, user_id=BOB, reference="level:5", name="levels.up", changes=changes)
    )
    assert await shop.quantity(G, BOB, "golden-ticket") == 1
    assert (await app.audit()).clean
