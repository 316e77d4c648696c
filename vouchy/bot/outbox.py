"""The outbox worker: carries out on Discord what committed operations decided (give or take a
role, post a message, react, delete, send a DM), after their COMMIT (invariant 9).

Promise: each side effect is done once. It is retried with back-off (hikari itself waits out
Discord's rate limits) until Discord takes it, given up on a permanent refusal (a missing
permission, an unknown member or channel) with one log line and one note to the guild's
admins, and resumed after a restart: an effect's row says whether it is still pending. A
crash between the Discord call and the row saying "done" repeats the call after the restart,
so every call is one Discord does once: role changes and reactions are idempotent, and a post
carries a nonce Discord enforces (the same nonce twice makes one message).

Its own bookkeeping (done, failed, the next try) goes through the write path like any change,
as a compare-and-set on the row's status.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import aiohttp
import hikari
import msgspec

from vouchy.bot import embeds
from vouchy.core.errors import VouchyError
from vouchy.core.logs import get_logger
from vouchy.core.server_settings import CoreSettings
from vouchy.store.operations import SYSTEM_USER, Effect, Expect, Insert, Op, Patch, Receipt

if TYPE_CHECKING:
    from vouchy.app import Vouchy

log = get_logger("vouchy.outbox")

_DUE = """
SELECT id, guild_id, reference, kind, payload, attempts FROM outbox
WHERE status = 'pending' AND next_at <= ? ORDER BY id LIMIT ?
"""

# An effect's Discord call: (rest, payload, nonce) -> follow-up effects (a delete, later).
Call = Callable[[hikari.api.RESTClient, dict[str, Any], str], Awaitable[Sequence[Effect]]]

# Refusals that retrying cannot fix.
PERMANENT = (hikari.ForbiddenError, hikari.NotFoundError, hikari.BadRequestError)


def nonce_of(outbox_id: int) -> str:
    """A post's nonce (Discord allows 25 characters): the same row, the same message."""
    return f"vouchy-{outbox_id}"


def embed_of(raw: dict[str, Any]) -> hikari.Embed:
    card = hikari.Embed(
        title=raw.get("title"),
        description=raw.get("description"),
        color=hikari.Color(int(raw.get("color", int(embeds.INFO)))),
    )
    for name, value, inline in raw.get("fields", []):
        card.add_field(name, value, inline=inline)
    if raw.get("footer"):
        card.set_footer(raw["footer"])
    if raw.get("image"):
        card.set_image(raw["image"])
    return card


def embed_payload(card: hikari.Embed) -> dict[str, Any]:
    """An embed as an outbox payload can hold it (plain JSON)."""
    return {
        "title": card.title,
        "description": card.description,
        "color": int(card.color) if card.color is not None else int(embeds.INFO),
        "fields": [(f.name, f.value, f.is_inline) for f in card.fields],
        "footer": card.footer.text if card.footer else None,
    }


async def _add_role(
    rest: hikari.api.RESTClient, p: dict[str, Any], _nonce: str
) -> Sequence[Effect]:
    await rest.add_role_to_member(
        p["guild_id"], p["user_id"], p["role_id"], reason=p.get("reason") or hikari.UNDEFINED
    )
    return ()


async def _remove_role(
    rest: hikari.api.RESTClient, p: dict[str, Any], _nonce: str
) -> Sequence[Effect]:
    await rest.remove_role_from_member(
        p["guild_id"], p["user_id"], p["role_id"], reason=p.get("reason") or hikari.UNDEFINED
    )
    return ()


BUTTON_STYLES: dict[str, hikari.InteractiveButtonTypesT] = {
    "primary": hikari.ButtonStyle.PRIMARY,
    "secondary": hikari.ButtonStyle.SECONDARY,
    "success": hikari.ButtonStyle.SUCCESS,
    "danger": hikari.ButtonStyle.DANGER,
}


def buttons_of(
    rest: hikari.api.RESTClient, rows: Sequence[Sequence[dict[str, Any]]]
) -> list[hikari.api.MessageActionRowBuilder]:
    """A post's buttons from its payload: rows of ``{"custom_id", "label", "style"}`` (style
    one of ``BUTTON_STYLES``). Their custom ids come from a feature's ``Codec``, so a click
    is routed to that feature whenever it comes (invariant 10)."""
    built = []
    for row in rows:
        builder = rest.build_message_action_row()
        for button in row:
            builder.add_interactive_button(
                BUTTON_STYLES[button.get("style", "secondary")],
                button["custom_id"],
                label=button["label"],
            )
        built.append(builder)
    return built


