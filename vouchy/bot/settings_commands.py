"""``/config <feature> set|add|remove|reset`` made from a feature's list of settings, so that
every feature's per-guild settings are set the same way: one operation through the write
path (journaled like any row), shown back as they now stand. The feature names its settings
and how Discord should ask for each (a number with bounds, a channel, a role, a choice...)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import hikari
import lightbulb
import msgspec

from vouchy.app import Vouchy  # resolved at run time: lightbulb injects it by this name
from vouchy.bot import embeds
from vouchy.bot.extension import Extension
from vouchy.bot.localization import choice, command, locale_for, option
from vouchy.bot.respond import asker, guild_of, reference, send
from vouchy.core import i18n
from vouchy.core.errors import InvalidInput

Kind = Literal["int", "number", "bool", "text", "channel", "role", "choice", "channels", "roles"]
TEXT_CHANNELS = [
    hikari.ChannelType.GUILD_TEXT,
    hikari.ChannelType.GUILD_NEWS,
    hikari.ChannelType.GUILD_VOICE,
]

TEXTS = i18n.register(
    {
        "config.set": {"en": "set", "fr": "régler"},
        "config.set.desc": {"en": "Change some settings", "fr": "Modifier des réglages"},
        "config.add": {"en": "add", "fr": "ajouter"},
        "config.add.desc": {
            "en": "Add a channel or role to a list",
            "fr": "Ajouter un salon ou un rôle à une liste",
        },
        "config.remove": {"en": "remove", "fr": "retirer"},
        "config.remove.desc": {
            "en": "Remove a channel or role from a list",
            "fr": "Retirer un salon ou un rôle d'une liste",
        },
        "config.reset": {"en": "reset", "fr": "réinitialiser"},
        "config.reset.desc": {
            "en": "Put one setting back to its default",
            "fr": "Remettre un réglage à sa valeur par défaut",
        },
        "config.opt.setting": {"en": "setting", "fr": "réglage"},
        "config.opt.setting.desc": {"en": "Which setting", "fr": "Quel réglage"},
        "config.opt.channel": {"en": "channel", "fr": "salon"},
        "config.opt.channel.desc": {"en": "A channel", "fr": "Un salon"},
        "config.opt.role": {"en": "role", "fr": "rôle"},
        "config.opt.role.desc": {"en": "A role", "fr": "Un rôle"},
        "config.nothing_to_set": {
            "en": "Pick at least one setting to change.",
            "fr": "Choisis au moins un réglage à modifier.",
        },
        "config.pick_one_target": {
            "en": "Pick a channel or a role that fits {setting}.",
            "fr": "Choisis un salon ou un rôle qui convient à {setting}.",
        },
        "config.title": {"en": "Settings: {feature}", "fr": "Réglages : {feature}"},
        "config.hint": {
            "en": "Change them with `/config {feature} set`; `(default)` marks a value this "
            "server has not changed.",
            "fr": "Modifie-les avec `/config {feature} régler` ; `(par défaut)` marque une "
            "valeur que ce serveur n'a pas changée.",
        },
        "config.default": {"en": "(default)", "fr": "(par défaut)"},
        "config.not_set": {"en": "not set", "fr": "non défini"},
        "config.yes": {"en": "yes", "fr": "oui"},
        "config.no": {"en": "no", "fr": "non"},
        "config.none": {"en": "none", "fr": "aucun"},
    }
)


@dataclass(frozen=True)
class Setting:
    name: str  # the field of the feature's settings Struct
    kind: Kind
    low: float | None = None
    high: float | None = None
    choices: tuple[tuple[str, str], ...] = ()  # (text key, value) for "choice": a string option

    @property
    def is_list(self) -> bool:
        return self.kind in ("channels", "roles")


# Checks a feature adds before a change is saved: (ctx, app, values) -> None or raise.
Check = Callable[[lightbulb.Context, "Vouchy", dict[str, Any]], Awaitable[None]]


def show_value(setting: Setting | None, value: Any, locale: str) -> str:
    if value is None or value == [] or value == {}:
        return i18n.text("config.not_set" if value is None else "config.none", locale)
    kind = setting.kind if setting else ""
    if kind in ("channel", "channels"):
        items = value if isinstance(value, list) else [value]
        return ", ".join(f"<#{v}>" for v in items)
    if kind in ("role", "roles"):
        items = value if isinstance(value, list) else [value]
        return ", ".join(f"<@&{v}>" for v in items)
    if isinstance(value, bool):
        return i18n.text("config.yes" if value else "config.no", locale)
    if isinstance(value, int | float):
        return i18n.number(value, locale)
    if setting is not None and setting.choices:
        for key, v in setting.choices:
            if v == value:
                return i18n.text(key, locale)
    return str(value)[:200]


def settings_embed(
    feature: str,
    current: msgspec.Struct,
    overrides: dict[str, Any],
    settings: Sequence[Setting],
    locale: str,
) -> hikari.Embed:
    """A feature's settings as they stand, each marked when it is the default."""
    by_name = {s.name: s for s in settings}
    card = embeds.embed(
        i18n.text("config.title", locale, feature=feature),
        i18n.text("config.hint", locale, feature=feature),
        embeds.INFO,
        locale,
    )
    for field in msgspec.structs.fields(current):
        if field.name not in by_name:
            continue
        value = show_value(by_name[field.name], getattr(current, field.name), locale)
        if field.name not in overrides:
            value += " " + i18n.text("config.default", locale)
        label = i18n.text(f"{feature}.setting.{field.name}", locale)
        card.add_field(label, value[:1024], inline=True)
    return card


