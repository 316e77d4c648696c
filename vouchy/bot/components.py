"""Buttons and select menus that outlive the process.

A component's custom id names the feature, the action and the row: ``<feature>:<action>:<id>``
(one ``Codec`` per feature makes and reads them). Any later process routes a click by that id
to the feature's handler, which reads the row's state from the database: nothing a member can
click lives only in memory (invariant 10). Clicks pass the same once-per-interaction gate as
commands; a handler checks who clicks and whether the row has moved on, and refuses with a
short ephemeral answer that changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import hikari

from vouchy.bot import embeds
from vouchy.bot.localization import locale_for
from vouchy.core.errors import InvalidInput, VouchyError
from vouchy.core.logs import get_logger

if TYPE_CHECKING:
    from vouchy.app import Vouchy

log = get_logger("vouchy.bot")

MAX_CUSTOM_ID = 100  # Discord's limit


class Codec:
    """``<feature>:<action>:<row>`` for one feature: the only place its ids are made and read."""

    def __init__(self, feature: str) -> None:
        if ":" in feature:
            raise ValueError(feature)
        self.feature = feature

    def encode(self, action: str, row: str | int) -> str:
        custom_id = f"{self.feature}:{action}:{row}"
        if ":" in action or len(custom_id) > MAX_CUSTOM_ID:
            raise ValueError(f"not a custom id: {custom_id!r}")
        return custom_id

    def decode(self, custom_id: str) -> tuple[str, str] | None:
        """(action, row) of one of this feature's ids; None for anyone else's."""
        feature, _, rest = custom_id.partition(":")
        action, sep, row = rest.partition(":")
        if feature != self.feature or not sep or not action:
            return None
        return action, row


@dataclass
class Click:
    """One click, as a handler sees it."""

    interaction: hikari.ComponentInteraction
    app: Vouchy
    action: str
    row: str
    locale: str
    answered: bool = field(default=False)

    @property
    def user_id(self) -> int:
        return int(self.interaction.user.id)

    @property
    def guild_id(self) -> int:
        if self.interaction.guild_id is None:
            raise InvalidInput("error.guild_only")
        return int(self.interaction.guild_id)

    @property
    def reference(self) -> str:
        """The idempotency reference of what this click changes: its interaction id."""
        return f"ix:{self.interaction.id}"

    async def reply(self, embed: hikari.Embed, *, ephemeral: bool = True) -> None:
        await self.interaction.create_initial_response(
            hikari.ResponseType.MESSAGE_CREATE,
            embed=embed,
            flags=hikari.MessageFlag.EPHEMERAL if ephemeral else hikari.MessageFlag.NONE,
            user_mentions=False,
            role_mentions=False,
        )
        self.answered = True

    async def update(self, embed: hikari.Embed, components: list[Any] | None = None) -> None:
        """Replace the message the button is on (its buttons too: none when not given)."""
        await self.interaction.create_initial_response(
            hikari.ResponseType.MESSAGE_UPDATE,
            embed=embed,
            components=components or [],
            user_mentions=False,
            role_mentions=False,
        )
        self.answered = True

    async def refuse(self, key: str, **params: object) -> None:
        error = InvalidInput(key, **params)
        await self.reply(embeds.refused(error, self.locale))


Handler = Callable[[Click], Awaitable[None]]


class Components:
    """The handlers of every feature's components, by (feature, action)."""

    def __init__(self) -> None:
        self._handlers: dict[tuple[str, str], Handler] = {}

    def register(self, codec: Codec, action: str, handler: Handler) -> None:
        self._handlers[(codec.feature, action)] = handler

    def owns(self, custom_id: str) -> bool:
        feature = custom_id.partition(":")[0]
        return any(f == feature for f, _ in self._handlers)

    async def dispatch(self, interaction: hikari.ComponentInteraction, app: Vouchy) -> None:
        feature, _, rest = interaction.custom_id.partition(":")
        action, _, row = rest.partition(":")
        locale = await locale_for(interaction, app.settings)
        click = Click(interaction, app, action, row, locale)
        handler = self._handlers.get((feature, action))
        try:
            if handler is None:
                await click.refuse("component.unknown")
                return
            await handler(click)
        except VouchyError as e:
            log.info("component_refused", custom_id=interaction.custom_id, code=e.code)
            if not click.answered:
                await click.reply(embeds.refused(e, locale))
