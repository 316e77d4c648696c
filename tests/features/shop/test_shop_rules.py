"""The shop's pure rules, without a gateway or a database: keys from names, end dates, whether
the bot can give a role, settings bounds, codes, and the operations a purchase, a use and a
redemption become (or the refusals that stop them before anything is sent)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import msgspec
import pytest

from vouchy.core.errors import InvalidInput, Refused
from vouchy.features.shop import inventory, listings, rewards
from vouchy.features.shop.importing import ItemsImportRefused, parse_items_csv
from vouchy.features.shop.listings import Listing, ListingChange
from vouchy.features.shop.rewards import Redemption, Reward
from vouchy.features.shop.rules import (
    BUILTINS,
    DAY_MS,
    GuildRole,
    ShopSettings,
    key_of,
    parse_end,
    role_problem,
)
from vouchy.store.operations import Add, Expect, Insert, Put

G, U = 111, 222
NOW = int(datetime(2026, 6, 1, 12, tzinfo=UTC).timestamp() * 1000)


def listing(**over: object) -> Listing:
    values = dict(
        item="vip",
        listing_id=9,
        price=30,
        stock=5,
        supplied=5,
        sold=0,
        role_id=None,
        required_role_id=None,
        member_limit=None,
        ends_at=None,
        revision=1,
    )
    values.update(over)
    return Listing(**values)  # type: ignore[arg-type]


def buy(item: Listing, quantity: int = 1, roles: frozenset[int] = frozenset()) -> object:
    return listings.buy(
        G,
        U,
        item,
        quantity,
        role_ids=roles,
        item_name="VIP",
        reference="ix:1",
        move_id=77,
        now_ms=NOW,
    )


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Pass VIP", "pass-vip"),
        ("  Épée   de feu!! ", "epee-de-feu"),
        ("JACKPOT", "jackpot"),
        ("multiplier_x2", "x2"),
        ("Multiplicateur x3", "x3"),
        ("a" * 50, "a" * 32),
    ],
)
def test_a_name_becomes_its_key_and_older_names_of_built_ins_their_keys(name, key) -> None:
    assert key_of(name) == key


@pytest.mark.parametrize("name", ["", "   ", "🎁🎁", "---"])
def test_a_name_without_letters_or_digits_is_refused(name) -> None:
    with pytest.raises(InvalidInput) as e:
        key_of(name)
    assert e.value.key == "shop.bad_name"


def test_end_dates_read_as_days_times_or_waits_and_the_past_is_refused() -> None:
    assert parse_end("3d", NOW) == NOW + 3 * DAY_MS
    assert parse_end("1w 2h", NOW) == NOW + 7 * DAY_MS + 2 * 3_600_000
    end_of_day = datetime(2026, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC)
    assert parse_end("2026-12-31", NOW) == int(end_of_day.timestamp() * 1000)
    at_six = datetime(2026, 12, 31, 18, tzinfo=UTC)
    assert parse_end("2026-12-31 18:00", NOW) == int(at_six.timestamp() * 1000)
    for bad, key in (
        ("2020-01-01", "shop.end_in_past"),
        ("tomorrow", "shop.bad_end"),
        ("0d", "shop.bad_end"),
        ("3d and more", "shop.bad_end"),
        ("9999d", "shop.bad_end"),
    ):
        with pytest.raises(InvalidInput) as e:
            parse_end(bad, NOW)
        assert e.value.key == key, bad


ROLES = [
    GuildRole(G, 0, 0),  # @everyone
    GuildRole(10, 1, 0),  # below the bot
    GuildRole(11, 3, 1 << 28),  # the bot's own role, with Manage Roles
    GuildRole(12, 5, 0),  # above the bot
    GuildRole(13, 2, 0, managed=True),  # a booster role
]


def test_the_bot_gives_roles_below_its_highest_with_manage_roles_and_says_why_not() -> None:
    assert role_problem(10, G, ROLES, [11]) is None
    assert role_problem(12, G, ROLES, [11]) == "shop.role_above_bot"
    assert role_problem(11, G, ROLES, [11]) == "shop.role_above_bot"  # its own position
    assert role_problem(13, G, ROLES, [11]) == "shop.role_managed"
    assert role_problem(G, G, ROLES, [11]) == "shop.role_everyone"
    assert role_problem(99, G, ROLES, [11]) == "shop.role_unknown"
    without = [r if r.id != 11 else GuildRole(11, 3, 0) for r in ROLES]
    assert role_problem(10, G, without, [11]) == "shop.bot_lacks_manage_roles"
    admin = [r if r.id != 11 else GuildRole(11, 3, 1 << 3) for r in ROLES]
    assert role_problem(10, G, admin, [11]) is None  # Administrator includes Manage Roles


def test_settings_refuse_a_jackpot_range_upside_down() -> None:
    with pytest.raises(msgspec.ValidationError, match="jackpot_min"):
        msgspec.convert({"jackpot_min": 600, "jackpot_max": 500}, ShopSettings)
    assert msgspec.convert({}, ShopSettings) == ShopSettings()


def test_a_jackpot_draw_stays_in_the_guilds_range_and_is_kept_in_the_receipt_data() -> None:
    settings = ShopSettings(jackpot_min=10, jackpot_max=12)
    rng = random.Random(5)
    draws = {inventory.draw_jackpot(rng, settings) for _ in range(200)}
    assert draws == {10, 11, 12}
    op = inventory.use_jackpot(G, U, draw=11, seen=3, reference="ix:5", move_id=1, now_ms=NOW)
    assert op.data == {"item": "jackpot", "draw": 11}
    assert [(m.kind, m.delta) for m in op.moves] == [("item_use", 11)]
    expect = op.changes[0]
    assert isinstance(expect, Expect) and (expect.column, expect.value) == ("version", 3)


def test_a_multiplier_use_needs_no_active_one_and_a_game_spends_one_with_bounds() -> None:
    op = inventory.use_multiplier(
        G, U, BUILTINS["x3"], games=2, seen=None, reference="ix:6", move_id=1, now_ms=NOW
    )
    guard = next(c for c in op.changes if isinstance(c, Expect) and c.table == "shop_multipliers")
    assert (guard.op, guard.column, guard.value, guard.missing_ok) == ("le", "games_left", 0, True)
    put = next(c for c in op.changes if type(c) is Put)
    assert put.values["factor"] == 3 and put.values["games_left"] == 2
    expect, add = inventory.spend_one_game(G, U, 3)
    assert isinstance(expect, Expect) and expect.value == 3
    assert isinstance(add, Add) and (add.delta, add.low) == (-1, 0)
    assert add.refuse == expect.refuse == "shop.multiplier_spent"


def test_every_quantity_change_carries_its_item_record() -> None:
    changes = inventory.grant(G, U, "jackpot", 4, move_id=5, now_ms=NOW)
    add, version, record = changes
    assert isinstance(add, Add) and add.delta == 4 and add.low == 0
    assert isinstance(version, Add) and (version.column, version.delta) == ("version", 1)
    assert isinstance(record, Insert) and record.values["delta"] == 4
    with pytest.raises(InvalidInput):
        inventory.grant(G, U, "Not A Key", 1, move_id=5, now_ms=NOW)
    with pytest.raises(InvalidInput):
        inventory.grant(G, U, "jackpot", 0, move_id=5, now_ms=NOW)


def test_a_purchase_is_one_operation_with_points_stock_count_record_items_and_role() -> None:
    op = buy(listing(role_id=44, member_limit=3), 2)
    assert op.name == "shop.buy"  # type: ignore[attr-defined]
    assert [(m.kind, m.delta) for m in op.moves] == [("purchase", -60)]  # type: ignore[attr-defined]
    adds = {(c.table, c.column): c for c in op.changes if isinstance(c, Add)}  # type: ignore[attr-defined]
    assert adds[("shop_listings", "stock")].delta == -2
    assert adds[("shop_listings", "stock")].low == 0
    assert adds[("shop_purchase_counts", "bought")].high == 3
    assert adds[("shop_inventory", "quantity")].delta == 2
    assert [e.payload["role_id"] for e in op.effects] == [44]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("over", "quantity", "key"),
    [
        ({"ends_at": NOW}, 1, "shop.sale_ended"),
        ({"required_role_id": 5}, 1, "shop.role_required"),
        ({"stock": 0, "supplied": 3, "sold": 3}, 1, "shop.sold_out"),
        ({"stock": 1}, 2, "shop.out_of_stock"),
    ],
)
def test_a_purchase_that_cannot_happen_is_refused_before_anything_is_sent(
    over, quantity, key
) -> None:
    with pytest.raises(Refused) as e:
        buy(listing(**over), quantity)
    assert e.value.key == key


def test_a_required_role_the_member_has_lets_them_buy() -> None:
    assert buy(listing(required_role_id=5), roles=frozenset({5, 6}))


def test_an_edit_keeps_sold_units_sold_and_needs_something_to_change() -> None:
    current = listing(stock=2, supplied=5, sold=3, revision=4)
    op = listings.edit(
        G, 1, current, ListingChange(stock=10), builtin=False, reference="r", now_ms=NOW
    )
    patch = next(c for c in op.changes if c.table == "shop_listings" and hasattr(c, "values"))
    assert patch.values["stock"] == 10 and patch.values["supplied"] == 13
    assert patch.values["revision"] == 5
    with pytest.raises(Refused) as e:
        listings.edit(G, 1, current, ListingChange(), builtin=False, reference="r", now_ms=NOW)
    assert e.value.key == "shop.nothing_to_change"
    with pytest.raises(Refused) as e:
        listings.edit(
            G, 1, current, ListingChange(name="x"), builtin=True, reference="r", now_ms=NOW
        )
    assert e.value.key == "shop.builtin_fixed"


def test_codes_are_twelve_unambiguous_characters_and_read_back_forgivingly() -> None:
    codes = {rewards.new_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert len(code) == 14 and code[4] == code[9] == "-"
        assert rewards.normalize_code(code.lower().replace("-", " ")) == code
    assert rewards.normalize_code("abcd-efgh-jkmo") == "ABCD-EFGH-JKM0"
    with pytest.raises(InvalidInput):
        rewards.normalize_code("ABCD-EFGH")


def redemption(**over: object) -> Redemption:
    values = dict(
        code="ABCD-EFGH-JKMN",
        user_id=U,
        reward="delivery",
        name="Free delivery",
        cost=50,
        status="issued",
        refundable=True,
        created_at=NOW - DAY_MS,
        expires_at=NOW + DAY_MS,
    )
    values.update(over)
    return Redemption(**values)  # type: ignore[arg-type]


def test_a_code_is_used_once_and_an_expired_or_used_one_says_why() -> None:
    op = rewards.use(G, 1, redemption(), reference="r", now_ms=NOW)
    assert op.user_id == U and op.acting_user_id == 1
    with pytest.raises(Refused) as e:
        rewards.use(G, 1, redemption(expires_at=NOW), reference="r", now_ms=NOW)
    assert e.value.key == "shop.redemption_expired"
    with pytest.raises(Refused) as e:
        rewards.use(
            G, 1, redemption(status="used", used_at=NOW, used_by=1), reference="r", now_ms=NOW
        )
    assert e.value.key == "shop.redemption_used"
    assert redemption(expires_at=NOW).state(NOW) == "expired"


def test_a_refund_is_only_for_an_expired_refundable_code_and_has_one_reference() -> None:
    expired = redemption(expires_at=NOW - 1)
    op = rewards.refund(G, expired, now_ms=NOW)
    assert op.reference == "shop.refund:ABCD-EFGH-JKMN"
    assert [(m.kind, m.delta) for m in op.moves] == [("refund", 50)]
    for not_due in (redemption(), redemption(expires_at=NOW - 1, refundable=False)):
        with pytest.raises(ValueError):
            rewards.refund(G, not_due, now_ms=NOW)


def test_a_redemption_spends_the_cost_and_keeps_the_code_and_expiry_in_its_data() -> None:
    reward = Reward(
        reward="delivery",
        name="Free delivery",
        description="",
        cost=50,
        valid_days=None,
        revision=2,
    )
    op = rewards.redeem(
        G,
        U,
        reward,
        code="ABCD-EFGH-JKMN",
        default_days=30,
        refundable=False,
        reference="api:1",
        now_ms=NOW,
        fingerprint="f" * 64,
    )
    assert [(m.kind, m.delta) for m in op.moves] == [("redeem", -50)]
    assert op.data["expires_at"] == NOW + 30 * DAY_MS and op.fingerprint == "f" * 64


def test_an_items_file_is_read_whole_and_a_bad_line_refuses_all_of_it() -> None:
    good = b"user_id,item_type,quantity\n1001,jackpot,3\n1001,multiplier_x2,1\n1002,x3,0\n"
    loaded = parse_items_csv(good)
    assert [(x.user_id, x.item, x.quantity) for x in loaded.lines] == [
        (1001, "jackpot", 3),
        (1001, "x2", 1),
        (1002, "x3", 0),
    ]
    assert list(loaded.by_member()) == [1001]  # nothing to grant to 1002
    assert loaded.reference(1001) == f"items-import:{loaded.digest[:16]}:1001"
    for bad, says in (
        (b"user,points\n1,2\n", "no item or quantity column"),
        (b"user,item,quantity\nabc,jackpot,1\n", "line 2: user id 'abc'"),
        (b"user,item,quantity\n1,jackpot,-1\n", "line 2: quantity '-1'"),
        (b"user,item,quantity\n1,jackpot,1\n1,Jackpot,2\n", "listed twice"),
        (b"user,item,quantity\n1,!!,1\n", "no letters or digits"),
        (b"\xff\xfe", "not UTF-8"),
    ):
        with pytest.raises(ItemsImportRefused, match=says):
            parse_items_csv(bad)