def _option(feature: str, s: Setting) -> Any:
    name, desc = option(f"{feature}.setting.{s.name}")
    common: dict[str, Any] = {"default": None, "localize": True}
    if s.kind == "int":
        return lightbulb.integer(
            name, desc, min_value=_bound(_int(s.low)), max_value=_bound(_int(s.high)), **common
        )
    if s.kind == "number":
        return lightbulb.number(
            name, desc, min_value=_bound(s.low), max_value=_bound(s.high), **common
        )
    if s.kind == "bool":
        return lightbulb.boolean(name, desc, **common)
    if s.kind == "text":
        return lightbulb.string(name, desc, max_length=int(s.high or 1000), **common)
    if s.kind == "channel":
        return lightbulb.channel(name, desc, channel_types=TEXT_CHANNELS, **common)
    if s.kind == "role":
        return lightbulb.role(name, desc, **common)
    return lightbulb.string(name, desc, choices=[choice(k, v) for k, v in s.choices], **common)


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


def _bound(value: Any) -> Any:
    """A bound Discord should enforce, or none at all (lightbulb's UNDEFINED, never null)."""
    return hikari.UNDEFINED if value is None else value


def config_commands(
    ext: Extension,
    feature: str,
    settings: Sequence[Setting],
    *,
    check: Check | None = None,
) -> lightbulb.SubGroup:
    """Add ``/config <feature> ...`` for ``settings`` (the text ``config.<feature>`` names it)."""
    describe(feature, settings)
    group = ext.settings.subgroup(f"config.{feature}", f"config.{feature}.desc", localize=True)
    scalars = [s for s in settings if not s.is_list]
    lists = [s for s in settings if s.is_list]
    by_name = {s.name: s for s in settings}

    async def save(ctx: lightbulb.Context, app: Vouchy, values: dict[str, Any]) -> None:
        guild_id = guild_of(ctx)
        if check is not None:
            await check(ctx, app, values)
        current = await app.update_settings(
            guild_id, feature, values, updated_by=asker(ctx), reference=reference(ctx)
        )
        overrides = await app.settings.overrides(guild_id, feature)
        locale = await locale_for(ctx.interaction, app.settings)
        await send(
            ctx, settings_embed(feature, current, overrides, settings, locale), ephemeral=True
        )

    if scalars:

        async def invoke_set(self: Any, ctx: lightbulb.Context, app: Vouchy) -> None:
            values = {s.name: _value(s, getattr(self, s.name)) for s in scalars}
            values = {k: v for k, v in values.items() if v is not None}
            if not values:
                raise InvalidInput("config.nothing_to_set")
            await save(ctx, app, values)

        namespace = {s.name: _option(feature, s) for s in scalars}
        namespace["invoke"] = lightbulb.invoke(invoke_set)
        group.register(type("Set", (lightbulb.SlashCommand,), namespace, **command("config.set")))

    if lists:
        pick = lightbulb.string(
            *option("config.opt.setting"),
            choices=[choice(f"{feature}.setting.{s.name}", s.name) for s in lists],
            localize=True,
        )

        def change(adding: bool) -> Callable[..., Awaitable[None]]:
            async def invoke(self: Any, ctx: lightbulb.Context, app: Vouchy) -> None:
                setting = by_name[self.setting]
                target = self.channel if setting.kind == "channels" else self.role
                if target is None:
                    raise InvalidInput("config.pick_one_target", setting=setting.name)
                current = getattr(await app.settings.get(guild_of(ctx), feature), setting.name)
                items = [v for v in current if v != int(target.id)]
                if adding:
                    items.append(int(target.id))
                await save(ctx, app, {setting.name: items})

            return invoke

        for adding, key in ((True, "config.add"), (False, "config.remove")):
            namespace = {
                "setting": pick,
                "channel": lightbulb.channel(
                    *option("config.opt.channel"),
                    default=None,
                    channel_types=TEXT_CHANNELS,
                    localize=True,
                ),
                "role": lightbulb.role(*option("config.opt.role"), default=None, localize=True),
                "invoke": lightbulb.invoke(change(adding)),
            }
            group.register(
                type(
                    "Add" if adding else "Remove",
                    (lightbulb.SlashCommand,),
                    namespace,
                    **command(key),
                )
            )

    async def invoke_reset(self: Any, ctx: lightbulb.Context, app: Vouchy) -> None:
        await save(ctx, app, {self.setting: None})

    namespace = {
        "setting": lightbulb.string(
            *option("config.opt.setting"),
            choices=[choice(f"{feature}.setting.{s.name}", s.name) for s in settings],
            localize=True,
        ),
        "invoke": lightbulb.invoke(invoke_reset),
    }
    group.register(type("Reset", (lightbulb.SlashCommand,), namespace, **command("config.reset")))
    return group


def _value(setting: Setting, raw: Any) -> Any:
    if raw is None:
        return None
    if setting.kind in ("channel", "role"):
        return int(raw.id)
    return raw


@dataclass(frozen=True)
class FeatureSettings:
    """What ``/config show`` lists for one feature."""

    feature: str
    settings: tuple[Setting, ...]


REGISTRY: dict[str, FeatureSettings] = {}


def describe(feature: str, settings: Sequence[Setting]) -> None:
    REGISTRY[feature] = FeatureSettings(feature, tuple(settings))
