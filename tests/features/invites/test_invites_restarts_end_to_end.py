"""Attribution across restarts and losses, end to end: a restart with an empty cache, a missing
permission told once, joins that survive a lost ``vouchy.db`` through the journal, a data
directory rebuilt from the join log alone, and logs caught up after a crash."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest
from features.invites.invites_support import invite_rows, joins_of, leaves_of, old_user, settled
from support.bot import started_bot
from support.durability import logs_to_memory  # noqa: F401  (autouse: logs to memory)

from vouchy.app import Vouchy
from vouchy.cli import main
from vouchy.features.invites import logs
from vouchy.features.invites.service import InvitesService
from vouchy.store.durability.files import sqlite_files
from vouchy.testing.fake_discord import FakeDiscord, RecordedRequest
from vouchy.testing.fake_discord.models import MANAGE_GUILD


def service(app: Vouchy) -> InvitesService:
    return app.service(InvitesService)


async def test_a_restart_with_an_empty_cache_says_the_first_join_is_unknowable_then_attributes(
    tmp_path: Path,
) -> None:
    async with FakeDiscord() as fake:
        admin = fake.guild.member("admin")
        await fake.create_invite("keep", inviter=admin.user, uses=2, dispatch=False)
        async with started_bot(tmp_path, fake=fake) as h:
            lea = old_user("lea")
            await fake.add_member(lea, via_invite="keep")
            [first] = await joins_of(service(h.app), h.guild_id, lea.id)
            assert (first.cause, first.uses_before, first.uses_after) == ("code", 2, 3)

        # After the restart the bot's first list of invites is slow to come, and a member
        # joins meanwhile: that list already holds their use.
        release = asyncio.Event()
        calls: list[RecordedRequest] = []

        async def slow_list(request: RecordedRequest) -> object:
            calls.append(request)
            if len(calls) == 1:
                await release.wait()
            return [dict(invite) for invite in fake.guild.invites]

        fake.route("GET", "/guilds/{guild_id}/invites", slow_list)
        async with started_bot(tmp_path, fake=fake) as h:
            await fake.wait_for_request("GET", "/guilds/{guild_id}/invites")
            mia = old_user("mia")
            await fake.add_member(mia, via_invite="keep")
            await asyncio.sleep(0.05)
            release.set()
            [late] = await joins_of(service(h.app), h.guild_id, mia.id)
            assert (late.cause, late.code, late.inviter_id) == ("unknown", None, None)
            assert late.how == "invites.how.listed_after_join"
            ned = old_user("ned")
            await fake.add_member(ned, via_invite="keep")
            [then] = await joins_of(service(h.app), h.guild_id, ned.id)
            assert (then.cause, then.code, then.uses_before, then.uses_after) == (
                "code",
                "keep",
                4,
                5,
            )
            assert h.fake.violations == []


async def test_without_manage_server_joins_are_recorded_as_such_and_the_admins_told_once(
    tmp_path: Path,
) -> None:
    async with FakeDiscord() as fake:
        bot_role = fake.guild.role(fake.bot_user.username)
        bot_role.permissions &= ~MANAGE_GUILD
        await fake.create_invite("np", inviter=fake.guild.member("admin").user, dispatch=False)
        async with started_bot(tmp_path, fake=fake) as h:
            svc = service(h.app)
            owner = h.owner.id
            for name in ("ola", "pia"):
                user = old_user(name)
                await fake.add_member(user, via_invite="np")
                [join] = await joins_of(svc, h.guild_id, user.id)
                assert (join.cause, join.code, join.how) == (
                    "no_permission",
                    None,
                    "invites.how.no_permission",
                )
            assert await h.bot.outbox.drain()
            [notice] = fake.direct_messages(owner)
            assert "Manage Server" in notice["content"] and "once" in notice["content"]
            assert (await svc.guild_row(h.guild_id)).permission_told

            # The permission comes back: the first join cannot be compared (nothing to
            # compare with), the next one is attributed, and a later loss is told again,
            # this time in the log channel the server set meanwhile.
            bot_role.permissions |= MANAGE_GUILD
            quin = old_user("quin")
            await fake.add_member(quin, via_invite="np")
            [back] = await joins_of(svc, h.guild_id, quin.id)
            assert (back.cause, back.how) == ("unknown", "invites.how.cold_cache")
            assert not (await svc.guild_row(h.guild_id)).permission_told
            rex = old_user("rex")
            await fake.add_member(rex, via_invite="np")
            [known] = await joins_of(svc, h.guild_id, rex.id)
            assert (known.cause, known.code) == ("code", "np")

            channel = fake.guild.text_channel
            await h.run("config core set", h.admin, log_channel=channel)
            bot_role.permissions &= ~MANAGE_GUILD
            sam = old_user("sam")
            await fake.add_member(sam, via_invite="np")
            await joins_of(svc, h.guild_id, sam.id)
            assert await h.bot.outbox.drain()
            posted = [
                m for m in fake.channel_messages(channel.id) if "Manage Server" in m["content"]
            ]
            assert len(posted) == 1
            assert len(fake.direct_messages(owner)) == 1
            assert (await h.app.audit(h.guild_id)).clean


async def test_joins_survive_a_lost_database_through_the_journal(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        admin = fake.guild.member("admin")
        await fake.create_invite("kept", inviter=admin.user, dispatch=False)
        async with started_bot(tmp_path, fake=fake) as h:
            users = [old_user(f"keeper{n}") for n in range(3)]
            for user in users:
                await fake.add_member(user, via_invite="kept")
                await joins_of(service(h.app), h.guild_id, user.id)
            await fake.remove_member(users[0].id)
            await leaves_of(service(h.app), h.guild_id, users[0].id)
            await settled(service(h.app), h.guild_id)
            before = invite_rows(h.app.config.db_path)
            db = h.app.config.db_path
        assert len(before["invite_joins"]) == 3 and len(before["invite_leaves"]) == 1
        for path in sqlite_files(db):
            path.unlink(missing_ok=True)
        async with started_bot(tmp_path, fake=fake) as h:
            await settled(service(h.app), h.guild_id)
            assert invite_rows(db) == before
            assert (await h.app.audit(h.guild_id)).clean
            counts = await service(h.app).counts(h.guild_id, admin.id)
            assert (counts.regular, counts.left, counts.total) == (3, 1, 2)
        jsonl = logs.log_paths(tmp_path).jsonl
        assert len(jsonl.read_text().splitlines()) == 3  # the log was not written twice


async def test_a_join_missing_from_the_logs_after_a_crash_is_appended_at_the_next_start(
    tmp_path: Path,
) -> None:
    async with FakeDiscord() as fake:
        await fake.create_invite("log", inviter=fake.guild.member("admin").user, dispatch=False)
        async with started_bot(tmp_path, fake=fake) as h:
            users = [old_user("tom"), old_user("uma")]
            for user in users:
                await fake.add_member(user, via_invite="log")
                await joins_of(service(h.app), h.guild_id, user.id)
            ids = [r.join_id for r in await service(h.app).joins(h.guild_id)]
        paths = logs.log_paths(tmp_path)
        # A crash after the commit, before the last line was whole: one torn, one missing.
        jsonl = paths.jsonl.read_bytes().splitlines(keepends=True)
        paths.jsonl.write_bytes(jsonl[0] + jsonl[1][:20])
        csv_lines = paths.csv.read_bytes().splitlines(keepends=True)
        paths.csv.write_bytes(b"".join(csv_lines[:-1]))
        async with started_bot(tmp_path, fake=fake):
            pass
        assert logs.logged_join_ids(paths.jsonl) == (ids, 0)
        assert logs.logged_join_ids(paths.csv) == (ids, 0)
        assert paths.jsonl.read_bytes().endswith(b"\n")


async def test_a_data_directory_lost_whole_is_rebuilt_from_the_join_log_and_twice_is_once(
    tmp_path: Path,
) -> None:
    data, saved = tmp_path / "data", tmp_path / "saved.jsonl"
    async with FakeDiscord() as fake:
        admin = fake.guild.member("admin")
        await fake.create_invite("r1", inviter=admin.user, dispatch=False)
        await fake.create_invite("r2", inviter=fake.guild.member("owner").user, dispatch=False)
        await fake.create_invite("r3", inviter=admin.user, max_uses=1, dispatch=False)
        async with started_bot(data, fake=fake) as h:
            svc = service(h.app)
            vic, wes = old_user("vic"), old_user('=HYPERLINK("http://x.invalid")')
            for user, code in ((vic, "r1"), (wes, "r3")):
                await fake.add_member(user, via_invite=code)
                await joins_of(svc, h.guild_id, user.id)
            a = await fake.add_member(old_user("xia"), via_invite="r1", dispatch=False)
            b = await fake.add_member(old_user("yan"), via_invite="r2", dispatch=False)
            await fake.member_add_event(a)
            await fake.member_add_event(b)
            await joins_of(svc, h.guild_id, b.id)
            await settled(svc, h.guild_id)
            before = await svc.joins()
            counts_before = await svc.counts(h.guild_id, admin.id)
    assert {r.cause for r in before} == {"code", "vanished", "ambiguous"}
    shutil.copy(logs.log_paths(data).jsonl, saved)
    shutil.rmtree(data)  # the database, the journal, the snapshots: all gone

    args = ["--data", str(data), "invites", "rebuild", str(saved), "--json"]
    assert await asyncio.to_thread(main, args) == 0
    async with Vouchy(load(data)) as app:
        assert await service(app).joins() == before
        assert await service(app).counts(before[0].guild_id, admin.id) == counts_before
        assert (await app.audit()).clean
    assert logs.logged_join_ids(logs.log_paths(data).jsonl)[0] == [r.join_id for r in before]
    rows = invite_rows(data / "vouchy.db")
    assert await asyncio.to_thread(main, args) == 0
    assert invite_rows(data / "vouchy.db") == rows


def load(data: Path):  # noqa: ANN201
    from support.bot import make_config

    return make_config(data)


def test_the_older_bots_invite_joins_json_is_recorded_once_and_its_csv_is_safe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = tmp_path / "invite_joins.json"
    records = [
        {
            "timestamp": "2025-10-31T14:30:45.123456",
            "user_id": "123456789012345678",
            "username": "john_doe",
            "display_name": "John Doe",
            "invite_code": "abc123XYZ",
            "staff_id": "987654321098765432",
            "staff_username": "TravisP#0001",
            "uses_before": 5,
            "uses_after": 6,
            "guild_id": "111222333444555666",
            "guild_name": "PipVault",
        },
        {
            "timestamp": "2025-11-01T09:00:00",
            "user_id": "123456789012345679",
            "username": "=cmd|' /C calc'!A0",
            "display_name": "@SUM(1+1)",
            "invite_code": "unknown",
            "staff_id": None,
            "staff_username": None,
            "uses_before": None,
            "uses_after": None,
            "guild_id": "111222333444555666",
            "guild_name": "PipVault",
        },
    ]
    seed.write_text(json.dumps(records, indent=2))
    data = tmp_path / "data"
    args = ["--data", str(data), "invites", "rebuild", str(seed)]
    capsys.readouterr()
    assert main(args) == 0
    assert "2 joins read (seed_json), 2 added, 0 already recorded" in capsys.readouterr().out
    assert main(args) == 0
    assert "0 added, 2 already recorded" in capsys.readouterr().out

    async def read() -> list:
        async with Vouchy(load(data)) as app:
            return await service(app).joins()

    john, other = asyncio.run(read())
    assert (john.code, john.cause, john.staff_id, john.staff_name) == (
        "abc123XYZ",
        "code",
        987654321098765432,
        "TravisP#0001",
    )
    assert (john.uses_before, john.uses_after, john.how) == (5, 6, "invites.how.seed_log_uses")
    assert (other.cause, other.code, other.how) == ("unknown", None, "invites.how.seed_log_unknown")
    text = logs.log_paths(data).csv.read_text(encoding="utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in text and "'@SUM(1+1)" in text
    assert "\n=cmd" not in text and ",=cmd" not in text and ",@SUM" not in text
