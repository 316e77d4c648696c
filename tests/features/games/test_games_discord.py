"""The games end to end: the real GatewayBot and lightbulb client, the real store, a fake
Discord on 127.0.0.1 (every REST request checked against Discord's OpenAPI). Every game and
every button, clicks by another member (refused, nothing changed), stale clicks, refusals that
change nothing, /games, /fair, /config games, French, and a hand and a challenge continued
after a restart."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from features.games.games_support import GAMES
from support.bot import Harness, description, started_bot

from vouchy.features.games.service import GamesService
from vouchy.testing.fake_discord import FakeDiscord, Member, User, next_snowflake

pytestmark = pytest.mark.asyncio(loop_scope="module")

PEOPLE = ("alice", "bob", "carol", "dave", "erin", "frank")
STATE = (
    "accounts",
    "ledger",
    "games",
    "games_seeds",
    "games_revealed",
    "games_players",
    "games_daily",
    "settings",
)


def people(fake: FakeDiscord) -> None:
    for name in PEOPLE:
        fake.guild.members.append(Member(User(next_snowflake(), name)))
    fake.guild.members.append(Member(User(next_snowflake(), "otherbot", bot=True)))


async def no_cooldowns(harness: Harness) -> None:
    """Every game playable again at once (a test plays faster than the default 3 s)."""
    import msgspec

    current = await harness.app.service(GamesService).settings_for(harness.guild_id)
    values = {g: {**msgspec.to_builtins(getattr(current, g)), "cooldown_s": 0} for g in GAMES}
    await harness.app.update_settings(
        harness.guild_id, "games", values, updated_by=harness.admin.id, reference="setup"
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    fake = FakeDiscord()
    people(fake)
    await fake.start()
    try:
        async with started_bot(tmp_path_factory.mktemp("games-bot"), fake=fake) as harness:
            harness.bot.outbox.base_delay_s = 0.05
            harness.app.service(GamesService).odds_rounds = 2_000
            await no_cooldowns(harness)
            for name in PEOPLE:
                await harness.run(
                    "admin points add", harness.admin, member=who(harness, name), amount=975
                )
            yield harness
    finally:
        await fake.close()


@pytest.fixture(autouse=True)
def no_api_violations(h: Harness) -> Iterator[None]:
    yield
    found, h.fake.violations[:] = list(h.fake.violations), []
    assert found == [], "Discord API violations:\n" + "\n".join(found)


def who(h: Harness, name: str) -> Member:
    return h.guild.member(name)


def state(h: Harness) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(h.app.config.db_path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in STATE}
    finally:
        conn.close()


def buttons(reply: dict[str, Any]) -> dict[str, str]:
    """Each button's label -> custom id."""
    return {
        b["label"]: b["custom_id"]
        for row in reply.get("components") or []
        for b in row["components"]
    }


async def click(
    h: Harness, reply: dict[str, Any], label: str, user: Member, locale: str = "en-US"
) -> dict[str, Any]:
    message = int(reply["message"]["id"])
    interaction = await h.fake.click(
        buttons(reply)[label], user=user, message=message, locale=locale
    )
    return await h.fake.interaction_reply(interaction)


async def open_hand(h: Harness, user: Member, locale: str = "en-US") -> dict[str, Any]:
    """/blackjack until a hand is not over at the deal."""
    reply: dict[str, Any] = {}
    for _ in range(30):
        interaction = await h.fake.slash("blackjack", user=user, bet=20, locale=locale)
        reply = await h.fake.interaction_reply(interaction)
        if reply.get("components"):
            return reply
    raise AssertionError(f"no hand left open in thirty deals; the last reply: {reply}")


