"""Side effects after commit (invariant 9): carried out once, retried through Discord's server
errors, given up on a permanent refusal with one log line and one note to the admins, and
resumed after a restart without doing anything twice."""

from __future__ import annotations

import asyncio
import inspect
import sqlite3
from pathlib import Path

import structlog
from support.bot import started_bot
from support.durability import captured_logs, events

from vouchy.app import Vouchy
from vouchy.bot.outbox import OutboxWorker
from vouchy.store.operations import Effect, Op
from vouchy.testing.fake_discord import FakeDiscord, Member, Role, User, next_snowflake
from vouchy.testing.fake_discord.server import error

ROLE_PUT = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"
POST = "/channels/{channel_id}/messages"


def outbox_rows(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT id, kind, status, attempts FROM outbox ORDER BY id").fetchall()
    finally:
        conn.close()


async def decide(app: Vouchy, guild_id: int, ref: str, *effects: Effect) -> None:
    """An operation whose only effect is on Discord (as a level-up's role would be)."""
    op = Op(guild_id=guild_id, user_id=7, reference=ref, name="test.effect", effects=effects)
    receipt = await app.actors.guild(guild_id).submit(op)
    assert len(receipt.outbox) == len(effects)


async def settled(worker: OutboxWorker) -> None:
    assert await worker.drain(15.0), "the outbox did not settle"


def new_fake() -> FakeDiscord:
    fake = FakeDiscord()
    fake.guild.members.append(Member(User(next_snowflake(), "friend")))
    fake.guild.roles.append(Role(next_snowflake(), "Level 5", position=1))
    return fake


async def test_a_server_error_is_retried_and_the_effect_is_done_once(tmp_path: Path) -> None:
    fake = new_fake()
    await fake.start()
    failures = {"left": 4}  # hikari retries a 5xx three times itself: the outbox retries next

    def flaky(r):
        if failures["left"] > 0:
            failures["left"] -= 1
            return error(500, 0, "500: Internal Server Error")
        return fake._builtin[("PUT", ROLE_PUT)](r)

    fake.route("PUT", ROLE_PUT, flaky)
    try:
        async with started_bot(tmp_path, fake=fake) as h:
            h.bot.outbox.base_delay_s = 0.05
            role = h.guild.role("Level 5")
            with captured_logs() as logs:
                await decide(
                    h.app,
                    h.guild_id,
                    "level-up-1",
                    Effect(
                        kind="discord.add_role",
                        payload={
                            "guild_id": h.guild_id,
                            "user_id": h.friend.id,
                            "role_id": role.id,
                        },
                    ),
                )
                await settled(h.bot.outbox)
            assert role.id in h.friend.roles
            puts = fake.requests_to("PUT", ROLE_PUT)
            assert len(puts) == 5 and [p.status for p in puts][-1] == 204
            assert [(k, s, a) for _, k, s, a in outbox_rows(h.app.config.db_path)] == [
                ("discord.add_role", "done", 2)
            ]
            assert len(events(logs, "outbox_effect_retry")) == 1
    finally:
        await fake.close()


async def test_a_poll_that_read_a_row_before_its_effect_finished_does_not_do_it_again(
    tmp_path: Path,
) -> None:
    """A poll's read can return a row as it was before its effect finished (still pending):
    that poll must not carry it out a second time."""
    fake = new_fake()
    await fake.start()

    async def slow(r):
        await asyncio.sleep(0.3)  # the effect is in flight while the next poll reads
        answer = fake._builtin[("PUT", ROLE_PUT)](r)
        return await answer if inspect.isawaitable(answer) else answer

    fake.route("PUT", ROLE_PUT, slow)
    try:
        async with started_bot(tmp_path, fake=fake) as h:
            worker = h.bot.outbox
            real_due = worker._due
            reads: list[list] = []

            async def due(limit: int) -> list:
                rows = await real_due(limit)
                if rows and not reads:
                    reads.append(rows)  # the read that starts the effect
                    asyncio.get_running_loop().call_soon(worker._wake.set)  # poll again now
                    return rows
                if len(reads) == 1:  # this read began while the effect was in flight...
                    reads.append(rows)
                    for _ in range(200):  # ...and answers after it finished
                        if worker.done:
                            break
                        await asyncio.sleep(0.01)
                    return reads[0]  # as the database was when it began
                return rows

            worker._due = due  # type: ignore[method-assign]
            role = h.guild.role("Level 5")
            await decide(
                h.app,
                h.guild_id,
                "level-up-race",
                Effect(
                    kind="discord.add_role",
                    payload={"guild_id": h.guild_id, "user_id": h.friend.id, "role_id": role.id},
                ),
            )
            await settled(worker)
            assert len(reads) == 2, "the second poll read while the effect was in flight"
            assert len(fake.requests_to("PUT", ROLE_PUT)) == 1
            assert [(k, s, a) for _, k, s, a in outbox_rows(h.app.config.db_path)] == [
                ("discord.add_role", "done", 1)
            ]
    finally:
        await fake.close()


async def test_a_permanent_refusal_is_given_up_logged_once_and_told_to_the_admins_once(
    tmp_path: Path,
) -> None:
    fake = new_fake()
    await fake.start()
    fake.route("PUT", ROLE_PUT, lambda r: error(403, 50013, "Missing Permissions"))
    try:
        async with started_bot(tmp_path, fake=fake) as h:
            channel = h.guild.text_channel
            await h.app.update_settings(
                h.guild_id,
                "core",
                {"log_channel": channel.id},
                updated_by=h.owner.id,
                reference="cfg",
            )
            role = h.guild.role("Level 5")
            payload = {"guild_id": h.guild_id, "user_id": h.friend.id, "role_id": role.id}
            with captured_logs() as logs:
                for n in range(2):  # twice the same refusal: the admins hear of it once
                    await decide(
                        h.app,
                        h.guild_id,
                        f"level-up-{n}",
                        Effect(kind="discord.add_role", payload=payload),
                    )
                    await settled(h.bot.outbox)
            statuses = [(k, s) for _, k, s, _ in outbox_rows(h.app.config.db_path)]
            assert statuses == [
                ("discord.add_role", "failed"),
                ("discord.post", "done"),
                ("discord.add_role", "failed"),
            ]
            refused = events(logs, "outbox_effect_refused")
            assert (
                len(refused) == 2
                and refused[0]["status"] == 403
                and refused[0]["log_level"] == "error"
            )
            notes = [m for m in fake.channel_messages(channel.id) if m["embeds"]]
            assert len(notes) == 1
            assert f"give <@&{role.id}> to <@{h.friend.id}>" in notes[0]["embeds"][0]["description"]
            assert "403" in notes[0]["embeds"][0]["description"]
            assert len(fake.requests_to("PUT", ROLE_PUT)) == 2  # never retried
    finally:
        await fake.close()


async def test_an_effect_committed_before_a_crash_is_done_once_after_the_restart(
    tmp_path: Path,
) -> None:
    fake = new_fake()
    await fake.start()
    try:
        # The process that decided it died after the COMMIT, before any Discord call.
        async with started_bot(tmp_path, fake=fake) as h:
            channel = h.guild.text_channel.id
            guild_id = h.guild_id
        config = h.app.config
        app = await Vouchy(config).start()
        await decide(
            app,
            guild_id,
            "announce",
            Effect(kind="discord.post", payload={"channel_id": channel, "content": "Level 5!"}),
        )
        await app.close()
        assert [s for _, _, s, _ in outbox_rows(config.db_path)] == ["pending"]

        # The next run carries it out; then it dies after the call, before "done" is saved.
        async with started_bot(tmp_path, fake=fake) as h:
            worker = h.bot.outbox
            real = worker._finish
            dropped = {"n": 0}

            async def lose_the_first(row, status, error_text, follow=()):
                if dropped["n"] == 0:
                    dropped["n"] += 1
                    raise RuntimeError("killed before the row said done")
                await real(row, status, error_text, follow)

            worker._finish = lose_the_first
            with structlog.testing.capture_logs():
                await fake.wait_for_request("POST", POST, timeout=10)
                await asyncio.sleep(0.2)
        assert [s for _, _, s, _ in outbox_rows(config.db_path)] == ["pending"]

        # And the run after that: the same post again, under the same nonce: one message.
        async with started_bot(tmp_path, fake=fake) as h:
            await settled(h.bot.outbox)
        assert [s for _, _, s, _ in outbox_rows(config.db_path)] == ["done"]
        posts = fake.requests_to("POST", POST)
        assert len(posts) == 2 and posts[0].json["nonce"] == posts[1].json["nonce"]
        assert [m["content"] for m in fake.channel_messages(channel)] == ["Level 5!"]
    finally:
        await fake.close()


async def test_a_reply_that_removes_itself_is_deleted_after_its_delay(tmp_path: Path) -> None:
    async with started_bot(tmp_path) as h:
        channel = h.guild.text_channel.id
        await decide(
            h.app,
            h.guild_id,
            "refusal",
            Effect(
                kind="discord.post",
                payload={"channel_id": channel, "content": "Not counted", "delete_after_s": 1},
            ),
        )
        posted = await h.fake.wait_for_request("POST", POST, timeout=5)
        deleted = await h.fake.wait_for_request(
            "DELETE", "/channels/{channel_id}/messages/{message_id}", timeout=5
        )
        assert deleted.params["message_id"] == posted.response["id"]
        assert deleted.time - posted.time >= 0.9  # not before its delay
        await settled(h.bot.outbox)
        assert not [m for m in h.fake.channel_messages(channel) if m["content"] == "Not counted"]
        assert [s for _, _, s, _ in outbox_rows(h.app.config.db_path)] == ["done", "done"]


async def test_a_post_with_buttons_carries_them_in_their_rows_and_styles(
    tmp_path: Path,
) -> None:
    async with started_bot(tmp_path) as h:
        channel = h.guild.text_channel.id
        rows = [
            [
                {"custom_id": "review:approve:7", "label": "Approve", "style": "success"},
                {"custom_id": "review:deny:7", "label": "Deny", "style": "danger"},
            ]
        ]
        await decide(
            h.app,
            h.guild_id,
            "review-7",
            Effect(
                kind="discord.post",
                payload={"channel_id": channel, "content": "Review", "components": rows},
            ),
        )
        posted = await h.fake.wait_for_request("POST", POST, timeout=5)
        [row] = posted.json["components"]
        assert [(b["custom_id"], b["label"], b["style"]) for b in row["components"]] == [
            ("review:approve:7", "Approve", 3),
            ("review:deny:7", "Deny", 4),
        ]
        await settled(h.bot.outbox)
        [message] = [m for m in h.fake.channel_messages(channel) if m["content"] == "Review"]
        assert message["components"][0]["components"][0]["custom_id"] == "review:approve:7"
        assert h.fake.violations == []
