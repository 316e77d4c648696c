"""The games' tables (migration ``games.0001``) and their names.

- ``games``: every game, one row from its start: who plays, the stake, the seeds and nonce that
  decided it, its state while it is played (a blackjack hand, a challenge), its result, and
  how it was paid. ``status`` moves ``open`` (being played, or a challenge waiting) ->
  ``ended`` (the outcome is decided, the payout known) -> ``settled`` (paid, once), each step
  a compare-and-set in the operation that takes it.
- ``games_seeds``: each member's current seeds (the server seed stays secret until rotated).
- ``games_revealed``: the server seeds a member rotated away, revealed.
- ``games_players``: per member and game, when they last started one (the cooldown) and the
  counters of their settled games (derived from ``games``: the audit compares them).
- ``games_daily``: per member, game and day, the stakes taken minus the payouts made for the
  games started that day (the daily loss limit's counter, derived from ``games``).

Money is in the ledger, never here: a game's stake is a ``game_bet`` row under the start's
reference (``bet_ref``), a doubled blackjack stake another under the move's reference, and its
payout a ``game_win`` (or a challenge's refund a ``game_refund``) row under ``settle_ref``.
"""

from __future__ import annotations

from typing import Final

from vouchy.features.games.results import GAMES
from vouchy.store.schema import Migration

GAMES_TABLE: Final = "games"
SEEDS: Final = "games_seeds"
REVEALED: Final = "games_revealed"
PLAYERS: Final = "games_players"
DAILY: Final = "games_daily"

OPEN: Final = "open"
ENDED: Final = "ended"
SETTLED: Final = "settled"
# How a challenge that was never played ended (its stake goes back to the challenger).
UNPLAYED: Final = ("declined", "withdrawn", "expired")

_GAMES_SQL = ", ".join(f"'{g}'" for g in GAMES)
_UNPLAYED_SQL = ", ".join(f"'{o}'" for o in UNPLAYED)

_V1 = f"""
CREATE TABLE games (
    guild_id         INTEGER NOT NULL,
    game_id          INTEGER NOT NULL CHECK (game_id > 0),
    user_id          INTEGER NOT NULL,            -- the player; a challenge's challenger
    opponent_id      INTEGER,                     -- a challenge's other member
    game             TEXT NOT NULL CHECK (game IN ({_GAMES_SQL})),
    status           TEXT NOT NULL CHECK (status IN ('open', 'ended', 'settled')),
    outcome          TEXT NOT NULL DEFAULT ''
        CHECK (outcome IN ('', 'win', 'lose', 'push', {_UNPLAYED_SQL})),
    bet              INTEGER NOT NULL CHECK (bet >= 1),  -- all the player staked
    base_payout      INTEGER NOT NULL DEFAULT 0 CHECK (base_payout >= 0),  -- before a multiplier
    payout           INTEGER NOT NULL DEFAULT 0 CHECK (payout >= 0),  -- what was paid back
    opponent_bet     INTEGER NOT NULL DEFAULT 0 CHECK (opponent_bet >= 0),
    opponent_payout  INTEGER NOT NULL DEFAULT 0 CHECK (opponent_payout >= 0),
    multiplier       INTEGER NOT NULL DEFAULT 1 CHECK (multiplier >= 1),
    xp               INTEGER NOT NULL DEFAULT 0 CHECK (xp >= 0),
    opponent_xp      INTEGER NOT NULL DEFAULT 0 CHECK (opponent_xp >= 0),
    choice           TEXT NOT NULL DEFAULT '',    -- the player's call, bet, target or move
    state            TEXT NOT NULL DEFAULT '',    -- a hand or a challenge (JSON)
    result           TEXT NOT NULL DEFAULT '',    -- the result (JSON) once ended
    server_seed_hash TEXT NOT NULL DEFAULT '',
    client_seed      TEXT NOT NULL DEFAULT '',
    nonce            INTEGER CHECK (nonce >= 0),  -- NULL: no randomness (a challenge)
    version          INTEGER NOT NULL DEFAULT 0,  -- +1 on every move: what a button names
    day              INTEGER NOT NULL,            -- midnight UTC of its start, in ms
    channel_id       INTEGER,
    locale           TEXT NOT NULL DEFAULT 'en',
    bet_ref          TEXT NOT NULL,
    settle_ref       TEXT NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    expires_at       INTEGER,                     -- an open hand or challenge resolves then
    CHECK (status = 'open' OR outcome != ''),
    CHECK (status != 'settled' OR settle_ref != ''),
    PRIMARY KEY (guild_id, game_id)
) WITHOUT ROWID;
CREATE INDEX games_by_player ON games (guild_id, user_id, created_at);
CREATE INDEX games_by_opponent ON games (guild_id, opponent_id, created_at)
    WHERE opponent_id IS NOT NULL;
CREATE INDEX games_unsettled ON games (status, expires_at) WHERE status != 'settled';
CREATE INDEX games_by_bet ON games (guild_id, bet_ref);

CREATE TABLE games_seeds (
    guild_id         INTEGER NOT NULL,
    user_id          INTEGER NOT NULL,
    server_seed      TEXT NOT NULL CHECK (length(server_seed) = 64),
    server_seed_hash TEXT NOT NULL CHECK (length(server_seed_hash) = 64),
    client_seed      TEXT NOT NULL CHECK (length(client_seed) BETWEEN 1 AND 64),
    nonce            INTEGER NOT NULL DEFAULT 0 CHECK (nonce >= 0),  -- the next game's
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;

CREATE TABLE games_revealed (
    guild_id         INTEGER NOT NULL,
    user_id          INTEGER NOT NULL,
    server_seed_hash TEXT NOT NULL,
    server_seed      TEXT NOT NULL CHECK (length(server_seed) = 64),
    games            INTEGER NOT NULL CHECK (games >= 0),  -- it decided nonces 0 .. games - 1
    created_at       INTEGER NOT NULL,
    revealed_at      INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id, server_seed_hash)
) WITHOUT ROWID;

CREATE TABLE games_players (
    guild_id       INTEGER NOT NULL,
    user_id        INTEGER NOT NULL,
    game           TEXT NOT NULL,
    last_played_at INTEGER NOT NULL DEFAULT 0,
    played         INTEGER NOT NULL DEFAULT 0 CHECK (played >= 0),
    won            INTEGER NOT NULL DEFAULT 0 CHECK (won >= 0),
    staked         INTEGER NOT NULL DEFAULT 0 CHECK (staked >= 0),
    paid           INTEGER NOT NULL DEFAULT 0 CHECK (paid >= 0),
    PRIMARY KEY (guild_id, user_id, game)
) WITHOUT ROWID;

CREATE TABLE games_daily (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    game     TEXT NOT NULL,
    day      INTEGER NOT NULL,
    net      INTEGER NOT NULL DEFAULT 0,  -- stakes minus payouts (negative: the member is up)
    PRIMARY KEY (guild_id, user_id, game, day)
) WITHOUT ROWID;
"""

MIGRATIONS: Final = (Migration("games.0001", _V1),)
