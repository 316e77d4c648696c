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

from vouchy.app import Vouchy
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
    """Valid options for every admin and settings command."""
    target = h.guild.member("target")
    return {
        "admin points add": {"member": target, "amount": 5, "reason": "x"},
        "admin points remove": {"member": target, "amount": 1},
        "admin points set": {"member": target, "amount": 7},
        "admin backup": {},
        "admin audit": {},
        "admin repair": {},
        "config show": {},
        "config set": {"log_channel": h.guild.text_channel},
        "config clear": {"setting": "log_channel_id"},
    }[command]


PROTECTED = sorted(c for c in EXPECTED_COMMANDS if c.split()[0] in ("admin", "config"))


async def test_the_protected_list_covers_every_admin_and_settings_command() -> None:
    assert PROTECTED == [
        "admin audit",
        "admin backup",
        "admin points add",
        "admin points remove",
        "admin points set",
        "admin repair",
        "config clear",
        "config set",
        "config show",
    ]


async def settings_row(h: Harness) -> tuple | None:
    conn = sqlite3.connect(h.app.config.db_path)
    try:
        return conn.execute(
            "SELECT * FROM guild_settings WHERE guild_id = ?", (h.guild_id,)
        ).fetchone()
    finally:
        conn.close()


@pytest.mark.parametrize("command", PROTECTED)
async def test_an_ordinary_member_is_denied_every_admin_command_and_nothing_changes(
    h: Harness, command: str
) -> None:
    # The fake does not hide commands: this is a server whose admins overrode the command
    # permissions so that everyone may call /admin. The server-side check still says no.
    target = h.guild.member("target")
    before = (await h.ledger_state(h.member, target), await settings_row(h))
    reply = await h.run(command, h.member, **options_for(h, command))
    assert reply["ephemeral"]
    text = description(reply)
    assert "Only" in text and "Manage Server" in text
    assert "nothing was changed" in text
    assert (await h.ledger_state(h.member, target), await settings_row(h)) == before


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


@pytest.mark.parametrize(
    ("command", "amount", "says"),
    [
        ("admin points add", 0, "at least 1"),
        ("admin points add", 10_001, "at most 10,000"),
        ("admin points remove", -3, "at least 1"),
        ("admin points set", -1, "from 0 to 10,000"),
        ("admin points set", 10_001, "from 0 to 10,000"),
        ("admin points remove", 9_999, "You need 9,999 points"),
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


async def test_admin_points_on_a_bot_is_refused_and_changes_nothing(h: Harness) -> None:
    before = await h.ledger_state(h.other_bot)
    reply = await h.run("admin points add", h.admin, member=h.other_bot, amount=5)
    assert reply["ephemeral"] and "Bots don't hold points" in description(reply)
    assert await h.ledger_state(h.other_bot) == before


async def test_config_sets_shows_and_clears_the_channels_and_admin_role(h: Harness) -> None:
    channel = h.guild.text_channel
    role = h.guild.role("Vouchy Mods")
    reply = await h.run(
        "config set", h.owner, log_channel=channel, vouch_channel=channel, admin_role=role
    )
    assert reply["ephemeral"]
    text = description(reply)
    assert f"Log channel\n<#{channel.id}>" in text and f"Admin role\n<@&{role.id}>" in text
    row = await settings_row(h)
    assert row[:4] == (h.guild_id, channel.id, channel.id, role.id) and row[5] == h.owner.id
    cleared = await h.run("config clear", h.admin, setting="vouch_channel_id")
    assert "Vouch channel\nnot set" in description(cleared)
    shown = await h.run("config show", h.admin)
    assert f"Log channel\n<#{channel.id}>" in description(shown)
    assert (await settings_row(h))[2] is None


async def test_config_set_without_any_option_is_refused(h: Harness) -> None:
    reply = await h.run("config set", h.admin)
    assert reply["ephemeral"] and "Pick at least one" in description(reply)


async def test_the_configured_admin_role_opens_admin_commands_but_not_config(h: Harness) -> None:
    await h.run("config set", h.owner, admin_role=h.guild.role("Vouchy Mods"))
    mod, target = h.guild.member("mod"), h.guild.member("target")
    before = await h.balance(target)
    reply = await h.run("admin points add", mod, member=target, amount=3)
    assert not reply["ephemeral"] and "Added **3** points" in description(reply)
    assert await h.balance(target) == before + 3
    row = await settings_row(h)
    denied = await h.run("config set", mod, admin_role=h.guild.role("Vouchy Mods"))
    assert denied["ephemeral"] and "Manage Server" in description(denied)
    assert await settings_row(h) == row


async def test_an_admin_change_is_copied_to_the_log_channel(h: Harness) -> None:
    channel = h.guild.text_channel
    await h.run("config set", h.admin, log_channel=channel)
    target = h.guild.member("target")
    since = len(h.fake.requests)
    await h.run("admin points add", h.admin, member=target, amount=2, reason="helped")
    posted = await h.fake.wait_for_request("POST", "/channels/{channel_id}/messages", since=since)
    assert posted.params["channel_id"] == str(channel.id)
    [embed] = posted.json["embeds"]
    assert "add 2 for" in embed["description"] and "(helped)" in embed["description"]
    assert posted.json["allowed_mentions"]["parse"] == []


async def test_admin_audit_finds_a_corrupted_balance_and_repair_rebuilds_it(h: Harness) -> None:
    target = h.guild.member("target")
    clean = await h.run("admin audit", h.admin)
    assert "is clean" in description(clean)
    right = await h.balance(target)

    def corrupt(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE accounts SET balance = balance + 500 WHERE guild_id = ? AND user_id = ?",
            (h.guild_id, target.id),
        )

    await h.app.writer.execute(corrupt)
    found = await h.run("admin audit", h.admin, member=target)
    text = description(found)
    assert found["ephemeral"] and "found problems" in text
    assert f"balance mismatch (balance {right + 500:,}, ledger sum {right:,})" in text
    fixed = await h.run("admin repair", h.admin)
    assert "Rebuilt 1 balance(s)" in description(fixed) and "clean" in description(fixed)
    assert await h.balance(target) == right
    assert (await h.app.audit()).clean


async def test_admin_backup_reports_the_storage_facts(h: Harness) -> None:
    reply = await h.run("admin backup", h.owner)
    assert reply["ephemeral"]
    text = description(reply)
    report = await h.app.audit(h.guild_id)
    assert f"Accounts here\n{report.accounts:,}" in text
    assert f"Points held here\n{report.total_points:,}" in text
    assert "Audit\nclean" in text
    assert f"Last ledger entry\n#{h.app.writer.last_ledger_id:,}" in text
    if hasattr(Vouchy, "snapshot_now"):  # the durability side has landed
        snapshot = text.split("Snapshot taken and verified: `")[1].split("`")[0]
        assert (h.app.config.snapshot_dir / snapshot).exists()
        assert f"Last snapshot\n{snapshot} (verified" in text
