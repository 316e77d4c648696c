"""The invite commands end to end: /invites lookup, logs, export, sync, top and staff,
/admin invites bonus, /config invites, who may run them, bad input refused with nothing
changed, French, and the audit that finds a damaged count and the repair that fixes it."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from features.invites.invites_support import invite_rows, joins_of, old_user, settled
from support.bot import Harness, description, started_bot

from vouchy.features.invites import logs
from vouchy.features.invites.service import InvitesService
from vouchy.testing.fake_discord import FakeDiscord, Member, User, next_snowflake

pytestmark = pytest.mark.asyncio(loop_scope="module")

HOSTILE = '=HYPERLINK("http://example.invalid","x")'


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    fake = FakeDiscord()
    for name in ("friend", "otherbot"):
        fake.guild.members.append(Member(User(next_snowflake(), name, bot=name == "otherbot")))
    # An invite used 10 times before Vouchy came: those uses are no discrepancy.
    await fake.create_invite("before-us", inviter=fake.guild.member("owner").user, uses=10)
    await fake.start()
    try:
        async with started_bot(tmp_path_factory.mktemp("invites-commands"), fake=fake) as harness:
            svc = harness.app.service(InvitesService)
            await fake.create_invite("cmd-a", inviter=harness.admin.user)
            await fake.create_invite("cmd-b", inviter=harness.owner.user, uses=4)
            for name, code in (("amy", "cmd-a"), (HOSTILE, "cmd-a"), ("bob", "cmd-b")):
                user = old_user(name)
                await fake.add_member(user, via_invite=code)
                await joins_of(svc, harness.guild_id, user.id)
            yield harness
    finally:
        await fake.close()


@pytest.fixture(autouse=True)
def no_api_violations(h: Harness) -> Iterator[None]:
    yield
    found, h.fake.violations[:] = list(h.fake.violations), []
    assert found == [], "Discord API violations:\n" + "\n".join(found)


def member(h: Harness, name: str) -> Member:
    return h.guild.member(name)


def rows(h: Harness) -> dict:
    return invite_rows(h.app.config.db_path)


async def test_lookup_tells_an_admin_the_code_inviter_staff_member_referral_and_how(
    h: Harness,
) -> None:
    saved = await h.run(
        "invites staff set",
        h.admin,
        staff=h.guild.member("friend"),
        code="https://discord.gg/cmd-a",
        referral_link="https://broker.example/ref/friend",
        referral_code="FRIEND1",
    )
    assert "`cmd-a` → <@" in description(saved)
    reply = await h.run("invites lookup", h.admin, member=member(h, "amy"))
    assert reply["ephemeral"]
    text = description(reply)
    assert "Invite: `cmd-a`" in text
    assert f"Invited by: <@{h.admin.id}>" in text
    assert f"Staff member: <@{h.guild.member('friend').id}>" in text
    assert "Referral link: https://broker.example/ref/friend" in text
    assert "Referral code: `FRIEND1`" in text
    assert "How Vouchy knows (invite code): The uses of cmd-a went from 0 to 1" in text


async def test_lookup_is_for_admins_and_a_member_is_refused_with_nothing_changed(
    h: Harness,
) -> None:
    before = rows(h)
    for command, options in (
        ("invites lookup", {"member": member(h, "amy")}),
        ("invites logs", {}),
        ("invites export", {}),
        ("invites sync", {}),
        ("invites staff list", {}),
        ("invites staff remove", {"code": "cmd-a"}),
        ("admin invites bonus", {"member": h.admin, "amount": 3}),
    ):
        reply = await h.run(command, h.member, **options)
        assert reply["ephemeral"], command
        assert "Only admins" in description(reply), command
    assert rows(h) == before


async def test_lookup_of_a_member_never_seen_joining_says_so_in_french_too(h: Harness) -> None:
    reply = await h.run("invites lookup", h.admin, member=h.owner)
    assert "Vouchy has no recorded join for" in description(reply)
    fr = await h.fake.interaction_reply(
        await h.fake.slash("invites lookup", user=h.admin, member=member(h, "bob"), locale="fr")
    )
    text = description(fr)
    assert "Invitation : `cmd-b`" in text
    assert "Comment Vouchy le sait (code d'invitation)" in text


async def test_logs_filter_by_member_and_code_and_refuse_a_page_past_the_end(h: Harness) -> None:
    everything = description(await h.run("invites logs", h.admin))
    assert "Joins recorded: 3" in everything
    by_code = description(await h.run("invites logs", h.admin, code="cmd-b"))
    assert "Joins recorded: 1" in by_code and f"<@{member(h, 'bob').id}>" in by_code
    by_member = description(await h.run("invites logs", h.admin, member=member(h, "amy")))
    assert "Joins recorded: 1" in by_member and "`cmd-a`" in by_member
    before = rows(h)
    past = await h.run("invites logs", h.admin, page=5)
    assert past["ephemeral"] and "There is no page 5: the last one is 1." in description(past)
    bad = await h.run("invites logs", h.admin, code="not a code!")
    assert "is not an invite code" in description(bad)
    assert rows(h) == before


async def test_export_returns_this_servers_joins_as_a_csv_a_spreadsheet_cannot_run(
    h: Harness,
) -> None:
    reply = await h.run("invites export", h.admin)
    assert reply["ephemeral"]
    assert "Every recorded join of this server: 3" in description(reply)
    [sent] = [r for r in h.fake.requests if "invite_joins.csv" in r.attachments]
    data = sent.attachments["invite_joins.csv"]
    assert data.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == list(logs.CSV_COLUMNS)
    assert len(table) == 4
    names = [row[4] for row in table[1:]]
    assert "'" + HOSTILE in names and HOSTILE not in names
    # The same bytes the log file under the data directory holds for these joins.
    on_disk = logs.log_paths(h.app.config.data_dir).csv.read_bytes()
    assert data.split(b"\r\n", 1)[1] in on_disk


async def test_sync_lists_each_invite_whose_discord_count_differs_from_the_recorded_joins(
    h: Harness,
) -> None:
    ok = description(await h.run("invites sync", h.admin))
    assert "match the recorded joins (invites checked: 3)" in ok
    # Someone joined through cmd-b while Vouchy was away: Discord counts a use Vouchy lacks.
    invite = next(i for i in h.guild.invites if i["code"] == "cmd-b")
    invite["uses"] += 2
    try:
        text = description(await h.run("invites sync", h.admin))
    finally:
        invite["uses"] -= 2
    assert "Discrepancies: 1" in text
    assert "`cmd-b`: Discord counts 7 uses, Vouchy expects 5 (4 before tracking + 1" in text


async def test_top_ranks_inviters_and_tells_the_asker_their_place(h: Harness) -> None:
    reply = await h.run("invites top", h.admin)
    assert not reply["ephemeral"]
    text = description(reply)
    lines = [line for line in text.splitlines() if line[:2] in ("1.", "2.")]
    assert lines[0].startswith(f"1. <@{h.admin.id}>: 2 (2 regular")
    assert lines[1].startswith(f"2. <@{h.owner.id}>: 1 (1 regular")
    assert "Your place: 1 of 2, with 2." in text
    other = description(await h.run("invites top", h.member))
    assert "You have not invited anyone yet." in other
    past = await h.run("invites top", h.member, page=2)
    assert "There is no page 2" in description(past)


async def test_staff_mappings_refuse_bad_input_with_nothing_changed_then_list_and_remove(
    h: Harness,
) -> None:
    friend = h.guild.member("friend")
    before = rows(h)
    for options, says in (
        ({"staff": friend, "code": "cmd-b", "referral_link": "ftp://x"}, "referral link"),
        ({"staff": friend, "code": "cmd-b", "inviter": h.owner}, "not both"),
        ({"staff": friend}, "not both"),
        ({"staff": friend, "code": "bad code"}, "is not an invite code"),
        ({"staff": friend, "inviter": h.owner, "referral_code": "two words"}, "referral code"),
    ):
        reply = await h.run("invites staff set", h.admin, **options)
        assert reply["ephemeral"] and says in description(reply), options
    missing = await h.run("invites staff remove", h.admin, code="cmd-b")
    assert "is not mapped to a staff member; nothing was changed" in description(missing)
    assert rows(h) == before

    await h.run("invites staff set", h.admin, staff=friend, inviter=h.owner)
    listed = description(await h.run("invites staff list", h.admin))
    assert "Staff mappings: 2" in listed
    assert f"<@{h.owner.id}> → <@{friend.id}>" in listed
    removed = await h.run("invites staff remove", h.admin, inviter=h.owner)
    assert "was removed" in description(removed)
    assert "Staff mappings: 1" in description(await h.run("invites staff list", h.admin))


async def test_admin_invites_bonus_moves_the_total_and_refuses_zero_and_bots(h: Harness) -> None:
    svc = h.app.service(InvitesService)
    before = await svc.counts(h.guild_id, h.owner.id)
    reply = await h.run("admin invites bonus", h.admin, member=h.owner, amount=5, reason="event")
    text = description(reply)
    assert "Bonus of +5 for" in text and "+5 bonus" in text
    after = await svc.counts(h.guild_id, h.owner.id)
    assert (after.bonus - before.bonus, after.total - before.total) == (5, 5)
    unchanged = rows(h)
    zero = await h.run("admin invites bonus", h.admin, member=h.owner, amount=0)
    assert zero["ephemeral"] and "other than 0" in description(zero)
    bot = await h.run("admin invites bonus", h.admin, member=h.other_bot, amount=1)
    assert "no bonus for a bot" in description(bot)
    assert rows(h) == unchanged
    taken = await h.run("admin invites bonus", h.admin, member=h.owner, amount=-5)
    assert "Bonus of -5 for" in description(taken)
    assert await svc.counts(h.guild_id, h.owner.id) == before


async def test_the_audit_reports_a_damaged_count_and_repair_restores_it_from_the_records(
    h: Harness,
) -> None:
    svc = h.app.service(InvitesService)
    await settled(svc, h.guild_id)
    right = await svc.counts(h.guild_id, h.admin.id)
    amy = member(h, "amy")
    right_standing = await svc.standing(h.guild_id, amy.id)
    conn = sqlite3.connect(h.app.config.db_path)
    with conn:
        conn.execute(
            "UPDATE invite_counts SET regular = regular + 40 WHERE guild_id = ? AND inviter_id = ?",
            (h.guild_id, h.admin.id),
        )
        conn.execute(
            "UPDATE invite_members SET present = 0 WHERE guild_id = ? AND member_id = ?",
            (h.guild_id, amy.id),
        )
    conn.close()
    report = await h.app.audit(h.guild_id)
    assert {(d.problem, d.user_id) for d in report.discrepancies} == {
        ("invite_counts_mismatch", h.admin.id),
        ("invite_standing_mismatch", amy.id),
    }
    audit = description(await h.run("admin audit", h.admin))
    assert "invite counts differ from the recorded joins" in audit
    assert "(stored 42, from its records 2)" in audit
    repaired = description(await h.run("admin repair", h.admin))
    assert "2" in repaired
    assert (await h.app.audit(h.guild_id)).clean
    assert await svc.counts(h.guild_id, h.admin.id) == right
    assert await svc.standing(h.guild_id, amy.id) == right_standing
