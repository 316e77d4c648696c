"""A feature for the component tests: /tally posts a counter that only its owner may bump with
a button; the counter is a ``widgets`` row, so a click after a restart still works."""

from __future__ import annotations

import hikari
import lightbulb

from vouchy.app import Vouchy
from vouchy.bot import embeds
from vouchy.bot.components import Click, Codec
from vouchy.bot.extension import Extension
from vouchy.bot.respond import asker, guild_of, reference
from vouchy.core import i18n
from vouchy.core.errors import Refused
from vouchy.store.operations import Add, Expect, Insert, Op

CODEC = Codec("tally")

i18n.register(
    {
        "tally.cmd": {"en": "tally", "fr": "compteur"},
        "tally.cmd.desc": {"en": "A counter with a button", "fr": "Un compteur avec un bouton"},
        "tally.count": {"en": "Count: {count}", "fr": "Total : {count}"},
        "tally.bump": {"en": "+1", "fr": "+1"},
    }
)


def button(
    rest: hikari.api.RESTClient, row: int, locale: str
) -> hikari.api.MessageActionRowBuilder:
    return rest.build_message_action_row().add_interactive_button(
        hikari.ButtonStyle.PRIMARY, CODEC.encode("bump", row), label=i18n.text("tally.bump", locale)
    )


def setup(ext: Extension) -> None:
    @ext.loader.command
    class Tally(
        lightbulb.SlashCommand, name="tally.cmd", description="tally.cmd.desc", localize=True
    ):
        @lightbulb.invoke
        async def invoke(self, ctx: lightbulb.Context, app: Vouchy) -> None:
            row = int(ctx.interaction.id) % 1_000_000_007
            key = (guild_of(ctx), row)
            op = Op(
                guild_id=key[0],
                user_id=asker(ctx),
                reference=reference(ctx),
                name="tally.open",
                changes=(Insert(table="widgets", key=key, values={"note": str(asker(ctx))}),),
            )
            await app.actors.member(key[0], asker(ctx)).submit(op)
            card = embeds.embed("Tally", i18n.text("tally.count", "en", count=0), embeds.INFO, "en")
            await ctx.respond(embed=card, components=[button(ctx.client.rest, row, "en")])

    async def bump(click: Click) -> None:
        key = (click.guild_id, int(click.row))
        found = await click.app.reader.row(
            "SELECT note FROM widgets WHERE guild_id = ? AND id = ?", key
        )
        if found is None:
            await click.refuse("component.gone")
            return
        if found["note"] != str(click.user_id):
            await click.refuse("component.not_yours")
            return
        op = Op(
            guild_id=key[0],
            user_id=click.user_id,
            reference=click.reference,
            name="tally.bump",
            changes=(
                Expect(
                    table="widgets", key=key, column="state", value="open", refuse="component.gone"
                ),
                Add(table="widgets", key=key, column="stock", delta=1),
            ),
        )
        try:
            receipt = await click.app.actors.member(key[0], click.user_id).submit(op)
        except Refused:
            await click.refuse("component.gone")
            return
        count = receipt.row("widgets")["stock"]
        card = embeds.embed(
            "Tally", i18n.text("tally.count", click.locale, count=count), embeds.INFO, click.locale
        )
        await click.update(card, [button(click.interaction.app.rest, key[1], click.locale)])

    ext.components.register(CODEC, "bump", bump)
