"""What the games' service and bot tests share: the app with fast settings, a winning choice
computed from the member's own seeds (what a provably fair game lets anyone compute once the
seed is known), and the rows to compare before and after a refusal."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from vouchy.app import Vouchy
from vouchy.features.games import verify
from vouchy.features.games.service import GamesService

G = 111_111_111_111_111_111
ADMIN = 900_000_000_000_000_001
ALICE, BOB, CAROL = 300_000_000_000_000_001, 300_000_000_000_000_002, 300_000_000_000_000_003
# Every table a game writes (operations aside: a refusal the writer decided is remembered;
# levels_members aside: the XP a game left pending is folded in by the levels feature after the
# commit, on its own time; the XP log is where a game's XP is written).
TABLES = (
    "accounts",
    "ledger",
    "games",
    "games_seeds",
    "games_revealed",
    "games_players",
    "games_daily",
    "levels_xp_log",
    "shop_multipliers",
    "outbox",
)
GAMES = ("coinflip", "roulette", "slots", "dice", "rps", "blackjack")
NO_COOLDOWN = {game: {"cooldown_s": 0} for game in GAMES}


def games_of(app: Vouchy) -> GamesService:
    return app.service(GamesService)


def dump(db: Path, tables: tuple[str, ...] = TABLES) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables}
    finally:
        conn.close()


def query(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


async def configure(app: Vouchy, guild_id: int = G, **games: dict[str, Any]) -> None:
    """Change some games' rows of settings (like /config games set)."""
    values = {}
    current = await games_of(app).settings_for(guild_id)
    for game, changes in games.items():
        import msgspec

        values[game] = {**msgspec.to_builtins(getattr(current, game)), **changes}
    await app.update_settings(
        guild_id, "games", values, updated_by=ADMIN, reference=f"configure:{sorted(values)}"
    )


async def fund(app: Vouchy, user: int, points: int, guild_id: int = G) -> None:
    import uuid

    await app.points.member(guild_id, user).earn(points, f"fund:{uuid.uuid4().hex}")


async def next_outcome(app: Vouchy, game: str, user: int, guild_id: int = G) -> str:
    """What the member's next game of ``game`` will show (their seeds read from the DB)."""
    games = games_of(app)
    await games.seeds(guild_id, user, f"seeds:{user}")
    (seed, client, nonce), *_ = await app.reader.rows(
        "SELECT server_seed, client_seed, nonce FROM games_seeds WHERE guild_id = ? AND user_id = ?",
        (guild_id, user),
    )
    return verify.outcome(game, seed, client, nonce).shows


async def winning_call(app: Vouchy, user: int, guild_id: int = G) -> str:
    return await next_outcome(app, "coinflip", user, guild_id)


def losing_call(call: str) -> str:
    return "tails" if call == "heads" else "heads"
