"""Helpers the Discord-layer tests share: the real bot (``VouchyBot``: GatewayBot + lightbulb +
the ledger) started against a ``FakeDiscord`` on 127.0.0.1, and ways to ask it things."""

from __future__ import annotations

import contextlib
import runpy
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import lightbulb

import vouchy

REPO = Path(__file__).resolve().parents[2]

if not hasattr(vouchy, "__version__"):
    # This virtualenv's editable install maps ``vouchy`` as a namespace package, so under pytest
    # (the repository root is not on sys.path) its __init__ never runs. Run it once here.
    vouchy.__version__ = runpy.run_path(str(REPO / "vouchy" / "__init__.py"))["__version__"]

from vouchy.app import Vouchy, load_config  # noqa: E402
from vouchy.bot.bot import VouchyBot  # noqa: E402
from vouchy.core.config import Config  # noqa: E402
from vouchy.testing.fake_discord import FakeDiscord, Member, User, next_snowflake  # noqa: E402

GUILD_COMMANDS = "/applications/{application_id}/guilds/{guild_id}/commands"
CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"

# Every slash command path the bot must offer.
EXPECTED_COMMANDS = {
    "points",
    "leaderboard",
    "give",
    "daily",
    "history",
    "admin points add",
    "admin points remove",
    "admin points set",
    "admin backup",
    "admin audit",
    "admin repair",
    "config show",
    "config core set",
    "config core reset",
    "config points set",
    "config points reset",
    "inventory",
    "shop",
    "buy",
    "rewards",
    "redeem",
    "redemptions",
    "admin items give",
    "admin items take",
    "admin shop add",
    "admin shop edit",
    "admin shop remove",
    "admin rewards add",
    "admin rewards edit",
    "admin rewards remove",
    "admin redemption use",
    "admin redemption list",
    "config shop set",
    "config shop reset",
    "invites lookup",
    "invites logs",
    "invites export",
    "invites sync",
    "invites top",
    "invites staff set",
    "invites staff remove",
    "invites staff list",
    "admin invites bonus",
    "config invites set",
    "config invites reset",
    "admin api-key create",
    "admin api-key list",
    "admin api-key revoke",
    "config web set",
    "config web reset",
    "config web leaderboard",
    "vouches show",
    "vouches top",
    "admin vouch add",
    "admin vouch remove",
    "config vouches set",
    "config vouches add",
    "config vouches remove",
    "config vouches reset",
    "giftcode channel set",
    "giftcode autoredeem on",
    "giftcode autoredeem off",
    "giftcode players add",
    "giftcode players remove",
    "giftcode players list",
    "giftcode redeem",
    "giftcode status",
    "giftcode codes",
    "giftcode add",
    "config giftcodes set",
    "config giftcodes reset",
    "level",
    "levels",
    "admin xp add",
    "admin xp remove",
    "admin xp set",
    "admin xp reset",
    "admin levels sync-roles",
    "config levels set",
    "config levels add",
    "config levels remove",
    "config levels reset",
    "config levels multiplier",
    "config levels role-reward",
    "config levels point-reward",
    "config levels item-reward",
    "coinflip",
    "roulette",
    "slots",
    "dice",
    "rps",
    "blackjack",
    "games history",
    "games odds",
    "fair show",
    "fair client-seed",
    "fair rotate",
    "config games set",
    "config games add",
    "config games remove",
    "config games reset",
}


def make_config(data_dir: Path, **settings: Any) -> Config:
    env = {
        "VOUCHY_DATA_DIR": str(data_dir),
        "VOUCHY_SNAPSHOTS_DIR": str(data_dir / "snapshots"),
        "VOUCHY_HEALTH_HEARTBEAT_SECONDS": "1",
    }
    env.update({f"VOUCHY_{k.upper()}": str(v) for k, v in settings.items()})
    return load_config(env=env)


class Harness:
    """A started bot and its fake Discord, with the guild's people by role."""

    def __init__(self, fake: FakeDiscord, app: Vouchy, bot: VouchyBot) -> None:
        self.fake = fake
        self.app = app
        self.bot = bot
        self.guild = fake.guild
        self.owner = self.guild.member("owner")
        self.admin = self.guild.member("admin")  # Administrator role
        self.member = self.guild.member("member")  # no permissions
        self.friend = self._find("friend")  # no permissions
        self.other_bot = self._find("otherbot")  # a bot user in the guild

    def _find(self, name: str) -> Any:
        return next((m for m in self.guild.members if m.user.username == name), None)

    @property
    def guild_id(self) -> int:
        return self.guild.id

    async def run(self, command: str, user: Member, **options: Any) -> dict[str, Any]:
        """Invoke a slash command as ``user`` and wait for its first answer."""
        interaction_id = await self.fake.slash(command, user=user, **options)
        return await self.fake.interaction_reply(interaction_id)

    async def balance(self, user: Member) -> int:
        return (await self.app.points.member(self.guild_id, user.id).account()).balance

    async def ledger_state(self, *users: Member) -> tuple[Any, ...]:
        """What must not change when a command is refused: the audit totals and each
        member's whole history."""
        report = await self.app.audit()
        histories = [
            tuple((await self.app.points.member(self.guild_id, u.id).history(1, 25)).entries)
            for u in users
        ]
        return (report.accounts, report.ledger_rows, report.total_points, *histories)


def description(reply: dict[str, Any]) -> str:
    """The text a member reads: content plus every embed's title, description and fields."""
    parts = [reply.get("content") or ""]
    for embed in reply.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        for field in embed.get("fields") or []:
            parts += [field.get("name") or "", field.get("value") or ""]
        parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(p for p in parts if p)


@contextlib.asynccontextmanager
async def started_bot(
    data_dir: Path,
    *,
    hooks: Sequence[lightbulb.ExecutionHook] = (),
    extra_members: Sequence[str] = ("friend",),
    fake: FakeDiscord | None = None,
    **settings: Any,
) -> AsyncIterator[Harness]:
    """A FakeDiscord (unless given) and the real bot connected to it, commands synced."""
    own_fake = fake is None
    if fake is None:
        fake = FakeDiscord()
        for name in extra_members:
            fake.guild.members.append(Member(User(next_snowflake(), name)))
        fake.guild.members.append(Member(User(next_snowflake(), "otherbot", bot=True)))
        await fake.start()
    config = make_config(
        data_dir,
        discord_token=fake.token,
        discord_rest_url=fake.rest_url,
        discord_guild_ids=str(fake.guild.id),
        **settings,
    )
    app = await Vouchy(config).start()
    bot = None
    try:
        bot = VouchyBot(app, hooks=hooks)
        await bot.start()
        await fake.wait_for_ready()
        yield Harness(fake, app, bot)
    finally:
        if bot is not None:
            await bot.stop("test")
        else:
            await app.close()
        if own_fake:
            await fake.close()