async def test_coinflip_answers_with_the_outcome_the_balance_and_the_fair_footer(
    h: Harness,
) -> None:
    alice = who(h, "alice")
    reply = await h.run("coinflip", alice, bet=100, call="heads")
    assert not reply["ephemeral"]
    text = description(reply)
    assert "You called **Heads**" in text
    assert re.search(r"Coinflip: (Win|Loss)", text)
    assert "Balance: **" in text and "server seed SHA-256" in text and "nonce 0" in text
    row = (await h.app.service(GamesService).history(h.guild_id, alice.id)).games[0]
    assert f"game {row.game_id}" in text and row.status == "settled"
    assert f"**{await h.balance(alice):,}** points" in text


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"on": "red"}, "Your bet: Red."),
        ({"on": "dozen2"}, "Your bet: Dozen 2 (13-24)."),
        ({"on": "column3"}, "Your bet: Column 3."),
        ({"on": "number", "number": 17}, "Your bet: Number 17."),
    ],
)
async def test_roulette_takes_every_kind_of_bet(
    h: Harness, options: dict[str, Any], says: str
) -> None:
    reply = await h.run("roulette", who(h, "bob"), bet=10, **options)
    assert "The ball lands on **" in description(reply) and says in description(reply)


@pytest.mark.parametrize(
    ("command", "options", "says"),
    [
        ("roulette", {"bet": 10, "on": "red", "number": 5}, "A number goes with a single-number"),
        ("roulette", {"bet": 10, "on": "number"}, "Choose a number from 0 to 36."),
        ("coinflip", {"bet": 5, "call": "tails"}, "The smallest bet is 10 points"),
        ("dice", {"bet": 10, "under": 95}, "Choose a whole number from 2 to 90"),
        ("slots", {"bet": 5_000}, "You need 5,000 points but have"),
    ],
)
async def test_bad_input_is_refused_with_a_clear_message_and_changes_nothing(
    h: Harness, command: str, options: dict[str, Any], says: str
) -> None:
    carol = who(h, "carol")
    before = state(h)
    reply = await h.run(command, carol, **options)
    assert reply["ephemeral"] and says in description(reply), description(reply)
    assert state(h) == before


async def test_slots_dice_and_rps_against_vouchy(h: Harness) -> None:
    dave = who(h, "dave")
    slots = description(await h.run("slots", dave, bet=10))
    assert "Slots: " in slots and ("winning line" in slots.lower())
    dice = description(await h.run("dice", dave, bet=10, under=50))
    assert "You roll **" in dice and "under 50 wins x1.98" in dice
    rps = description(await h.run("rps", dave, bet=10, move="rock"))
    assert "You play **Rock**, Vouchy plays **" in rps
    assert (await h.app.audit()).clean


async def test_a_blackjack_hand_is_played_with_its_buttons_and_nobody_elses(h: Harness) -> None:
    erin, frank = who(h, "erin"), who(h, "frank")
    reply = await open_hand(h, erin)
    assert set(buttons(reply)) == {"Hit", "Stand", "Double"}
    assert "Hit, stand or double within" in description(reply)
    before = state(h)
    other = await click(h, reply, "Stand", frank, locale="fr")
    assert other["ephemeral"] and "Cette main n'est pas à toi" in description(other)
    assert state(h) == before
    stood = await click(h, reply, "Stand", erin)
    assert stood["type"] == 7 and not stood.get("components")  # the message, without buttons
    text = description(stood)
    assert "Dealer: " in text and re.search(r"Blackjack: (Win|Loss|Push)", text)
    stale = await click(h, reply, "Hit", erin)  # the old message's button, once more
    assert "This game moved on before your click" in description(stale)
    assert (await h.app.audit()).clean


async def test_hitting_deals_a_card_and_keeps_the_buttons_while_the_hand_goes_on(
    h: Harness,
) -> None:
    erin = who(h, "erin")
    reply = await open_hand(h, erin)
    hit = await click(h, reply, "Hit", erin)
    assert hit["type"] == 7
    if hit.get("components"):  # still playing: no double after a hit
        assert set(buttons(hit)) == {"Hit", "Stand"}
        done = await click(h, hit, "Stand", erin)
        assert not done.get("components")
    assert (await h.app.audit()).clean


