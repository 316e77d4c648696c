"""The shop end to end: the real GatewayBot and lightbulb client, the real store, a fake
Discord on 127.0.0.1 (every REST request checked against Discord's OpenAPI). Use buttons
clicked twice at once, by another member and after a restart; purchases refused without
changing anything; roles given through the outbox (and a missing Manage Roles told to the
admins with the purchase kept); codes used, used again and expired; French."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from support.bot import Harness, description, started_bot

from vouchy.features.shop.rules import DAY_MS
from vouchy.features.shop.service import ShopService
from vouchy.testing.fake_discord import FakeDiscord, Member, Role, User, next_snowflake
from vouchy.testing.fake_discord.server import error

pytestmark = pytest.mark.asyncio(loop_scope="module")

PEOPLE = ("friend", "alice", "bob", "carol", "dave", "erin")
ROLE_PUT = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"
STATE_TABLES = (
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
# The fake answers a role change 403 while this is set, as Discord does when the bot lost
# Manage Roles.
DENY_ROLES: dict[str, bool] = {"deny": False}


def shop_guild(fake: FakeDiscord) -> None:
    """The bot's role high enough to give 'VIP', not 'Legend'; 'Members' for required roles."""
    guild = fake.guild
    for name in PEOPLE:
        guild.members.append(Member(User(next_snowflake(), name)))
    guild.role("Vouchy").position = 5
    guild.roles += [
        Role(next_snowflake(), "VIP", position=2),
        Role(next_snowflake(), "Members", position=1),
        Role(next_snowflake(), "Legend", position=7),
    ]
    guild.member("alice").roles.append(guild.role("Members").id)

    def role_put(r: Any) -> Any:
        if DENY_ROLES["deny"]:
            return error(403, 50013, "Missing Permissions")
        return fake._builtin[("PUT", ROLE_PUT)](r)

    fake.route("PUT", ROLE_PUT, role_put)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    fake = FakeDiscord()
    shop_guild(fake)
    await fake.start()
    try:
        async with started_bot(tmp_path_factory.mktemp("shop-bot"), fake=fake) as harness:
            harness.bot.outbox.base_delay_s = 0.05
            yield harness
    finally:
        await fake.close()


@pytest.fixture(autouse=True)
def no_api_violations(h: Harness) -> Iterator[None]:
    yield
    found, h.fake.violations[:] = list(h.fake.violations), []
    assert found == [], "Discord API violations:\n" + "\n".join(found)


def state(h: Harness) -> dict[str, list[tuple]]:
    """Every row a purchase, a use or a code could change (operations aside: a refusal the
    writer decided is remembered there, by design)."""
    conn = sqlite3.connect(h.app.config.db_path)
    try:
        return {
            t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in STATE_TABLES
        }
    finally:
        conn.close()


def shop(h: Harness) -> ShopService:
    return h.app.service(ShopService)


def person(h: Harness, name: str) -> Member:
    return h.guild.member(name)


def use_buttons(reply: dict[str, Any]) -> dict[str, str]:
    """Each Use button's label -> custom id."""
    return {
        b["label"]: b["custom_id"]
        for row in reply.get("components") or []
        for b in row["components"]
    }


async def give(h: Harness, who: Member, item: str, quantity: int) -> None:
    reply = await h.run("admin items give", h.admin, member=who, item=item, quantity=quantity)
    assert not reply["ephemeral"], description(reply)


async def test_inventory_shows_items_with_a_use_button_and_using_a_jackpot_credits_it(
    h: Harness,
) -> None:
    alice = person(h, "alice")
    await h.run("config shop set", h.admin, jackpot_min=100, jackpot_max=100)
    await give(h, alice, "jackpot", 2)
    await give(h, alice, "x2", 1)
    shown = await h.run("inventory", alice)
    text = description(shown)
    assert "**Jackpot** × 2" in text and "**x2 multiplier** × 1" in text
    buttons = use_buttons(shown)
    assert set(buttons) == {"Use Jackpot (2)", "Use x2 multiplier (1)"}
    assert buttons["Use Jackpot (2)"] == f"shop:use:{alice.id}.jackpot.1"
    reply = await h.fake.interaction_reply(
        await h.fake.click(
            buttons["Use Jackpot (2)"], user=alice, message=int(shown["message"]["id"])
        )
    )
    assert reply["kind"] == "callback" and reply["type"] == 7  # the inventory message updated
    assert "Jackpot opened: **+100** points (balance **125** points)" in description(reply)
    assert set(use_buttons(reply)) == {"Use Jackpot (1)", "Use x2 multiplier (1)"}
    used = await h.fake.interaction_reply(
        await h.fake.click(
            use_buttons(reply)["Use x2 multiplier (1)"],
            user=alice,
            message=int(shown["message"]["id"]),
        )
    )
    assert "x2 multiplier active for your next 2 games" in description(used)
    assert "Active multiplier\nx2 on your next 2 of 2 games" in description(used)
    assert await h.balance(alice) == 125
    assert (await h.app.audit()).clean


