"""Admin and settings commands end to end, and who may run them: the server decides, whatever
the Discord client was told by ``default_member_permissions``."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from support.bot import EXPECTED_COMMANDS, Harness, description, started_bot

from vouchy.testing.fake_discord import Role, next_snowflake

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    data_dir: Path = tmp_path_factory.mktemp("bot-admin")
    async with started_bot(data_dir, extra_members=("friend", "mod", "target")) as harness:
        guild = harness.guild
        guild.roles.append(Role(next_snowflake(), "Vouchy Mods", position=1))
        guild.member("mod").roles.append(guild.role("Vouchy Mods").id)
        yield harness


@pytest.fixture(autouse=True)
def no_api_violations(h: Harness) -> Iterator[None]:
    yield
    found, h.fake.violations[:] = list(h.fake.violations), []
    assert found == [], "Discord API violations:\n" + "\n".join(found)


def options_for(h: Harness, command: str) -> dict[str, Any]:
    target = h.guild.member("target")
    return {
        "admin points add": {"member": target, "amount": 5, "reason": "x"},
        "admin points remove": {"member": target, "amount": 1},
        "admin points set": {"member": target, "amount": 7},
        "admin backup": {},
        "admin audit": {},
        "admin repair": {},
        "config show": {},
        "config core set": {"log_channel": h.guild.text_channel},
        "config core reset": {"setting": "log_channel"},
        "config points set": {"daily_amount": 5},
        "config points reset": {"setting": "daily_amount"},
        "admin items give": {"member": target, "item": "jackpot"},
        "admin items take": {"member": target, "item": "jackpot"},
        "admin shop add": {"name": "Denied", "price": 5},
        "admin shop edit": {"item": "jackpot", "price": 5},
        "admin shop remove": {"item": "jackpot"},
        "admin rewards add": {"name": "Denied", "cost": 5},
        "admin rewards edit": {"reward": "denied", "cost": 5},
        "admin rewards remove": {"reward": "denied"},
        "admin redemption use": {"code": "ABCD-EFGH-JKMN"},
        "admin redemption list": {},
        "config shop set": {"jackpot_min": 5},
        "config shop reset": {"setting": "jackpot_min"},
        "admin invites bonus": {"member": target, "amount": 2},
        "config invites set": {"fake_account_days": 3},
        "config invites reset": {"setting": "fake_account_days"},
        "admin api-key create": {"name": "shop", "scopes": "read"},
        "admin api-key list": {},
        "admin api-key revoke": {"key": "0123456789ab"},
        "config web set": {"leaderboard": True},
        "config web reset": {"setting": "leaderboard"},
        "config web leaderboard": {"state": "on"},
        "admin vouch add": {"provider": target, "voucher": h.friend},
        "admin vouch remove": {"message_id": "123456789012345678"},
        "config vouches set": {"voucher_points": 3},
        "config vouches add": {"setting": "channels", "channel": h.guild.text_channel},
        "config vouches remove": {"setting": "channels", "channel": h.guild.text_channel},
        "config vouches reset": {"setting": "voucher_points"},
        "config giftcodes set": {"auto_redeem": True},
        "config giftcodes reset": {"setting": "auto_redeem"},
        "admin xp add": {"member": target, "amount": 5},
        "admin xp remove": {"member": target, "amount": 5},
        "admin xp set": {"member": target, "xp": 5},
        "admin xp reset": {"member": target},
        "admin levels sync-roles": {},
        "config levels set": {"reaction_xp": 5},
        "config levels add": {"setting": "no_xp_channels", "channel": h.guild.text_channel},
        "config levels remove": {"setting": "no_xp_channels", "channel": h.guild.text_channel},
        "config levels reset": {"setting": "reaction_xp"},
        "config levels multiplier": {"percent": 150, "channel": h.guild.text_channel},
        "config levels role-reward": {"level": 1, "role": h.guild.role("Vouchy Mods")},
        "config levels point-reward": {"level": 1, "points": 5},
        "config levels item-reward": {"level": 1, "item": "x"},
        "config games set": {"game": "dice", "max_bet": 50},
        "config games add": {"setting": "channels", "channel": h.guild.text_channel},
        "config games remove": {"setting": "channels", "channel": h.guild.text_channel},
        "config games reset": {"setting": "channels"},
    }[command]


PROTECTED = sorted(c for c in EXPECTED_COMMANDS if c.split()[0] in ("admin", "config"))


async def test_the_protected_list_covers_every_admin_and_settings_command() -> None:
    assert PROTECTED == [
        "admin api-key create",
        "admin api-key list",
        "admin api-key revoke",
        "admin audit",
        "admin backup",
        "admin invites bonus",
        "admin items give",
        "admin items take",
        "admin levels sync-roles",
        "admin points add",
        "admin points remove",
        "admin points set",
        "admin redemption list",
        "admin redemption use",
        "admin repair",
        "admin rewards add",
        "admin rewards edit",
        "admin rewards remove",
        "admin shop add",
        "admin shop edit",
        "admin shop remove",
        "admin vouch add",
        "admin vouch remove",
        "admin xp add",
        "admin xp remove",
        "admin xp reset",
        "admin xp set",
        "config core reset",
        "config core set",
        "config games add",
        "config games remove",
        "config games reset",
        "config games set",
        "config giftcodes reset",
        "config giftcodes set",
        "config invites reset",
        "config invites set",
        "config levels add",
        "config levels item-reward",
        "config levels multiplier",
        "config levels point-reward",
        "config levels remove",
        "config levels reset",
        "config levels role-reward",
        "config levels set",
        "config points reset",
        "config points set",
        "config shop reset",
        "config shop set",
        "config show",
        "config vouches add",
        "config vouches remove",
        "config vouches reset",
        "config vouches set",
        "config web leaderboard",
        "config web reset",
        "config web set",
    ]


async def settings_rows(h: Harness) -> list[tuple]:
    conn = sqlite3.connect(h.app.config.db_path)
    try:
        return conn.execute(
            "SELECT * FROM settings WHERE guild_id = ? ORDER BY 2, 3", (h.guild_id,)
        ).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("command", PROTECTED)
async def test_an_ordinary_member_is_denied_every_admin_command_and_nothing_changes(
    h: Harness, command: str
) -> None:
    # The fake does not hide commands: this is a server whose admins overrode the command
    # permissions so that everyone may call /admin. The server-side check still says no.
    target = h.guild.member("target")
    before = (await h.ledger_state(h.member, target), await settings_rows(h))
    reply = await h.run(command, h.member, **options_for(h, command))
    assert reply["ephemeral"]
    text = description(reply)
    assert "Only" in text and "Manage Server" in text
    if command.startswith("config"):
        assert "see or change Vouchy's settings" in text  # /config show is not "change"
    assert "nothing was changed" in text
    assert (await h.ledger_state(h.member, target), await settings_rows(h)) == before


async def test_admin_points_add_remove_and_set_change_the_ledger_with_the_admin_recorded(
    h: Harness,
) -> None:
    friend = h.guild.member("friend")
    added = await h.run("admin points add", h.admin, member=friend, amount=5000, reason="event")
    assert "Added **5,000** points to" in description(added)
    assert "5,025" in description(added)
    removed = await h.run("admin points remove", h.admin, member=friend, amount=25)
    assert "Removed **25** points from" in description(removed)
    was_set = await h.run("admin points set", h.owner, member=friend, amount=1234)
    assert "balance to **1,234** points (-3,766)" in description(was_set)
    assert await h.balance(friend) == 1234
    history = await h.app.points.member(h.guild_id, friend.id).history(1, 10)
    adjustments = [e for e in history.entries if e.kind == "admin_adjust"]
    assert [(e.delta, e.acting_user_id) for e in adjustments] == [
        (-3766, h.owner.id),
        (-25, h.admin.id),
        (5000, h.admin.id),
    ]
    assert adjustments[-1].reason == "event"
    assert (await h.app.audit()).clean


async def test_admin_points_set_takes_a_balance_above_the_per_command_limit(h: Harness) -> None:
    target = h.guild.member("friend")
    reply = await h.run("admin points set", h.admin, member=target, amount=250_000)
    assert not reply["ephemeral"] and "**250,000** points" in description(reply)
    assert await h.balance(target) == 250_000


@pytest.mark.parametrize(
    ("command", "amount", "says"),
    [
        ("admin points add", 0, "at least 1"),
        ("admin points add", 10_001, "at most 10,000"),
        ("admin points remove", -3, "at least 1"),
        ("admin points set", -1, "from 0 to 1,000,000,000,000"),
    ],
)
async def test_admin_points_refuses_bad_amounts_and_changes_nothing(
    h: Harness, command: str, amount: int, says: str
) -> None:
    target = h.guild.member("target")
    before = await h.ledger_state(target)
    reply = await h.run(command, h.admin, member=target, amount=amount)
    assert reply["ephemeral"]
    assert says in description(reply)
    assert await h.ledger_state(target) == before


async def test_removing_more_than_a_member_has_names_the_members_balance_not_the_admins(
    h: Harness,
) -> None:
    target = h.guild.member("target")
    balance = await h.balance(target)
    before = await h.ledger_state(target)
    reply = await h.run("admin points remove", h.admin, member=target, amount=9_000)
    text = description(reply)
    assert f"<@{target.id}> has only **{balance:,}** points" not in text  # not bold in a sentence
    assert f"<@{target.id}> has only {balance:,} points: taking 9,000" in text
    assert "You need" not in text
    assert await h.ledger_state(target) == before


async def test_admin_points_on_a_bot_is_refused_and_changes_nothing(h: Harness) -> None:
    before = await h.ledger_state(h.other_bot)
    reply = await h.run("admin points add", h.admin, member=h.other_bot, amount=5)
    assert reply["ephemeral"] and "Bots don't hold points" in description(reply)
    assert await h.ledger_state(h.other_bot) == before


async def test_config_core_sets_shows_and_resets_the_log_channel_admin_role_and_language(
    h: Harness,
) -> None:
    channel = h.guild.text_channel
    role = h.guild.role("Vouchy Mods")
    reply = await h.run(
        "config core set", h.owner, log_channel=channel, admin_role=role, language="fr"
    )
    assert reply["ephemeral"]
    text = description(reply)
    assert f"log_channel\n<#{channel.id}>" in text and f"admin_role\n<@&{role.id}>" in text
    rows = await settings_rows(h)
    assert [(r[1], r[2], r[3], r[5]) for r in rows if r[1] == "core"] == [
        ("core", "admin_role", str(role.id), h.owner.id),
        ("core", "locale", '"fr"', h.owner.id),
        ("core", "log_channel", str(channel.id), h.owner.id),
    ]
    reset = await h.run("config core reset", h.admin, setting="log_channel")
    assert "log_channel\nnot set (default)" in description(reset)
    await h.run("config core reset", h.owner, setting="locale")
    shown = await h.run("config show", h.admin)
    assert f"admin_role\n<@&{role.id}>" in description(shown)
    assert "daily_amount\n100 (default)" in description(shown)


async def test_config_set_without_any_option_is_refused(h: Harness) -> None:
    reply = await h.run("config core set", h.admin)
    assert reply["ephemeral"] and "Pick at least one" in description(reply)


async def test_config_points_changes_the_daily_reward_of_this_server_only(h: Harness) -> None:
    reply = await h.run("config points set", h.admin, daily_amount=7, daily_cooldown_hours=1.5)
    assert "daily_amount\n7" in description(reply)
    claimer = h.guild.member("mod")
    before = await h.balance(claimer)
    claimed = await h.run("daily", claimer)
    assert "**7** points" in description(claimed)
    assert await h.balance(claimer) == before + 7
    again = await h.run("daily", claimer)
    assert "Try again in 1h 30m" in description(again)
    await h.run("config points reset", h.admin, setting="daily_amount")
    await h.run("config points reset", h.admin, setting="daily_cooldown_hours")


async def test_the_configured_admin_role_opens_admin_and_config_but_not_choosing_the_role(
    h: Harness,
) -> None:
    await h.run("config core set", h.owner, admin_role=h.guild.role("Vouchy Mods"))
    mod, target = h.guild.member("mod"), h.guild.member("target")
    before = await h.balance(target)
    reply = await h.run("admin points add", mod, member=target, amount=3)
    assert not reply["ephemeral"] and "Added **3** points" in description(reply)
    assert await h.balance(target) == before + 3
    rows = await settings_rows(h)
    denied = await h.run("config core set", mod, admin_role=h.guild.role("Vouchy Mods"))
    assert denied["ephemeral"] and "Manage Server" in description(denied)
    assert await settings_rows(h) == rows
    allowed = await h.run("config points set", mod, daily_amount=100)
    assert not description(allowed).startswith("Not done")
    await h.run("config points reset", mod, setting="daily_amount")


async def test_an_admin_change_is_copied_to_the_log_channel_through_the_outbox(h: Harness) -> None:
    channel = h.guild.text_channel
    await h.run("config core set", h.admin, log_channel=channel)
    target = h.guild.member("target")
    since = len(h.fake.requests)
    await h.run("admin points add", h.admin, member=target, amount=2, reason="helped")
    posted = await h.fake.wait_for_request("POST", "/channels/{channel_id}/messages", since=since)
    assert posted.params["channel_id"] == str(channel.id)
    assert posted.json["nonce"].startswith("vouchy-") and posted.json["enforce_nonce"] is True
    [embed] = posted.json["embeds"]
    assert embed["description"].startswith(f"Added **2** points to <@{target.id}>.")
    assert (
        "Reason: helped" in embed["description"] and f"By <@{h.admin.id}>." in embed["description"]
    )
    assert posted.json["allowed_mentions"]["parse"] == []
    await h.run("config core reset", h.admin, setting="log_channel")


async def test_admin_audit_finds_a_corrupted_balance_and_repair_records_what_it_was(
    h: Harness,
) -> None:
    target = h.guild.member("target")
    clean = await h.run("admin audit", h.admin)
    assert "is clean" in description(clean)
    right = await h.balance(target)
    conn = sqlite3.connect(h.app.config.db_path)  # damage made outside Vouchy
    conn.execute(
        "UPDATE accounts SET balance = balance + 7 WHERE guild_id = ? AND user_id = ?",
        (h.guild_id, target.id),
    )
    conn.commit()
    conn.close()
    found = await h.run("admin audit", h.admin, member=target)
    text = description(found)
    assert found["ephemeral"] and "found problems" in text
    assert (
        f"balance differs from its ledger (stored {right + 7:,}, from its records {right:,})"
        in text
    )
    fixed = await h.run("admin repair", h.admin)
    assert "Rebuilt 1 records" in description(fixed) and "clean" in description(fixed)
    assert await h.balance(target) == right
    [repair] = [
        e
        for e in (await h.app.points.member(h.guild_id, target.id).history(1, 5)).entries
        if e.kind == "repair"
    ]
    assert repair.reason == f"balance was {right + 7}, ledger sum {right}"  # the value it had
    assert (await h.app.audit()).clean


async def test_admin_audit_of_a_member_without_an_account_says_so(h: Harness) -> None:
    nobody = h.guild.member("friend2") if h._find("friend2") else h.member
    reply = await h.run("admin audit", h.admin, member=h.other_bot)
    assert "has no account yet: there is nothing to audit" in description(reply)
    assert nobody is not None


async def test_admin_backup_tells_a_server_owner_what_is_safe_and_how_to_restore(
    h: Harness,
) -> None:
    first = await h.run("admin backup", h.owner)
    second = await h.run("admin backup", h.owner)  # in the same second: its own name
    names = []
    for reply in (first, second):
        assert reply["ephemeral"]
        text = description(reply)
        report = await h.app.audit(h.guild_id)
        assert "taken and verified" in text
        assert (
            f"this server's {report.accounts:,} members and {report.total_points:,} points" in text
        )
        name = text.split("python -m vouchy restore ")[1].split("`")[0]
        assert f"snapshot {name} · database" in text  # the details name the same snapshot
        assert (h.app.config.snapshot_dir / name).exists()
        names.append(name)
    assert names[0] != names[1]