async def _post(rest: hikari.api.RESTClient, p: dict[str, Any], nonce: str) -> Sequence[Effect]:
    message = await rest.create_message(
        p["channel_id"],
        p.get("content") or hikari.UNDEFINED,
        embed=embed_of(p["embed"]) if p.get("embed") else hikari.UNDEFINED,
        components=buttons_of(rest, p["components"]) if p.get("components") else hikari.UNDEFINED,
        nonce=nonce,
        reply=p.get("reply_to") or hikari.UNDEFINED,
        mentions_reply=False,
        user_mentions=p.get("user_mentions", []) or False,
        role_mentions=False,
        mentions_everyone=False,
    )
    delete_after = int(p.get("delete_after_s") or 0)
    if not delete_after:
        return ()
    later = {"channel_id": p["channel_id"], "message_id": int(message.id)}
    return (Effect(kind="discord.delete", payload=later, delay_ms=delete_after * 1000),)


async def _react(rest: hikari.api.RESTClient, p: dict[str, Any], _nonce: str) -> Sequence[Effect]:
    await rest.add_reaction(p["channel_id"], p["message_id"], p["emoji"])
    return ()


async def _delete(rest: hikari.api.RESTClient, p: dict[str, Any], _nonce: str) -> Sequence[Effect]:
    try:
        await rest.delete_message(p["channel_id"], p["message_id"])
    except hikari.NotFoundError:
        pass  # already gone: what was asked is done
    return ()


async def _dm(rest: hikari.api.RESTClient, p: dict[str, Any], nonce: str) -> Sequence[Effect]:
    channel = await rest.create_dm_channel(p["user_id"])
    await rest.create_message(
        channel, p.get("content") or hikari.UNDEFINED, nonce=nonce, user_mentions=False
    )
    return ()


CALLS: dict[str, Call] = {
    "discord.add_role": _add_role,
    "discord.remove_role": _remove_role,
    "discord.post": _post,
    "discord.react": _react,
    "discord.delete": _delete,
    "discord.dm": _dm,
}


