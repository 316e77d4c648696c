"""What the vouch feature's end-to-end tests share: a fake Discord whose guild has a vouch
channel, a moderators' channel, members with accounts old enough to vouch, and a way to post a
vouch (a screenshot served by the fake's CDN) and wait for what the bot made of it."""

from __future__ import annotations

import asyncio
import datetime
import random
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import features.vouches.vouches_screens as screens
from PIL import Image
from support.bot import Harness

from vouchy.features.vouches.model import DAY_MS, snowflake_at
from vouchy.features.vouches.service import Outcome, VouchesService
from vouchy.testing.fake_discord import (
    Channel,
    FakeDiscord,
    Member,
    Role,
    User,
    next_snowflake,
    payloads,
)

REACTION = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me"
POST = "/channels/{channel_id}/messages"
OLD = datetime.datetime(2023, 1, 1, tzinfo=datetime.UTC)
_ids = iter(range(1, 10_000))


def old_user(name: str, days: int = 900) -> User:
    """A user whose account was made ``days`` ago (their id says when)."""
    now = int(datetime.datetime.now(datetime.UTC).timestamp() * 1000)
    return User(snowflake_at(now - days * DAY_MS) + next(_ids), name)


def vouch_fake(people: Sequence[str] = ()) -> FakeDiscord:
    """A fake Discord with "vouches" and "mods" channels, a "Seller" role, and members with old
    accounts who joined long ago: the ``people`` named, "seller" (has the role), "seller2"."""
    fake = FakeDiscord()
    guild = fake.guild
    guild.channels.append(Channel(next_snowflake(), "vouches", position=2))
    guild.channels.append(Channel(next_snowflake(), "mods", position=3))
    guild.roles.append(Role(next_snowflake(), "Seller", position=1))
    for name in ("friend", "seller", "seller2", *people):
        member = Member(old_user(name), joined_at=OLD)
        if name.startswith("seller"):
            member.roles.append(guild.role("Seller").id)
        guild.members.append(member)
    guild.members.append(Member(User(next_snowflake(), "otherbot", bot=True)))
    guild.members.append(Member(User(next_snowflake(), "newbie")))  # an account made today
    return fake


_shots: dict[int, Image.Image] = {}


def shot(seed: int) -> Image.Image:
    """A distinct screenshot (a payment receipt at half size) for each seed."""
    if seed not in _shots:
        full = screens.random_receipt(random.Random(seed))
        _shots[seed] = full.resize((360, 640), Image.Resampling.LANCZOS)
    return _shots[seed]


class Outcomes:
    """Every outcome the service returns, awaitable by message id."""

    def __init__(self, service: VouchesService) -> None:
        self.by_message: dict[int, list[Outcome]] = {}
        self.deleted: dict[int, list[list[Outcome]]] = {}  # per deletion event seen
        self._changed = asyncio.Event()
        judge, delete = service.on_message, service.on_deleted

        async def on_message(message: Any, read_proof: Any) -> Outcome:
            outcome = await judge(message, read_proof)
            self.by_message.setdefault(message.message_id, []).append(outcome)
            self._changed.set()
            return outcome

        async def on_deleted(guild_id: int, ids: Sequence[int], at_ms: int | None = None) -> Any:
            outcomes = await delete(guild_id, ids, at_ms)
            for message_id in ids:
                mine = [o for o in outcomes if o.reference == f"vouch:{message_id}"]
                self.deleted.setdefault(message_id, []).append(mine)
            self._changed.set()
            return outcomes

        service.on_message = on_message  # type: ignore[method-assign]
        service.on_deleted = on_deleted  # type: ignore[method-assign]

    async def wait(self, found: dict[int, list[Any]], message_id: int, count: int) -> None:
        async with asyncio.timeout(10):
            while len(found.get(message_id, [])) < count:
                self._changed.clear()
                await self._changed.wait()

    async def of(self, message_id: int, count: int = 1) -> Outcome:
        """The ``count``-th outcome of a message (the n-th time Discord sent it)."""
        await self.wait(self.by_message, message_id, count)
        return self.by_message[message_id][count - 1]

    async def deletion(self, message_id: int, count: int = 1) -> list[Outcome]:
        """What the ``count``-th deletion of a message did (nothing: not a vouch)."""
        await self.wait(self.deleted, message_id, count)
        return self.deleted[message_id][count - 1]