async def test_a_use_button_pressed_twice_at_once_uses_the_item_once(h: Harness) -> None:
    bob = person(h, "bob")
    await give(h, bob, "jackpot", 3)
    shown = await h.run("inventory", bob)
    custom_id = use_buttons(shown)["Use Jackpot (3)"]
    message = int(shown["message"]["id"])
    before = await h.balance(bob)
    ids = await asyncio.gather(
        h.fake.click(custom_id, user=bob, message=message),
        h.fake.click(custom_id, user=bob, message=message),
    )
    replies = [await h.fake.interaction_reply(i) for i in ids]
    updated = [r for r in replies if r.get("type") == 7]
    refused = [r for r in replies if r["ephemeral"]]
    assert len(updated) == 1 and len(refused) == 1
    assert "already used" in description(refused[0])
    assert "nothing was changed" in description(refused[0])
    assert await shop(h).quantity(h.guild_id, bob.id, "jackpot") == 2
    history = await h.app.points.member(h.guild_id, bob.id).history()
    assert [e.kind for e in history.entries].count("item_use") == 1
    assert await h.balance(bob) == before + 100
    # The same button once more: the item it showed was used; nothing changes.
    again = await h.fake.interaction_reply(await h.fake.click(custom_id, user=bob, message=message))
    assert again["ephemeral"] and "already used" in description(again)
    assert await shop(h).quantity(h.guild_id, bob.id, "jackpot") == 2


async def test_another_members_click_on_a_use_button_changes_nothing(h: Harness) -> None:
    carol, dave = person(h, "carol"), person(h, "dave")
    await give(h, carol, "jackpot", 1)
    await give(h, dave, "jackpot", 1)
    shown = await h.run("inventory", carol)
    before = state(h)
    reply = await h.fake.interaction_reply(
        await h.fake.click(
            use_buttons(shown)["Use Jackpot (1)"],
            user=dave,
            message=int(shown["message"]["id"]),
            locale="fr",
        )
    )
    assert reply["ephemeral"]
    assert "Ce bouton appartient à quelqu'un d'autre" in description(reply)
    assert state(h) == before


async def test_buying_spends_points_and_grants_the_item_and_the_role_through_the_outbox(
    h: Harness,
) -> None:
    erin = person(h, "erin")
    vip = h.guild.role("VIP")
    added = await h.run("admin shop add", h.admin, name="VIP pass", price=10, stock=3, role=vip)
    assert "**VIP pass** is for sale." in description(added)
    listed = await h.run("shop", erin)
    assert "**VIP pass** · **10** points · 3 left" in description(listed)
    assert f"gives <@&{vip.id}>" in description(listed)
    bought = await h.run("buy", erin, item="vip pass")
    text = description(bought)
    assert "You bought **1 × VIP pass** for **10** points. You now have 1." in text
    assert "Balance: **15** points" in text
    assert await h.bot.outbox.drain(10.0)
    assert vip.id in erin.roles
    puts = h.fake.requests_to("PUT", ROLE_PUT)
    # Role changes are idempotent on Discord: the outbox may repeat one, never another role.
    assert {(p.params["user_id"], p.params["role_id"]) for p in puts} == {
        (str(erin.id), str(vip.id))
    }
    history = await h.app.points.member(h.guild_id, erin.id).history()
    assert (history.entries[0].kind, history.entries[0].delta) == ("purchase", -10)