async def test_doubling_takes_the_second_stake_and_ends_the_hand_with_one_more_card(
    h: Harness,
) -> None:
    dave = who(h, "dave")
    reply = await open_hand(h, dave)
    before = await h.balance(dave)
    doubled = await click(h, reply, "Double", dave)
    assert doubled["type"] == 7 and not doubled.get("components")
    text = description(doubled)
    assert "You doubled: 40 points at stake." in text
    assert len(re.search(r"Your hand: (.*) \(", text).group(1).split()) == 3  # type: ignore[union-attr]
    row = (await h.app.service(GamesService).history(h.guild_id, dave.id)).games[0]
    assert row.bet == 40 and await h.balance(dave) == before - 20 + row.payout
    assert (await h.app.audit()).clean


async def test_a_challenge_is_answered_by_the_challenged_member_only(h: Harness) -> None:
    alice, bob, carol = who(h, "alice"), who(h, "bob"), who(h, "carol")
    reply = await h.run("rps", alice, bet=50, move="rock", opponent=bob)
    assert reply["content"] == f"<@{bob.id}>"
    assert f"<@{alice.id}> challenges <@{bob.id}>" in description(reply)
    assert set(buttons(reply)) == {"Rock", "Paper", "Scissors", "Decline", "Withdraw"}
    before = state(h)
    refused = await click(h, reply, "Paper", carol)
    assert refused["ephemeral"] and "This challenge is not yours to answer" in description(refused)
    assert state(h) == before
    alice_before, bob_before = await h.balance(alice), await h.balance(bob)
    played = await click(h, reply, "Paper", bob)
    assert played["type"] == 7 and not played.get("components")
    assert f"<@{bob.id}> wins 100 points" in description(played)
    assert await h.balance(alice) == alice_before and await h.balance(bob) == bob_before + 50
    again = await click(h, reply, "Scissors", bob)
    assert "moved on" in description(again) and await h.balance(bob) == bob_before + 50
    assert (await h.app.audit()).clean


@pytest.mark.parametrize(
    ("label", "by", "says"), [("Decline", "dave", "declined"), ("Withdraw", "carol", "withdrew")]
)
async def test_a_challenge_declined_or_withdrawn_gives_the_stake_back(
    h: Harness, label: str, by: str, says: str
) -> None:
    carol, dave = who(h, "carol"), who(h, "dave")
    before = await h.balance(carol)
    reply = await h.run("rps", carol, bet=40, move="paper", opponent=dave)
    assert await h.balance(carol) == before - 40
    closed = await click(h, reply, label, who(h, by))
    assert says in description(closed) and not closed.get("components")
    assert await h.balance(carol) == before


async def test_a_challenge_to_a_bot_or_to_oneself_is_refused(h: Harness) -> None:
    frank = who(h, "frank")
    before = state(h)
    to_bot = await h.run("rps", frank, bet=10, move="rock", opponent=h.other_bot)
    assert to_bot["ephemeral"] and "Bots don't take challenges" in description(to_bot)
    to_self = await h.run("rps", frank, bet=10, move="rock", opponent=frank)
    assert to_self["ephemeral"] and "You can't challenge yourself" in description(to_self)
    assert state(h) == before


async def test_the_games_in_french(h: Harness) -> None:
    bob = who(h, "bob")
    reply = await h.fake.interaction_reply(
        await h.fake.slash("coinflip", user=bob, bet=10, call="tails", locale="fr")
    )
    text = description(reply)
    assert "Tu as choisi **Pile**" in text and "Solde : **" in text
    assert re.search(r"Pile ou face : (Gagné|Perdu)", text)
    assert "graine client" in text


async def test_history_odds_and_the_fair_commands(h: Harness) -> None:
    alice = who(h, "alice")
    history = await h.run("games history", alice)
    assert history["ephemeral"] and f"Games of <@{alice.id}>" in description(history)
    assert "Coinflip: 1 played" in description(history)
    odds = description(await h.run("games odds", alice))
    assert "Roulette: 97.30% returned to players (exact)" in odds
    assert "Blackjack" in odds and "simulated over 2,000 hands" in odds
    shown = description(await h.run("fair show", alice))
    assert "Server seed (SHA-256)" in shown and "Next nonce: 1" in shown
    seeded = description(await h.run("fair client-seed", alice, seed="alice-seed"))
    assert "Your client seed is now `alice-seed`" in seeded
    bad = await h.run("fair client-seed", alice, seed="has spaces")
    assert bad["ephemeral"] and "A client seed is 1 to 64 characters" in description(bad)
    rotated = description(await h.run("fair rotate", alice))
    assert "Your old server seed was `" in rotated and "1 games" in rotated
    again = description(await h.run("fair show", alice))
    assert "Revealed seeds" in again and "Next nonce: 0" in again


