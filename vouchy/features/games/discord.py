"""The games on Discord: /coinflip, /roulette, /slots, /dice, /rps (/pfc in French), /blackjack
with its buttons, the challenge buttons, /games history|odds, /fair show|client-seed|rotate and
/config games. Each parses, calls the games service and renders; no rule lives here.

A game's id is the interaction id of the command that started it, and the start's reference is
that interaction's: a redelivered command answers the game as it stands. Buttons route by
custom id (``render.CODEC``) and read the game's row, so a click after a restart continues
the game; another member's click is refused with a short private note and changes nothing.
"""

from __future__ import annotations

from typing import Any

import lightbulb
import msgspec

from vouchy.app import Vouchy
from vouchy.bot.components import Click
from vouchy.bot.embeds import t
from vouchy.bot.extension import GUILD_ONLY, Extension
from vouchy.bot.localization import choice, command, locale_for, option
from vouchy.bot.respond import asker, guild_of, reference, send, settle
from vouchy.bot.settings_commands import Setting, config_commands, describe
from vouchy.core.errors import InvalidInput
from vouchy.core.validation import MAX_PAGE, check_member
from vouchy.features.games import render, rps
from vouchy.features.games.config import GamesSettings, game_settings, with_values
from vouchy.features.games.results import GAMES
from vouchy.features.games.rules import MAX_BET
from vouchy.features.games.service import GamesService, Outcome
from vouchy.store.settings import SettingsStore

# /roulette's "on": the bet kind and choice each Discord choice stands for.
ROULETTE_ON = {
    "red": "colour:red",
    "black": "colour:black",
    "even": "parity:even",
    "odd": "parity:odd",
    "low": "half:low",
    "high": "half:high",
    "dozen1": "dozen:1",
    "dozen2": "dozen:2",
    "dozen3": "dozen:3",
    "column1": "column:1",
    "column2": "column:2",
    "column3": "column:3",
    "number": "number",
}
# /config games set: the settings a game's row may have (an option per name).
GAME_SETTINGS = (
    ("min_bet", 1, MAX_BET),
    ("max_bet", 1, MAX_BET),
    ("cooldown_s", 0, 86_400),
    ("daily_loss_limit", 0, 1_000_000_000),
    ("payout_bp", 10_001, 20_000),
    ("edge_bp", 0, 5_000),
    ("min_target", 1, 98),
    ("max_target", 1, 98),
    ("decks", 1, 8),
    ("timeout_s", 10, 86_400),
    ("challenge_timeout_s", 10, 7 * 86_400),
)


def roulette_choice(on: str, number: int | None) -> str:
    """The bet ``kind:choice`` of /roulette's options."""
    picked = ROULETTE_ON.get(on)
    if picked is None:
        raise InvalidInput("games.roulette.bad_kind")
    if picked == "number":
        if number is None:
            raise InvalidInput("games.roulette.bad_choice.number")
        return f"number:{number}"
    if number is not None:
        raise InvalidInput("games.roulette.number_unused")
    return picked


def _channel(ctx: lightbulb.Context) -> int | None:
    channel = getattr(ctx.interaction, "channel_id", None)
    return int(channel) if channel is not None else None


def bet_option() -> Any:
    return lightbulb.integer(
        *option("games.opt.bet"), min_value=1, max_value=MAX_BET, localize=True
    )


async def _play(
    ctx: lightbulb.Context,
    games: GamesService,
    settings: SettingsStore,
    game: str,
    bet: int,
    picked: str,
) -> None:
    """Start a house game and answer with its message (a hand: with its buttons)."""
    locale = await locale_for(ctx.interaction, settings)
    played = await settle(
        ctx,
        games.play(
            guild_of(ctx),
            asker(ctx),
            game,
            bet,
            picked,
            game_id=int(ctx.interaction.id),
            reference=reference(ctx),
            channel_id=_channel(ctx),
            locale=locale,
        ),
        ephemeral=False,
    )
    card, buttons = render.message(played, locale, games.clock())
    await ctx.respond(embed=card, components=buttons, user_mentions=False, role_mentions=False)


