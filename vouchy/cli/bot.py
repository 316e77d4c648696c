"""``run``: the Discord bot, until SIGTERM or SIGINT (then a clean stop and exit 0)."""

from __future__ import annotations

import argparse

from vouchy.core.config import Config


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "run",
        help="run the Discord bot (token from VOUCHY_DISCORD_TOKEN; SIGTERM stops it cleanly)",
        description=(
            "Run the Discord bot. The token comes from VOUCHY_DISCORD_TOKEN (or discord.token); "
            "commands register in discord.guild_ids when set, globally otherwise; "
            "VOUCHY_DISCORD_REST_URL sends REST calls elsewhere. SIGTERM or SIGINT: stop taking "
            "commands, answer those in flight, flush the ledger, exit 0."
        ),
    )
    p.set_defaults(func=run)


async def run(_args: argparse.Namespace, config: Config) -> int:
    from vouchy.cli.common import open_vouchy
    from vouchy.cli.running import run as run_bot  # hikari loads only for this subcommand

    return await run_bot(config, lambda c: open_vouchy(c, create=True))