async def test_config_games_changes_one_games_row_of_settings(h: Harness) -> None:
    carol = who(h, "carol")
    changed = await h.run("config games set", h.admin, game="dice", max_bet=50)
    assert changed["ephemeral"] and "Settings: Dice" in description(changed)
    refused = await h.run("dice", carol, bet=60, under=50)
    assert "The largest bet is 50 points (you bet 60)" in description(refused)
    before = state(h)
    wrong = await h.run("config games set", h.admin, game="coinflip", decks=2)
    assert wrong["ephemeral"] and "decks is not a setting of coinflip" in description(wrong)
    reversed_ = await h.run("config games set", h.admin, game="dice", min_bet=100)
    assert "bets need 1 <= min_bet <= max_bet" in description(reversed_)
    assert state(h) == before
    reset = await h.run("config games set", h.admin, game="dice", reset=True)
    assert "(default)" in description(reset)
    assert "You roll" in description(await h.run("dice", carol, bet=60, under=50))
    denied = await h.run("config games set", carol, game="dice", max_bet=5)
    assert denied["ephemeral"] and "Manage Server" in description(denied)


async def test_games_only_in_the_game_channel_once_one_is_set(h: Harness) -> None:
    channel = h.guild.text_channel
    added = await h.run("config games add", h.admin, setting="channels", channel=channel)
    assert f"<#{channel.id}>" in description(added)
    other = next_snowflake()
    reply = await h.fake.interaction_reply(
        await h.fake.slash("slots", user=who(h, "dave"), bet=10, channel_id=other)
    )
    assert reply["ephemeral"] and f"Games are played in <#{channel.id}>" in description(reply)
    assert "Slots: " in description(await h.run("slots", who(h, "dave"), bet=10))
    await h.run("config games reset", h.admin, setting="channels")


async def test_a_hand_left_alone_stands_and_its_channel_is_told(h: Harness) -> None:
    frank = who(h, "frank")
    await open_hand(h, frank)
    games = h.app.service(GamesService)
    assert games in h.app._background  # the bot started the sweep
    real = games.clock
    games.clock = lambda: real() + 121_000
    try:
        report = await games.sweep()
    finally:
        games.clock = real
    assert report.timed_out == 1
    assert await h.bot.outbox.drain()
    posted = [
        m
        for m in h.fake.channel_messages(h.guild.text_channel.id)
        if "left alone and stands" in (m.get("content") or "")
    ]
    assert len(posted) == 1 and f"<@{frank.id}>" in posted[0]["content"]


async def test_a_hand_and_a_challenge_go_on_after_the_bot_restarted(tmp_path: Path) -> None:
    fake = FakeDiscord()
    people(fake)
    await fake.start()
    try:
        async with started_bot(tmp_path, fake=fake) as first:
            # Without a cooldown: a natural at the first deal would refuse every deal after it.
            await no_cooldowns(first)
            alice, bob = who(first, "alice"), who(first, "bob")
            await first.run("admin points add", first.admin, member=alice, amount=975)
            await first.run("admin points add", first.admin, member=bob, amount=975)
            hand = await open_hand(first, alice)
            challenge = await first.run("rps", bob, bet=100, move="rock", opponent=alice)
        async with started_bot(tmp_path, fake=fake) as second:  # a new process
            stood = await click(second, hand, "Stand", alice)
            assert stood["type"] == 7 and "Dealer: " in description(stood)
            answered = await click(second, challenge, "Paper", alice)
            assert f"<@{alice.id}> wins 200 points" in description(answered)
            assert await second.balance(alice) >= 1_000 - 20 + 100
            assert (await second.app.audit()).clean
    finally:
        await fake.close()