async def test_purchases_that_cannot_happen_are_refused_and_change_nothing(h: Harness) -> None:
    friend = person(h, "friend")
    await h.run("admin shop add", h.admin, name="Crown", price=1000)
    await h.run("admin shop add", h.admin, name="Badge", price=1, stock=1)
    await h.run("admin shop add", h.admin, name="Sticker", price=1, limit=1)
    members = h.guild.role("Members")
    await h.run("admin shop add", h.admin, name="Club key", price=1, required_role=members)
    await h.run("buy", person(h, "alice"), item="Badge")  # the only unit
    await h.run("buy", friend, item="Sticker")  # friend's one allowed
    cases = [
        ({"item": "Crown"}, "You need 1,000 points but have 24."),
        ({"item": "Badge"}, "Badge is sold out."),
        ({"item": "Sticker"}, "You can buy at most 1 of Sticker, and you have bought 1 already."),
        ({"item": "Club key"}, f"Only members with <@&{members.id}> can buy Club key."),
        ({"item": "Unicorn"}, "There is no item called “Unicorn” in this server."),
        ({"item": "Sticker", "quantity": 0}, "quantity"),
    ]
    for options, says in cases:
        before = state(h)
        reply = await h.run("buy", friend, **options)
        assert reply["ephemeral"], options
        assert says in description(reply) and "nothing was changed" in description(reply)
        assert state(h) == before, options
    club = await h.run("buy", person(h, "alice"), item="club key")  # alice has the role
    assert "You bought **1 × Club key**" in description(club)


async def test_an_item_whose_role_the_bot_cannot_give_is_refused_with_the_reason(
    h: Harness,
) -> None:
    legend = h.guild.role("Legend")
    before = state(h)
    reply = await h.run("admin shop add", h.admin, name="Legend pass", price=5, role=legend)
    assert reply["ephemeral"]
    assert f"Vouchy cannot give <@&{legend.id}>: that role is not below" in description(reply)
    bot_role = h.guild.role("Vouchy")
    saved = bot_role.permissions
    bot_role.permissions = saved & ~(1 << 28)  # no Manage Roles
    try:
        vip = h.guild.role("VIP")
        reply = await h.run("admin shop add", h.admin, name="VIP again", price=5, role=vip)
        assert "it lacks the Manage Roles permission" in description(reply)
        edit = await h.run("admin shop edit", h.admin, item="VIP pass", role=vip)
        assert "it lacks the Manage Roles permission" in description(edit)
    finally:
        bot_role.permissions = saved
    assert state(h) == before