class OutboxWorker:
    def __init__(
        self,
        app: Vouchy,
        rest: hikari.api.RESTClient,
        *,
        poll_seconds: float = 2.0,
        concurrency: int = 16,
        max_attempts: int = 10,
        base_delay_s: float = 1.0,
        max_delay_s: float = 600.0,
    ) -> None:
        self.app = app
        self.rest = rest
        self.poll_seconds = poll_seconds
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._in_flight: set[int] = set()
        # Rows whose effect finished while a poll was reading: that read may show them as they
        # were before (still pending, the old attempt count), so that poll leaves them alone.
        self._finished_during_read: set[int] = set()
        self._running: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(concurrency)
        self._rng = random.Random()
        self.done = 0
        self.failed = 0
        self.retried = 0

    def start(self) -> None:
        self.app.writer.listeners.append(self._on_commit)
        self._task = asyncio.create_task(self._run(), name="vouchy-outbox")

    async def stop(self) -> None:
        """No new effects; the ones in flight finish (their rows then say so)."""
        if self._on_commit in self.app.writer.listeners:
            self.app.writer.listeners.remove(self._on_commit)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def drain(self, timeout: float = 5.0) -> bool:  # noqa: ASYNC109
        """Wait until no effect is pending, a retry's included (for tests and benchmarks)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pending = await self.app.reader.scalar(
                "SELECT COUNT(*) FROM outbox WHERE status = 'pending'"
            )
            if not pending and not self._in_flight:
                return True
            self._wake.set()
            await asyncio.sleep(0.02)
        return False

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._slots.release()

    def _on_commit(self, receipts: list[Receipt]) -> None:
        if any(r.outbox for r in receipts):
            self._wake.set()

    async def _due(self, limit: int) -> list[Any]:
        return await self.app.reader.rows(_DUE, (int(time.time() * 1000), limit))

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            self._finished_during_read.clear()
            try:
                rows = await self._due(self.concurrency * 4)
            except Exception as e:  # the reader closed under us at shutdown, or a bug
                log.warning("outbox_poll_failed", error=repr(e))
                rows = []
            for row in rows:
                if row["id"] in self._in_flight:
                    continue
                if row["id"] in self._finished_during_read:
                    self._wake.set()  # read it again, as it is now
                    continue
                await self._slots.acquire()
                self._in_flight.add(row["id"])
                task = asyncio.create_task(self._carry_out(dict(row)))
                self._running.add(task)
                task.add_done_callback(self._finished)
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            except TimeoutError:
                pass

    async def _carry_out(self, row: dict[str, Any]) -> None:
        outbox_id = row["id"]
        try:
            payload = msgspec.json.decode(row["payload"])
            call = CALLS.get(row["kind"])
            if call is None:
                await self._finish(row, "failed", f"unknown effect {row['kind']!r}")
                return
            try:
                follow = await call(self.rest, payload, nonce_of(outbox_id))
            except PERMANENT as e:
                await self._give_up(row, payload, e)
                return
            except (hikari.HTTPError, aiohttp.ClientError, OSError, TimeoutError) as e:
                await self._retry(row, e)
                return
            await self._finish(row, "done", None, follow)
        except VouchyError as e:  # the bookkeeping refused (restarting): the row stays due
            log.info("outbox_bookkeeping_refused", outbox_id=outbox_id, code=e.code)
        except Exception as e:
            log.error("outbox_effect_crashed", outbox_id=outbox_id, error=repr(e), exc_info=e)
        finally:
            self._in_flight.discard(outbox_id)
            self._finished_during_read.add(outbox_id)

    def _op(
        self, row: dict[str, Any], name: str, values: dict[str, Any], effects: Sequence[Effect] = ()
    ) -> Op:
        key = (row["id"],)
        attempt = row["attempts"] + 1
        return Op(
            guild_id=row["guild_id"],
            user_id=SYSTEM_USER,
            reference=f"outbox:{row['id']}:{attempt}",
            name=name,
            changes=(
                Expect(
                    table="outbox",
                    key=key,
                    column="status",
                    value="pending",
                    refuse="outbox.moved_on",
                ),
                Patch(
                    table="outbox",
                    key=key,
                    values={"attempts": attempt, "updated_at": int(time.time() * 1000), **values},
                ),
            ),
            effects=tuple(effects),
            remember=False,  # the compare-and-set on the status is what makes it once
        )

    async def _submit(self, op: Op) -> None:
        # Straight to the writer, not through the guild's owner: an outbox row's bookkeeping is
        # a compare-and-set on its status (what makes it once), so it needs no turn, and one
        # guild's effects are not finished one commit at a time.
        await self.app.writer.submit(op)

    async def _finish(
        self, row: dict[str, Any], status: str, error: str | None, follow: Sequence[Effect] = ()
    ) -> None:
        values: dict[str, Any] = {"status": status}
        if error is not None:
            values["last_error"] = error[:500]
        await self._submit(self._op(row, f"outbox.{status}", values, follow))
        if status == "done":
            self.done += 1
        else:
            self.failed += 1

    async def _retry(self, row: dict[str, Any], error: BaseException) -> None:
        attempts = row["attempts"] + 1
        if attempts >= self.max_attempts:
            log.error(
                "outbox_effect_given_up",
                outbox_id=row["id"],
                kind=row["kind"],
                attempts=attempts,
                error=repr(error),
            )
            await self._finish(row, "failed", repr(error))
            return
        delay = min(self.max_delay_s, self.base_delay_s * 2 ** (attempts - 1))
        delay *= self._rng.uniform(0.8, 1.2)
        log.warning(
            "outbox_effect_retry",
            outbox_id=row["id"],
            kind=row["kind"],
            attempts=attempts,
            delay_s=round(delay, 2),
            error=repr(error),
        )
        self.retried += 1
        await self._submit(
            self._op(
                row,
                "outbox.retry",
                {"next_at": int((time.time() + delay) * 1000), "last_error": repr(error)[:500]},
            )
        )

    async def _give_up(
        self, row: dict[str, Any], payload: dict[str, Any], error: hikari.HTTPResponseError
    ) -> None:
        why = f"{int(error.status)} {error.message or type(error).__name__}"
        log.error(
            "outbox_effect_refused",
            outbox_id=row["id"],
            guild_id=row["guild_id"],
            kind=row["kind"],
            status=int(error.status),
            code=error.code,
            error=error.message,
        )
        await self._finish(row, "failed", why)
        await self._notify_admins(row, payload, why)

    async def _notify_admins(self, row: dict[str, Any], payload: dict[str, Any], why: str) -> None:
        """One note per guild and kind of failure, in the log channel when there is one."""
        guild_id = row["guild_id"]
        core = await self.app.settings.get(guild_id, "core", CoreSettings)
        target = payload.get("role_id") or payload.get("channel_id") or payload.get("user_id") or 0
        what_key = "outbox.what." + row["kind"].removeprefix("discord.")
        locale = core.locale
        effects: tuple[Effect, ...] = ()
        # Not when what failed was a note to that very channel: that would never end.
        if core.log_channel is not None and payload.get("channel_id") != core.log_channel:
            what = embeds.t(
                what_key, locale, **{k: str(v) for k, v in payload.items() if k.endswith("_id")}
            )
            card = embeds.embed(
                embeds.t("outbox.title", locale),
                embeds.t("outbox.refused_note", locale, what=what, why=why),
                embeds.WARNING,
                locale,
            )
            effects = (
                Effect(
                    kind="discord.post",
                    payload={"channel_id": core.log_channel, "embed": embed_payload(card)},
                ),
            )
        op = Op(
            guild_id=guild_id,
            user_id=SYSTEM_USER,
            reference=f"notice:{row['kind']}:{target}",
            name="outbox.notice",
            changes=(
                Insert(
                    table="cooldowns",
                    key=(guild_id, SYSTEM_USER, f"notice:{row['kind']}:{target}"),
                    values={"at": int(time.time() * 1000)},
                    refuse="outbox.told_before",
                ),
            ),
            effects=effects,
        )
        try:
            await self._submit(op)
        except VouchyError:
            pass  # told before: once is enough
