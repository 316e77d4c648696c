"""What every command does around the feature it calls: name the operation after its
interaction, wait for the commit (deferring if that takes long), and answer exactly once.

Answering never raises: Discord refusing a second answer to the same interaction (400, code
40060) is logged as ``interaction_already_answered``; an expired interaction (404, 10062) as
``interaction_expired``. Either way what was committed stays committed, and the member can
see it with ``/points`` or ``/history``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

import hikari
import lightbulb

from vouchy.core.errors import InvalidInput
from vouchy.core.logs import get_logger
from vouchy.store.operations import Receipt

log = get_logger("vouchy.bot")

T = TypeVar("T")

# Discord gives 3 s for the first answer: past this, defer and answer with a follow-up.
DEFER_AFTER_S = 2.0
ALREADY_ANSWERED = 40060
UNKNOWN_INTERACTION = 10062


def reference(ctx: lightbulb.Context) -> str:
    """The idempotency reference of the operation a command starts: its interaction id."""
    return f"ix:{ctx.interaction.id}"


def asker(ctx: lightbulb.Context) -> int:
    """The invoking member's id as a plain int: the core takes plain values, never hikari's."""
    return int(ctx.user.id)


def user_id(user: hikari.PartialUser) -> int:
    return int(user.id)


def command_path(interaction: hikari.PartialInteraction) -> str:
    """``"admin points add"``: the command as Discord names it (its English name)."""
    parts = [str(getattr(interaction, "command_name", ""))]
    options = getattr(interaction, "options", None) or ()
    group = (hikari.OptionType.SUB_COMMAND, hikari.OptionType.SUB_COMMAND_GROUP)
    while options and options[0].type in group:
        parts.append(options[0].name)
        options = options[0].options or ()
    return " ".join(parts)


def guild_of(ctx: lightbulb.Context) -> int:
    if ctx.guild_id is None:
        raise InvalidInput("error.guild_only")
    return int(ctx.guild_id)


async def settle(ctx: lightbulb.Context, operation: Awaitable[T], *, ephemeral: bool) -> T:
    """The operation's result once committed. If that takes longer than Discord waits for a
    first answer, defer (the member sees "thinking") and let the reply follow up."""
    operation = asyncio.ensure_future(operation)
    if operation.done():
        return await _remember(ctx, operation.result())
    timer = asyncio.get_running_loop().call_later(DEFER_AFTER_S, _defer, ctx, ephemeral)
    try:
        result = await operation
    finally:
        timer.cancel()
    return await _remember(ctx, result)


_deferrals: set[asyncio.Task[None]] = set()


def _defer(ctx: lightbulb.Context, ephemeral: bool) -> None:
    log.warning("command_deferred", interaction_id=ctx.interaction.id)
    task = asyncio.ensure_future(_defer_now(ctx, ephemeral))
    _deferrals.add(task)
    task.add_done_callback(_deferrals.discard)


async def _defer_now(ctx: lightbulb.Context, ephemeral: bool) -> None:
    try:
        await ctx.defer(ephemeral=ephemeral)  # a no-op if the answer went out meanwhile
    except hikari.HTTPResponseError as e:
        _refused(e, ctx.interaction)


async def _remember(ctx: lightbulb.Context, result: T) -> T:
    if isinstance(result, Receipt):
        gate = getattr(ctx.client, "gate", None)
        if gate is not None:
            gate.saved[int(ctx.interaction.id)] = result
    return result


async def send(ctx: lightbulb.Context, embed: hikari.Embed, *, ephemeral: bool = False) -> bool:
    """Answer the command (or follow up a deferral); False if Discord would not take it."""
    try:
        await ctx.respond(
            embed=embed, ephemeral=ephemeral, user_mentions=False, role_mentions=False
        )
    except hikari.HTTPResponseError as e:
        return _refused(e, ctx.interaction)
    return True


async def send_initial(
    interaction: hikari.MessageResponseMixin[Any], embed: hikari.Embed, *, ephemeral: bool
) -> bool:
    """The first answer to an interaction that no command context owns."""
    try:
        await interaction.create_initial_response(
            hikari.ResponseType.MESSAGE_CREATE,
            embed=embed,
            flags=hikari.MessageFlag.EPHEMERAL if ephemeral else hikari.MessageFlag.NONE,
            user_mentions=False,
            role_mentions=False,
        )
    except hikari.HTTPResponseError as e:
        return _refused(e, interaction)
    return True


def _refused(error: hikari.HTTPResponseError, interaction: hikari.PartialInteraction) -> bool:
    if error.code == ALREADY_ANSWERED:
        log.info("interaction_already_answered", interaction_id=interaction.id)
    elif error.code == UNKNOWN_INTERACTION:
        log.warning("interaction_expired", interaction_id=interaction.id)
    else:
        log.warning(
            "interaction_answer_failed",
            interaction_id=interaction.id,
            status=int(error.status),
            code=error.code,
            error=error.message,
        )
    return False