class Vouching:
    """A started bot with vouches switched on in the "vouches" channel."""

    def __init__(self, h: Harness) -> None:
        self.h = h
        self.fake = h.fake
        self.guild = h.guild
        self.service = h.app.service(VouchesService)
        self.outcomes = Outcomes(self.service)
        self.channel = self.guild.channel("vouches").id
        self.mods = self.guild.channel("mods").id

    def who(self, name: str) -> Member:
        return self.guild.member(name)

    async def configure(self, **values: Any) -> None:
        await self.h.app.update_settings(
            self.guild.id,
            "vouches",
            values,
            updated_by=self.guild.owner_id,
            reference=f"test-settings:{next_snowflake()}",
        )

    def message(
        self,
        author: str,
        *mentioned: str,
        image: bytes | None = None,
        seed: int | None = None,
        channel_id: int | None = None,
        content: str | None = None,
        filename: str = "proof.png",
        content_type: str = "image/png",
    ) -> dict[str, Any]:
        """A MESSAGE_CREATE from ``author`` mentioning ``mentioned``, with a screenshot (a new
        one unless ``image`` or ``seed`` is given; ``image=b""`` for none)."""
        attachments = []
        if image is None:
            image = screens.png(shot(seed if seed is not None else next_snowflake()))
        if image:
            attachments.append(self.fake.attachment(image, filename, content_type=content_type))
        members = [self.who(n) for n in mentioned]
        text = content if content is not None else " ".join(f"<@{m.id}>" for m in members) + " +rep"
        return payloads.message_create(
            self.guild,
            self.who(author),
            text,
            channel_id=channel_id or self.channel,
            attachments=attachments,
            mentions=members,
        )

    async def post(self, payload: dict[str, Any]) -> Outcome:
        """Dispatch the message and wait for what the bot made of it."""
        message_id = int(payload["id"])
        seen = len(self.outcomes.by_message.get(message_id, []))
        await self.fake.dispatch("MESSAGE_CREATE", payload)
        return await self.outcomes.of(message_id, seen + 1)

    async def vouch(self, author: str, *mentioned: str, **kwargs: Any) -> tuple[int, Outcome]:
        payload = self.message(author, *mentioned, **kwargs)
        return int(payload["id"]), await self.post(payload)

    async def delete(self, *message_ids: int) -> list[Outcome]:
        """Dispatch MESSAGE_DELETE (one id) or MESSAGE_DELETE_BULK, and wait for its outcomes."""
        seen = {m: len(self.outcomes.deleted.get(m, [])) for m in message_ids}
        if len(message_ids) == 1:
            data: dict[str, Any] = {
                "id": str(message_ids[0]),
                "channel_id": str(self.channel),
                "guild_id": str(self.guild.id),
            }
            await self.fake.dispatch("MESSAGE_DELETE", data)
        else:
            data = {
                "ids": [str(m) for m in message_ids],
                "channel_id": str(self.channel),
                "guild_id": str(self.guild.id),
            }
            await self.fake.dispatch("MESSAGE_DELETE_BULK", data)
        found: list[Outcome] = []
        for message_id in message_ids:
            found += await self.outcomes.deletion(message_id, seen[message_id] + 1)
        return found

    async def settled(self) -> None:
        """Every side effect due now is done (a refusal reply's removal, due in a minute,
        waits)."""
        outbox = self.h.bot.outbox
        async with asyncio.timeout(10):
            while True:
                due = await self.h.app.reader.scalar(
                    "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND next_at <= ?",
                    (int(time.time() * 1000) + 5000,),
                )
                if not due and not outbox._in_flight:
                    return
                outbox._wake.set()
                await asyncio.sleep(0.02)

    def reactions(self, message_id: int) -> list[str]:
        """The bot's reactions on a message (adding one twice is one reaction on Discord)."""
        return sorted(
            {
                r.params["emoji_name"]
                for r in self.fake.requests_to("PUT", REACTION)
                if r.params["message_id"] == str(message_id)
            }
        )

    def replies_to(self, message_id: int) -> list[dict[str, Any]]:
        """The messages the bot posted in reply to a message (one per nonce, as on Discord)."""
        return [
            m
            for m in self.fake.messages.values()
            if (m.get("message_reference") or {}).get("message_id") == str(message_id)
        ]


def rows(db: Path, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def vouch_rows(db: Path, guild_id: int) -> list[tuple[Any, ...]]:
    return rows(
        db,
        "SELECT reference, voucher_id, provider_id, state, voucher_points, provider_points"
        " FROM vouches WHERE guild_id = ? ORDER BY created_at, reference",
        (guild_id,),
    )


def snapshot_of(db: Path, guild_id: int) -> tuple[Any, ...]:
    """What a refused or ignored vouch must leave as it was."""
    return (
        vouch_rows(db, guild_id),
        rows(db, "SELECT * FROM vouch_counts WHERE guild_id = ? ORDER BY 2", (guild_id,)),
        rows(db, "SELECT id, user_id, delta, kind FROM ledger WHERE guild_id = ?", (guild_id,)),
    )
