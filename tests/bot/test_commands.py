"""Members' commands end to end: the real GatewayBot and lightbulb client, the real ledger,
a fake Discord on 127.0.0.1 (every REST request checked against Discord's OpenAPI)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import hikari
import lightbulb
import pytest
import pytest_asyncio
import structlog
from support.bot import (
    CALLBACK,
    EXPECTED_COMMANDS,
    GUILD_COMMANDS,
    Harness,
    description,
    started_bot,
)

from vouchy.bot import errors as bot_errors
from vouchy.features.points.service import PointsMember
from vouchy.testing.fake_discord import payloads

pytestmark = pytest.mark.asyncio(loop_scope="module")

PEOPLE = ("friend", "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    data_dir: Path = tmp_path_factory.mktemp("bot-commands")
    async with started_bot(data_dir, extra_members=PEOPLE) as harness:
        yield harness


@pytest.fixture(autouse=True)
def no_api_violations(h: Harness) -> Iterator[None]:
    yield
    found, h.fake.violations[:] = list(h.fake.violations), []
    assert found == [], "Discord API violations:\n" + "\n".join(found)


def person(h: Harness, name: str):
    return h.guild.member(name)


def command_paths(commands: list[dict]) -> set[str]:
    paths = set()
    for command in commands:

        def walk(prefix: str, options: list[dict]) -> None:
            subs = [
                o
                for o in options
                if o["type"] in (payloads.SUB_COMMAND, payloads.SUB_COMMAND_GROUP)
            ]
            if not subs:
                paths.add(prefix)
            for sub in subs:
                walk(f"{prefix} {sub['name']}", sub.get("options") or [])

        walk(command["name"], command.get("options") or [])
    return paths


async def test_every_command_is_registered_in_the_configured_guild_after_start(h: Harness) -> None:
    put = await h.fake.wait_for_request("PUT", GUILD_COMMANDS)
    assert put.params["guild_id"] == str(h.guild_id)
    assert command_paths(put.json) == EXPECTED_COMMANDS
    assert h.bot.command_names() == EXPECTED_COMMANDS
    by_name = {c["name"]: c for c in put.json}
    assert int(by_name["admin"]["default_member_permissions"]) == 1 << 5  # MANAGE_GUILD
    assert int(by_name["config"]["default_member_permissions"]) == 1 << 5
    give = {o["name"]: o for o in by_name["give"]["options"]}
    assert give["amount"]["min_value"] == 1
    assert give["amount"]["max_value"] == h.app.config.limits.max_amount


async def test_the_bot_identifies_with_the_intents_its_features_need(h: Harness) -> None:
    wanted = (
        hikari.Intents.GUILDS
        | hikari.Intents.GUILD_MEMBERS
        | hikari.Intents.GUILD_MESSAGES
        | hikari.Intents.MESSAGE_CONTENT
        | hikari.Intents.GUILD_VOICE_STATES
        | hikari.Intents.GUILD_MESSAGE_REACTIONS
        | hikari.Intents.GUILD_INVITES
    )
    assert h.fake.intents == int(wanted)


async def test_every_command_has_its_injection_prepared_at_load(h: Harness) -> None:
    def leaves(command):
        if isinstance(command, lightbulb.Group | lightbulb.SubGroup):
            for sub in command.subcommands.values():
                yield from leaves(sub)
        else:
            yield command

    commands = [c for top in h.bot.client.registered_commands for c in leaves(top)]
    assert len(commands) == len(EXPECTED_COMMANDS)
    for command in commands:
        invoke = command.__dict__[command._command_data.invoke_method]
        assert invoke._dependency_func is not None, command


async def test_points_shows_a_new_member_the_starting_balance(h: Harness) -> None:
    reply = await h.run("points", person(h, "alice"))
    assert not reply["ephemeral"]
    assert "You have **25** points." in description(reply)


async def test_points_on_another_member_shows_their_balance_with_separators(h: Harness) -> None:
    carol = person(h, "carol")
    await h.run("admin points set", h.admin, member=carol, amount=4321)
    reply = await h.run("points", person(h, "bob"), member=carol)
    assert f"<@{carol.id}> has **4,321** points." in description(reply)


async def test_points_on_a_bot_is_a_friendly_refusal(h: Harness) -> None:
    before = await h.ledger_state(h.member)
    reply = await h.run("points", h.member, member=h.other_bot)
    assert reply["ephemeral"]
    assert "Bots don't hold points" in description(reply)
    assert await h.ledger_state(h.member) == before


async def test_give_moves_points_from_one_member_to_another(h: Harness) -> None:
    dave, erin = person(h, "dave"), person(h, "erin")
    reply = await h.run("give", dave, member=erin, amount=10)
    text = description(reply)
    assert not reply["ephemeral"]
    assert f"<@{dave.id}> gave **10** points to <@{erin.id}>." in text
    assert await h.balance(dave) == 15 and await h.balance(erin) == 35
    assert (await h.app.audit()).clean


@pytest.mark.parametrize(
    ("amount", "says"),
    [
        (0, "at least 1"),
        (-5, "at least 1"),
        (10_001, "at most 10,000"),
    ],
)
async def test_give_refuses_an_amount_out_of_bounds_and_changes_nothing(
    h: Harness, amount: int, says: str
) -> None:
    giver, taker = h.member, person(h, "friend")
    before = await h.ledger_state(giver, taker)
    reply = await h.run("give", giver, member=taker, amount=amount)
    assert reply["ephemeral"]
    assert says in description(reply)
    assert await h.ledger_state(giver, taker) == before


async def test_a_refusal_is_counted_for_the_metrics_by_command_and_code(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted = []
    monkeypatch.setattr(
        bot_errors, "record_refusal", lambda e, kind: counted.append((kind, e.code))
    )
    await h.run("give", h.member, member=h.member, amount=1)
    await h.run("admin points add", h.member, member=h.member, amount=1)
    assert counted == [("give", "self_transfer"), ("admin points add", "permission_denied")]


async def test_give_to_oneself_is_refused_and_changes_nothing(h: Harness) -> None:
    before = await h.ledger_state(h.member)
    reply = await h.run("give", h.member, member=h.member, amount=1)
    assert reply["ephemeral"]
    assert "can't give points to yourself" in description(reply)
    assert await h.ledger_state(h.member) == before


async def test_give_to_a_bot_is_refused_and_changes_nothing(h: Harness) -> None:
    before = await h.ledger_state(h.member, h.other_bot)
    reply = await h.run("give", h.member, member=h.other_bot, amount=1)
    assert reply["ephemeral"]
    assert "Bots don't hold points" in description(reply)
    assert await h.ledger_state(h.member, h.other_bot) == before


async def test_give_more_than_the_balance_is_refused_and_changes_nothing(h: Harness) -> None:
    frank, grace = person(h, "frank"), person(h, "grace")
    await h.run("points", frank)
    before = await h.ledger_state(frank, grace)
    reply = await h.run("give", frank, member=grace, amount=9_999)
    assert reply["ephemeral"]
    assert "You need 9,999 points but have" in description(reply)
    assert await h.ledger_state(frank, grace) == before


async def test_daily_credits_once_then_says_when_to_come_back(h: Harness) -> None:
    heidi = person(h, "heidi")
    first = await h.run("daily", heidi)
    assert "You claimed your daily **100** points. You now have **125** points." in description(
        first
    )
    before = await h.ledger_state(heidi)
    second = await h.run("daily", heidi)
    assert second["ephemeral"]
    assert "You already claimed your daily reward. Try again in 2" in description(second)
    assert await h.ledger_state(heidi) == before


async def test_leaderboard_ranks_members_and_shows_the_askers_rank(h: Harness) -> None:
    dave = person(h, "dave")
    reply = await h.run("leaderboard", dave)
    text = description(reply)
    assert not reply["ephemeral"]
    lines = [line for line in text.splitlines() if line.startswith("`#")]
    balances = [int(line.split("**")[1].replace(",", "")) for line in lines]
    assert balances == sorted(balances, reverse=True) and balances[0] == 4321
    [mine] = [line for line in lines if f"<@{dave.id}>" in line]
    rank = int(mine.split("`")[1].strip("# "))
    accounts = (await h.app.audit(h.guild_id)).accounts
    assert f"#{rank} of {accounts}, with **15** points" in text
    assert mine.endswith("← you")


async def test_leaderboard_tells_a_member_without_an_account_they_are_not_ranked(
    h: Harness,
) -> None:
    reply = await h.run("leaderboard", person(h, "bob"), page=99)
    text = description(reply)
    pages = (await h.app.points.leaderboard(h.guild_id, person(h, "bob").id, 1)).pages
    many = f"has {pages} pages" if pages > 1 else "has one page"
    assert f"There is no page 99: the leaderboard {many}." in text
    assert f"page {pages} of {pages}" in text  # never "page 99 of 1"
    assert "not ranked yet: you have **25** points waiting" in text


async def test_leaderboard_page_zero_is_refused(h: Harness) -> None:
    reply = await h.run("leaderboard", h.member, page=0)
    assert reply["ephemeral"] and "The page must be a whole number from 1" in description(reply)


async def test_history_is_private_and_newest_first(h: Harness) -> None:
    dave = person(h, "dave")
    reply = await h.run("history", dave)
    assert reply["ephemeral"]
    text = description(reply)
    assert text.index("gave") < text.index("starting balance")
    assert "**-10** gave → 15" in text


async def test_a_duplicate_interaction_create_is_answered_once_and_credited_once(
    h: Harness,
) -> None:
    giver, taker = person(h, "alice"), person(h, "bob")
    before_giver, before_taker = await h.balance(giver), await h.balance(taker)
    payload = payloads.slash_command_interaction(
        application_id=h.fake.application_id,
        guild=h.guild,
        invoker=giver,
        name="give",
        options=[payloads.opt_user("member", taker), payloads.opt_int("amount", 3)],
        command_guild_id=h.guild_id,
    )
    with structlog.testing.capture_logs() as logs:
        interaction_id = await h.fake.dispatch_interaction(payload)
        await h.fake.dispatch("INTERACTION_CREATE", payload)  # Discord redelivers it
        reply = await h.fake.interaction_reply(interaction_id)
        await asyncio.sleep(0.2)
        await h.fake.dispatch("INTERACTION_CREATE", payload)  # and again, after the answer
        await asyncio.sleep(0.2)
    assert "gave **3** points" in description(reply)
    callbacks = [
        r
        for r in h.fake.requests_to("POST", CALLBACK)
        if r.params["interaction_id"] == str(interaction_id)
    ]
    assert len(callbacks) == 1
    assert len(h.fake.interaction_replies(interaction_id)) == 1
    assert await h.balance(giver) == before_giver - 3
    assert await h.balance(taker) == before_taker + 3
    assert [e["event"] for e in logs if e["event"] == "interaction_duplicate"] == [
        "interaction_duplicate",
        "interaction_duplicate",
    ]
    assert not [e for e in logs if e["log_level"] in ("error", "critical")]


async def test_an_unexpected_exception_answers_with_a_ref_and_logs_the_traceback(
    h: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(self, *args, **kwargs):
        raise RuntimeError("the feature broke")

    monkeypatch.setattr(PointsMember, "transfer", broken)
    before = await h.ledger_state(h.member, person(h, "friend"))
    with structlog.testing.capture_logs() as logs:
        reply = await h.run("give", h.member, member=person(h, "friend"), amount=1)
    assert reply["ephemeral"]
    text = description(reply)
    assert "Something went wrong (ref " in text
    ref = text.split("(ref ")[1].split(")")[0]
    [failed] = [e for e in logs if e["event"] == "command_failed"]
    assert failed["ref"] == ref and failed["log_level"] == "error"
    assert failed["command"] == "give"
    assert isinstance(failed["exc_info"], RuntimeError)
    assert "Nothing was changed" in text
    assert await h.ledger_state(h.member, person(h, "friend")) == before
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # lightbulb: handled


async def test_a_failure_after_the_commit_says_the_change_was_saved(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args, **_kwargs):
        raise KeyError("renderer broke")

    from vouchy.features.points import render

    monkeypatch.setattr(render, "gave", broken)
    giver, taker = person(h, "erin"), person(h, "friend")
    before = await h.balance(giver)
    with structlog.testing.capture_logs() as logs:
        reply = await h.run("give", giver, member=taker, amount=2)
    [failed] = [e for e in logs if e["event"] == "command_failed"]
    text = description(reply)
    assert reply["ephemeral"]
    assert f"Your change was saved (ledger entry #{failed['saved_ledger_id']})" in text
    assert f"(ref {failed['ref']})" in text
    assert await h.balance(giver) == before - 2


async def test_a_command_after_stop_began_is_answered_restarting_and_changes_nothing(
    h: Harness,
) -> None:
    before = await h.ledger_state(h.member)
    h.bot.gate.stopping = True
    try:
        reply = await h.run("daily", h.member)
    finally:
        h.bot.gate.stopping = False
    assert reply["ephemeral"]
    assert "Vouchy is restarting" in description(reply)
    assert await h.ledger_state(h.member) == before


async def test_every_command_option_and_choice_reaches_discord_in_english_and_french(
    h: Harness,
) -> None:
    def walk(item: dict, where: str) -> list[str]:
        found = []
        for field in ("name_localizations", "description_localizations"):
            texts = item.get(field) or {}
            if field == "description_localizations" and "description" not in item:
                continue
            if not texts.get("fr") or not texts.get("en-US"):
                found.append(f"{where}: {field} {texts}")
        for choice in item.get("choices") or []:
            if not (choice.get("name_localizations") or {}).get("fr"):
                found.append(f"{where} choice {choice['name']}")
        for option in item.get("options") or []:
            found += walk(option, f"{where} {option['name']}")
        return found

    missing: list[str] = []
    for name in {c.split()[0] for c in EXPECTED_COMMANDS}:
        registered = h.fake.registered_command(name, h.guild_id)
        assert registered is not None, name
        missing += walk(registered, name)
    assert missing == []
    give = h.fake.registered_command("give", h.guild_id)
    assert give["name_localizations"]["fr"] == "donner"


async def test_a_french_speaking_member_is_answered_in_french_with_french_numbers(
    h: Harness,
) -> None:
    frank = person(h, "frank")
    await h.app.points.member(h.guild_id, frank.id).earn(1209, "setup-frank")
    reply = await h.fake.interaction_reply(await h.fake.slash("points", user=frank, locale="fr"))
    assert "Tu as **1\u202f234** points." in description(reply)
    refused = await h.fake.interaction_reply(
        await h.fake.slash("give", user=frank, member=frank, amount=1, locale="fr")
    )
    assert "Tu ne peux pas te donner des points à toi-même." in description(refused)
    assert "rien n'a été modifié" in description(refused)
