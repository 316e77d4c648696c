"""The lightbulb client Vouchy runs, behind one gate that every interaction passes first.

The gate (``Gate``) admits an interaction id once: Discord redelivers events when a gateway
session resumes, and a second INTERACTION_CREATE with the same id is dropped here, before any
rule runs (the ledger would also refuse to apply its reference twice). While the bot stops, the
gate answers new interactions with a friendly "restarting" note instead of running them, and it
counts those in flight so that shutdown can wait until each is answered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Literal

import hikari
import lightbulb

from vouchy.bot import embeds
from vouchy.bot.components import Components
from vouchy.bot.localization import locale_for, provider
from vouchy.bot.respond import send_initial
from vouchy.core.errors import Busy
from vouchy.core.logs import get_logger
from vouchy.ops.metrics import record_refusal
from vouchy.store.operations import Receipt

log = get_logger("vouchy.bot")

Admission = Literal["new", "duplicate", "stopping"]

RESTARTING = Busy()


class Gate:
    """Once per interaction id; none while stopping; a count of those in flight."""

    def __init__(self, remember: int = 50_000) -> None:
        self.remember = remember
        self.stopping = False
        self.in_flight = 0
        self.duplicates = 0
        self._seen: dict[int, None] = {}
        self._idle = asyncio.Event()
        self._idle.set()
        # What each command in flight has had committed, for an honest message if it then fails.
        self.saved: dict[int, Receipt] = {}

    def admit(self, interaction_id: int) -> Admission:
        """Decide, without awaiting (so two deliveries cannot both pass), what to do with one."""
        if interaction_id in self._seen:
            self.duplicates += 1
            return "duplicate"
        self._seen[interaction_id] = None
        if len(self._seen) > self.remember:  # forget the oldest; Discord's tokens last 15 min
            del self._seen[next(iter(self._seen))]
        if self.stopping:
            return "stopping"
        return "new"

    def enter(self) -> None:
        self.in_flight += 1
        self._idle.clear()

    def leave(self, interaction_id: int) -> None:
        self.saved.pop(interaction_id, None)
        self.in_flight -= 1
        if self.in_flight == 0:
            self._idle.set()

    async def drained(self, timeout: float) -> bool:  # noqa: ASYNC109
        """Wait until no interaction is in flight; False if ``timeout`` passed first."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True


class VouchyClient(lightbulb.GatewayEnabledClient):
    """lightbulb's gateway client with the gate in front of commands and components, and
    the components that outlive the process routed by their custom id."""

    __slots__ = ("gate", "components", "vouchy")

    def __init__(
        self,
        app: hikari.GatewayBot,
        gate: Gate,
        components: Components,
        vouchy: Any,
        *,
        guild_ids: Sequence[int] = (),
        hooks: Sequence[lightbulb.ExecutionHook] = (),
    ) -> None:
        super().__init__(
            app,
            default_enabled_guilds=list(guild_ids),
            execution_step_order=lightbulb.DEFAULT_EXECUTION_STEP_ORDER,
            default_locale=hikari.Locale.EN_US,
            localization_provider=provider,
            delete_unknown_commands=True,
            deferred_registration_callback=None,
            hooks=list(hooks),
            sync_commands=True,
            features=(),
        )
        self.gate = gate
        self.components = components
        self.vouchy = vouchy

    async def handle_interaction_create(
        self,
        interaction: hikari.PartialInteraction,
        initial_response_sent_event: asyncio.Event | None = None,
    ) -> None:
        if not isinstance(interaction, hikari.CommandInteraction | hikari.ComponentInteraction):
            # Autocomplete and modals change nothing by themselves.
            await super().handle_interaction_create(interaction, initial_response_sent_event)
            return
        verdict = self.gate.admit(interaction.id)
        if verdict == "duplicate":
            log.info(
                "interaction_duplicate",
                interaction_id=interaction.id,
                guild_id=interaction.guild_id,
                user_id=interaction.user.id,
            )
            return
        self.gate.enter()
        try:
            if verdict == "stopping":
                log.info("interaction_refused_stopping", interaction_id=interaction.id)
                record_refusal(RESTARTING, kind="interaction")
                locale = await locale_for(interaction)
                await send_initial(interaction, embeds.restarting(locale), ephemeral=True)
                return
            if isinstance(interaction, hikari.ComponentInteraction) and self.components.owns(
                interaction.custom_id
            ):
                await self.components.dispatch(interaction, self.vouchy)
                return
            await super().handle_interaction_create(interaction, initial_response_sent_event)
        finally:
            self.gate.leave(interaction.id)