def setup(ext: Extension) -> None:
    loader = ext.loader

    @loader.command
    class Coinflip(
        lightbulb.SlashCommand,
        name="games.cmd.coinflip.name",
        description="games.cmd.coinflip.description",
        localize=True,
        contexts=GUILD_ONLY,
    ):
        bet = bet_option()
        call = lightbulb.string(
            *option("games.opt.call"),
            choices=[choice(f"games.coinflip.{side}", side) for side in ("heads", "tails")],
            localize=True,
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, games: GamesService, settings: SettingsStore
        ) -> None:
            await _play(ctx, games, settings, "coinflip", self.bet, self.call)

    @loader.command
    class Roulette(
        lightbulb.SlashCommand,
        name="games.cmd.roulette.name",
        description="games.cmd.roulette.description",
        localize=True,
        contexts=GUILD_ONLY,
    ):
        bet = bet_option()
        on = lightbulb.string(
            *option("games.opt.on"),
            choices=[choice(f"games.roulette.pick.{key}", key) for key in ROULETTE_ON],
            localize=True,
        )
        number = lightbulb.integer(
            *option("games.opt.number"), default=None, min_value=0, max_value=36, localize=True
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, games: GamesService, settings: SettingsStore
        ) -> None:
            picked = roulette_choice(self.on, self.number)
            await _play(ctx, games, settings, "roulette", self.bet, picked)

    @loader.command
    class Slots(
        lightbulb.SlashCommand,
        name="games.cmd.slots.name",
        description="games.cmd.slots.description",
        localize=True,
        contexts=GUILD_ONLY,
    ):
        bet = bet_option()

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, games: GamesService, settings: SettingsStore
        ) -> None:
            await _play(ctx, games, settings, "slots", self.bet, "")

    @loader.command
    class Dice(
        lightbulb.SlashCommand,
        name="games.cmd.dice.name",
        description="games.cmd.dice.description",
        localize=True,
        contexts=GUILD_ONLY,
    ):
        bet = bet_option()
        under = lightbulb.integer(
            *option("games.opt.under"), min_value=1, max_value=98, localize=True
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, games: GamesService, settings: SettingsStore
        ) -> None:
            await _play(ctx, games, settings, "dice", self.bet, str(self.under))

    @loader.command
    class Blackjack(
        lightbulb.SlashCommand,
        name="games.cmd.blackjack.name",
        description="games.cmd.blackjack.description",
        localize=True,
        contexts=GUILD_ONLY,
    ):
        bet = bet_option()

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, games: GamesService, settings: SettingsStore
        ) -> None:
            await _play(ctx, games, settings, "blackjack", self.bet, "")

    @loader.command
    class Rps(
        lightbulb.SlashCommand,
        name="games.cmd.rps.name",
        description="games.cmd.rps.description",
        localize=True,
        contexts=GUILD_ONLY,
    ):
        bet = bet_option()
        move = lightbulb.string(
            *option("games.opt.move"),
            choices=[choice(f"games.rps.{m}", m) for m in rps.CHOICES],
            localize=True,
        )
        opponent = lightbulb.user(*option("games.opt.opponent"), default=None, localize=True)

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, games: GamesService, settings: SettingsStore
        ) -> None:
            if self.opponent is None:
                await _play(ctx, games, settings, "rps", self.bet, self.move)
                return
            locale = await locale_for(ctx.interaction, settings)
            opened = await settle(
                ctx,
                games.challenge(
                    guild_of(ctx),
                    asker(ctx),
                    int(self.opponent.id),
                    self.bet,
                    self.move,
                    game_id=int(ctx.interaction.id),
                    reference=reference(ctx),
                    opponent_is_bot=self.opponent.is_bot,
                    channel_id=_channel(ctx),
                    locale=locale,
                ),
                ephemeral=False,
            )
            card, buttons = render.message(opened, locale, games.clock())
            await ctx.respond(
                f"<@{int(self.opponent.id)}>",
                embed=card,
                components=buttons,
                user_mentions=[int(self.opponent.id)],
                role_mentions=False,
            )

    group = lightbulb.Group(**command("games.cmd.games"), contexts=GUILD_ONLY)

    @group.register
    class History(lightbulb.SlashCommand, **command("games.cmd.history")):
        member = lightbulb.user(*option("games.opt.member"), default=None, localize=True)
        page = lightbulb.integer(
            *option("games.opt.page"), default=1, min_value=1, max_value=MAX_PAGE, localize=True
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, games: GamesService, settings: SettingsStore
        ) -> None:
            who = self.member or ctx.user
            check_member(int(who.id), is_bot=who.is_bot)
            guild_id = guild_of(ctx)
            page = await games.history(guild_id, int(who.id), self.page)
            stats = await games.stats(guild_id, int(who.id))
            locale = await locale_for(ctx.interaction, settings)
            await send(ctx, render.history(page, stats, locale), ephemeral=True)

    @group.register
    class Odds(lightbulb.SlashCommand, **command("games.cmd.odds")):
        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, games: GamesService, settings: SettingsStore
        ) -> None:
            lines = await settle(ctx, games.odds(guild_of(ctx)), ephemeral=False)
            locale = await locale_for(ctx.interaction, settings)
            await send(ctx, render.odds(lines, locale))

    loader.command(group)

    fair = lightbulb.Group(**command("games.cmd.fair"), contexts=GUILD_ONLY)

    @fair.register
    class Show(lightbulb.SlashCommand, **command("games.cmd.fair.show")):
        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, games: GamesService, settings: SettingsStore
        ) -> None:
            guild_id, user = guild_of(ctx), asker(ctx)
            current = await settle(ctx, games.seeds(guild_id, user, reference(ctx)), ephemeral=True)
            revealed = await games.revealed(guild_id, user)
            locale = await locale_for(ctx.interaction, settings)
            await send(ctx, render.seeds(current, revealed, locale), ephemeral=True)

    @fair.register
    class ClientSeed(lightbulb.SlashCommand, **command("games.cmd.fair.seed")):
        seed = lightbulb.string(
            *option("games.opt.seed"), min_length=1, max_length=64, localize=True
        )

        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, games: GamesService, settings: SettingsStore
        ) -> None:
            current = await settle(
                ctx,
                games.set_client_seed(guild_of(ctx), asker(ctx), self.seed, reference(ctx)),
                ephemeral=True,
            )
            locale = await locale_for(ctx.interaction, settings)
            await send(ctx, render.client_seed(current, locale), ephemeral=True)

    @fair.register
    class Rotate(lightbulb.SlashCommand, **command("games.cmd.fair.rotate")):
        @lightbulb.invoke
        async def invoke(
            self, ctx: lightbulb.Context, games: GamesService, settings: SettingsStore
        ) -> None:
            revealed, fresh = await settle(
                ctx, games.rotate(guild_of(ctx), asker(ctx), reference(ctx)), ephemeral=True
            )
            locale = await locale_for(ctx.interaction, settings)
            await send(ctx, render.rotated(revealed, fresh, locale), ephemeral=True)

    loader.command(fair)

    # -- buttons ------------------------------------------------------------------------------

    async def show(click: Click, outcome: Outcome) -> None:
        games = click.app.service(GamesService)
        note = t("games.moved_on.note", click.locale) if outcome.moved_on else ""
        card, buttons = render.message(outcome, click.locale, games.clock(), note=note)
        await click.update(card, buttons)

    def hand_action(action: str) -> Any:
        async def handle(click: Click) -> None:
            parsed = render.parse_pair(click.row)
            if parsed is None or not parsed[1].isdigit():
                await click.refuse("component.unknown")
                return
            game_id, version = parsed[0], int(parsed[1])
            games = click.app.service(GamesService)
            outcome = await games.act(click.guild_id, click.user_id, game_id, action, version)
            await show(click, outcome)

        return handle

    for action in ("hit", "stand", "double"):
        ext.components.register(render.CODEC, action, hand_action(action))

    async def move(click: Click) -> None:
        parsed = render.parse_pair(click.row)
        if parsed is None:
            await click.refuse("component.unknown")
            return
        games = click.app.service(GamesService)
        await show(click, await games.answer(click.guild_id, click.user_id, *parsed))

    async def close(click: Click) -> None:
        if not click.row.isdigit():
            await click.refuse("component.unknown")
            return
        games = click.app.service(GamesService)
        await show(
            click, await games.close_challenge(click.guild_id, click.user_id, int(click.row))
        )

    ext.components.register(render.CODEC, render.MOVE, move)
    ext.components.register(render.CODEC, render.DECLINE, close)
    ext.components.register(render.CODEC, render.WITHDRAW, close)

    # -- /config games --------------------------------------------------------------------------

    channels = Setting("channels", "channels")
    settings_group = config_commands(ext, "games", (channels,))
    describe("games", (channels, *(Setting(game, "text") for game in GAMES)))

    async def set_game(self: Any, ctx: lightbulb.Context, app: Vouchy) -> None:
        guild_id = guild_of(ctx)
        game = self.game
        locale = await locale_for(ctx.interaction, app.settings)
        current = await app.settings.get(guild_id, "games", GamesSettings)
        defaults = app.settings.default("games")
        assert isinstance(defaults, GamesSettings)
        base = game_settings(defaults if self.reset else current, game)
        given = {name: getattr(self, name) for name, _, _ in GAME_SETTINGS}
        given = {k: v for k, v in given.items() if v is not None}
        if not given and not self.reset:
            raise InvalidInput("config.nothing_to_set")
        changed = with_values(game, base, given)
        value = None if self.reset and not given else msgspec.to_builtins(changed)
        after = await app.update_settings(
            guild_id, "games", {game: value}, updated_by=asker(ctx), reference=reference(ctx)
        )
        overrides = await app.settings.overrides(guild_id, "games")
        card = render.game_settings(game, game_settings(after, game), game not in overrides, locale)
        await send(ctx, card, ephemeral=True)

    namespace: dict[str, Any] = {
        "game": lightbulb.string(
            *option("games.opt.game"),
            choices=[choice(f"games.name.{game}", game) for game in GAMES],
            localize=True,
        ),
    }
    for name, low, high in GAME_SETTINGS:
        namespace[name] = lightbulb.integer(
            *option(f"games.setting.{name}"),
            default=None,
            min_value=low,
            max_value=high,
            localize=True,
        )
    namespace["reset"] = lightbulb.boolean(
        *option("games.setting.reset"), default=False, localize=True
    )
    namespace["invoke"] = lightbulb.invoke(set_game)
    settings_group.register(
        type("Set", (lightbulb.SlashCommand,), namespace, **command("config.set"))
    )
