"""The one place a failed command is answered.

A ``VouchyError`` (bad input, no permission, not enough points, a cooldown, a restart) becomes
an ephemeral note in the member's language saying what was wrong and what to do; it is logged
as ``command_refused`` at info level and counted (``record_refusal``, when metrics are on).
Anything else is a bug: the member gets "something went wrong (ref X)" and the traceback is
logged as ``command_failed`` with the same ``ref``. Neither path changes anything: refusals
happen before the writer, and an operation's effect is all or nothing.
"""

from __future__ import annotations

import secrets

import lightbulb

from vouchy.bot import embeds
from vouchy.bot.localization import locale_for
from vouchy.bot.respond import command_path, send
from vouchy.core.errors import VouchyError
from vouchy.core.logs import get_logger
from vouchy.ops.metrics import record_refusal
from vouchy.store.settings import SettingsStore

log = get_logger("vouchy.bot")


def new_ref() -> str:
    """A short reference a member can quote and an operator can grep for."""
    return secrets.token_hex(4).upper()


async def on_command_failed(
    failure: lightbulb.exceptions.ExecutionPipelineFailedException,
    settings: SettingsStore = lightbulb.di.INJECTED,
) -> bool:
    ctx = failure.context
    interaction = ctx.interaction
    fields = {
        "command": command_path(interaction),
        "interaction_id": interaction.id,
        "guild_id": interaction.guild_id,
        "user_id": interaction.user.id,
    }
    locale = await locale_for(interaction, settings)
    bugs = [c for c in failure.causes if not isinstance(c, VouchyError)]
    if not bugs:
        refusal = failure.causes[0]
        assert isinstance(refusal, VouchyError)
        log.info("command_refused", code=refusal.code, reason=refusal.message, **fields)
        record_refusal(refusal, kind=str(fields["command"]))
        await send(ctx, embeds.refused(refusal, locale), ephemeral=True)
        return True
    ref = new_ref()
    gate = getattr(ctx.client, "gate", None)
    saved = gate.saved.get(int(interaction.id)) if gate is not None else None
    for bug in bugs:
        log.error(
            "command_failed",
            ref=ref,
            error=repr(bug),
            saved_ledger_id=saved.ledger_id if saved else None,
            exc_info=bug,
            **fields,
        )
    await send(ctx, embeds.unexpected(ref, saved, locale), ephemeral=True)
    return True