async def test_a_missing_manage_roles_at_purchase_is_told_to_the_admins_and_the_purchase_kept(
    h: Harness,
) -> None:
    friend = person(h, "friend")
    channel = h.guild.text_channel
    await h.run("config core set", h.owner, log_channel=channel)
    await h.run("admin points add", h.admin, member=friend, amount=50)
    DENY_ROLES["deny"] = True  # Vouchy lost Manage Roles after the item was put up for sale
    try:
        bought = await h.run("buy", friend, item="VIP pass")
        assert "You bought **1 × VIP pass**" in description(bought)
        assert await h.bot.outbox.drain(10.0)
    finally:
        DENY_ROLES["deny"] = False
    assert h.guild.role("VIP").id not in friend.roles
    assert await shop(h).quantity(h.guild_id, friend.id, "vip-pass") == 1
    history = await h.app.points.member(h.guild_id, friend.id).history()
    assert (history.entries[0].kind, history.entries[0].delta) == ("purchase", -10)
    notes = [
        m
        for m in h.fake.channel_messages(channel.id)
        if any("could not give" in (e.get("description") or "") for e in m.get("embeds") or [])
    ]
    assert len(notes) == 1
    conn = sqlite3.connect(h.app.config.db_path)
    try:
        failed = conn.execute(
            "SELECT status FROM outbox WHERE kind = 'discord.add_role' ORDER BY id DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    assert failed == ("failed",)
    await h.run("config core reset", h.owner, setting="log_channel")


async def test_a_reward_is_redeemed_for_a_private_code_used_once_and_expired_ones_refused(
    h: Harness,
) -> None:
    carol = person(h, "carol")
    added = await h.run("admin rewards add", h.admin, name="Free delivery", cost=5, days=3)
    assert "The reward **Free delivery** was added." in description(added)
    assert "**Free delivery** · **5** points · code valid 3 days" in description(
        await h.run("rewards", carol)
    )
    redeemed = await h.run("redeem", carol, reward="free delivery")
    assert redeemed["ephemeral"]  # only the member sees the code
    [code] = [r.code for r in (await shop(h).redemptions(h.guild_id, user_id=carol.id)).redemptions]
    assert f"Your code: **`{code}`**" in description(redeemed)
    mine = await h.run("redemptions", carol)
    assert mine["ephemeral"] and f"`{code}` **Free delivery** · valid" in description(mine)
    used = await h.run("admin redemption use", h.admin, code=code.lower())
    assert f"Code `{code}` (**Free delivery**, <@{carol.id}>) is now marked used." in description(
        used
    )
    before = state(h)
    again = await h.run("admin redemption use", h.admin, code=code)
    assert f"The code {code} was already used" in description(again)
    assert state(h) == before
    late = await h.run("redeem", carol, reward="Free delivery")
    assert late["ephemeral"]
    service = shop(h)
    real = service.clock
    service.clock = lambda: real() + 3 * DAY_MS + 1
    try:
        [late_code] = [
            r.code for r in (await service.redemptions(h.guild_id, status="expired")).redemptions
        ]
        before = state(h)
        expired = await h.run("admin redemption use", h.admin, code=late_code)
        assert f"The code {late_code} expired" in description(expired)
        assert state(h) == before
        listing = await h.run("admin redemption list", h.admin, status="expired")
        assert f"`{late_code}` **Free delivery** · expired" in description(listing)
    finally:
        service.clock = real
    unknown = await h.run("admin redemption use", h.admin, code="ZZZZ-ZZZZ-ZZZZ")
    assert "No redemption in this server has the code ZZZZ-ZZZZ-ZZZZ" in description(unknown)


async def test_the_refund_job_runs_beside_the_bot(h: Harness) -> None:
    assert [t for t in asyncio.all_tasks() if t.get_name() == "vouchy-shop-refunds"]


async def test_a_french_member_sees_their_sac_in_french(h: Harness) -> None:
    dave = person(h, "dave")
    registered = h.fake.registered_command("inventory", h.guild_id)
    assert registered is not None and registered["name_localizations"]["fr"] == "sac"
    reply = await h.fake.interaction_reply(await h.fake.slash("inventory", user=dave, locale="fr"))
    assert "Les objets de" in description(reply) and "**Jackpot** × 1" in description(reply)
    assert set(use_buttons(reply)) == {"Utiliser Jackpot (1)"}
    refused = await h.fake.interaction_reply(
        await h.fake.slash("buy", user=dave, item="Licorne", locale="fr")
    )
    assert "Il n'y a pas d'objet appelé « Licorne » sur ce serveur." in description(refused)
    assert "rien n'a été modifié" in description(refused)


async def test_admins_edit_and_remove_what_the_shop_sells(h: Harness) -> None:
    await h.run("admin shop add", h.admin, name="Poster", price=3, stock=2)
    edited = await h.run(
        "admin shop edit", h.admin, item="poster", price=4, unlimited=True, ends="2d"
    )
    assert "**Poster** was changed." in description(edited)
    text = description(await h.run("shop", h.member))
    assert "**Poster** · **4** points · unlimited · ends <t:" in text
    removed = await h.run("admin shop remove", h.admin, item="Poster")
    assert "**Poster** is no longer for sale" in description(removed)
    gone = await h.run("buy", h.member, item="Poster")
    assert "Poster is not for sale in this server's shop." in description(gone)
    taken = await h.run("admin items take", h.admin, member=person(h, "dave"), item="jackpot")
    assert "Took **1 × Jackpot**" in description(taken) and "they now have 0" in description(taken)


async def test_a_use_button_works_after_the_bot_restarted(tmp_path: Path) -> None:
    fake = FakeDiscord()
    fake.guild.members.append(Member(User(next_snowflake(), "friend")))
    await fake.start()
    try:
        async with started_bot(tmp_path, fake=fake) as first:
            friend = first.guild.member("friend")
            await first.run("admin items give", first.admin, member=friend, item="x3")
            shown = await first.run("inventory", friend)
            custom_id = use_buttons(shown)["Use x3 multiplier (1)"]
            message = int(shown["message"]["id"])
        async with started_bot(tmp_path, fake=fake) as second:  # a new process
            reply = await second.fake.interaction_reply(
                await second.fake.click(custom_id, user=friend, message=message)
            )
            assert reply.get("type") == 7
            assert "x3 multiplier active for your next 2 games" in description(reply)
            factor, changes = await second.app.service(ShopService).multiplier_for_game(
                second.guild_id, friend.id
            )
            assert factor == 3 and len(changes) == 2
    finally:
        await fake.close()
