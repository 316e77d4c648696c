"""The gift-code tables: their migration, how the state machine's Structs map to rows, the row
changes that store a ``rules.Step``, and the audit check of the one derived counter.

Tables (one migration, ``giftcodes.0001``):
- ``giftcode_codes``: one row per code (``rules.CodeState``, plus where it came from: listed by
  the community list, added by which guild's admin, whether its announcement is still owed);
- ``giftcode_attempts``: one row per (code, player) (``rules.Attempt``);
- ``giftcode_players``: one row per player id (``rules.Player``: name, state, furnace level,
  pacing) and ``guilds``, how many servers registered it (derived, audited);
- ``giftcode_guild_players``: which server registered which player, by whom and when;
- ``giftcode_posts``: each code announced in each server, once;
- ``giftcode_runner``: the redemption loop's one row (``rules.RunnerState``) and whether the
  code list was ever read (the first read marks codes known without posting them).
A server's ``channel`` and ``auto_redeem`` are rows of the store's ``settings`` table.

Every row here belongs to the gift-code actor (``app.actors.giftcodes``); global rows are
written by operations of ``GLOBAL_GUILD``, a guild id no Discord server has.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, Final, Protocol

import msgspec

from vouchy.features.giftcodes import rules
from vouchy.features.giftcodes.rules import (
    Attempt,
    CodeState,
    Player,
    RedemptionState,
    RunnerState,
    Step,
)
from vouchy.store.audit import Check, Discrepancy
from vouchy.store.operations import Change, Delete, Expect, Patch, Put
from vouchy.store.schema import Migration

# Discord snowflakes are far above 1: the gift codes' own rows (codes, attempts, players, the
# runner) are not any server's, and their operations say so with this guild id.
GLOBAL_GUILD: Final = 1

CODES: Final = "giftcode_codes"
ATTEMPTS: Final = "giftcode_attempts"
PLAYERS: Final = "giftcode_players"
GUILD_PLAYERS: Final = "giftcode_guild_players"
POSTS: Final = "giftcode_posts"
RUNNER: Final = "giftcode_runner"
TABLES: Final = (CODES, ATTEMPTS, PLAYERS, GUILD_PLAYERS, POSTS, RUNNER)
RUNNER_KEY: Final = (1,)

_STATUS = ", ".join(f"'{s}'" for s in rules.ATTEMPT_STATUSES)
_CODE_STATUS = ", ".join(f"'{s}'" for s in rules.CODE_STATUSES)
_RUNNER_STATUS = ", ".join(f"'{s}'" for s in rules.RUNNER_STATUSES)

_V1 = f"""
CREATE TABLE {CODES} (
    code                 TEXT PRIMARY KEY CHECK (length(code) BETWEEN 1 AND 32),
    source               TEXT NOT NULL CHECK (source IN ('list', 'admin', 'first_start')),
    first_seen_ms        INTEGER NOT NULL,
    status               TEXT NOT NULL DEFAULT 'canary' CHECK (status IN ({_CODE_STATUS})),
    canary_fid           INTEGER,
    stop_reason          TEXT NOT NULL DEFAULT '',
    claim_limit_hits     INTEGER NOT NULL DEFAULT 0 CHECK (claim_limit_hits >= 0),
    claim_limit_first_ms INTEGER,
    updated_ms           INTEGER NOT NULL DEFAULT 0,
    listed               INTEGER NOT NULL DEFAULT 0 CHECK (listed IN (0, 1)),
    listed_date          TEXT,
    added_guild          INTEGER,
    added_by             INTEGER,
    announce_pending     INTEGER NOT NULL DEFAULT 0 CHECK (announce_pending IN (0, 1))
) WITHOUT ROWID;

CREATE TABLE {ATTEMPTS} (
    code        TEXT NOT NULL,
    fid         INTEGER NOT NULL CHECK (fid > 0),
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ({_STATUS})),
    tries       INTEGER NOT NULL DEFAULT 0 CHECK (tries >= 0),
    temporary   INTEGER NOT NULL DEFAULT 0 CHECK (temporary >= 0),
    unknown     INTEGER NOT NULL DEFAULT 0 CHECK (unknown >= 0),
    reason      TEXT NOT NULL DEFAULT '',
    last_msg    TEXT NOT NULL DEFAULT '',
    next_try_ms INTEGER NOT NULL DEFAULT 0,
    refresh     INTEGER NOT NULL DEFAULT 0 CHECK (refresh IN (0, 1)),
    created_ms  INTEGER NOT NULL DEFAULT 0,
    updated_ms  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (code, fid)
) WITHOUT ROWID;
CREATE INDEX giftcode_attempts_by_fid ON {ATTEMPTS} (fid, code);

CREATE TABLE {PLAYERS} (
    fid           INTEGER PRIMARY KEY CHECK (fid > 0),
    nickname      TEXT NOT NULL DEFAULT '',
    kid           INTEGER NOT NULL DEFAULT 0,
    furnace_level INTEGER NOT NULL DEFAULT 0,
    updated_ms    INTEGER NOT NULL DEFAULT 0,
    not_before_ms INTEGER NOT NULL DEFAULT 0,
    guilds        INTEGER NOT NULL DEFAULT 0 CHECK (guilds >= 0)
);

CREATE TABLE {GUILD_PLAYERS} (
    guild_id INTEGER NOT NULL,
    fid      INTEGER NOT NULL CHECK (fid > 0),
    added_by INTEGER NOT NULL,
    added_ms INTEGER NOT NULL,
    PRIMARY KEY (guild_id, fid)
) WITHOUT ROWID;
CREATE INDEX giftcode_guild_players_by_fid ON {GUILD_PLAYERS} (fid);

CREATE TABLE {POSTS} (
    guild_id   INTEGER NOT NULL,
    code       TEXT NOT NULL,
    channel_id INTEGER NOT NULL,
    posted_ms  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, code)
) WITHOUT ROWID;

CREATE TABLE {RUNNER} (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    status             TEXT NOT NULL DEFAULT 'running' CHECK (status IN ({_RUNNER_STATUS})),
    consecutive_errors INTEGER NOT NULL DEFAULT 0 CHECK (consecutive_errors >= 0),
    backoffs           INTEGER NOT NULL DEFAULT 0 CHECK (backoffs >= 0),
    until_ms           INTEGER NOT NULL DEFAULT 0,
    stop_reason        TEXT NOT NULL DEFAULT '',
    next_start_ms      INTEGER NOT NULL DEFAULT 0,
    updated_ms         INTEGER NOT NULL DEFAULT 0,
    list_read          INTEGER NOT NULL DEFAULT 0 CHECK (list_read IN (0, 1))
);
"""

MIGRATIONS: Final = (Migration("giftcodes.0001", _V1),)

# --- Rows and Structs --------------------------------------------------------------------------


class RowLike(Protocol):
    """A row read by column name (``sqlite3.Row``, a dict)."""

    def __getitem__(self, key: str, /) -> Any: ...


_ATTEMPT_FIELDS: Final = tuple(f.name for f in msgspec.structs.fields(Attempt))
_CODE_FIELDS: Final = tuple(f.name for f in msgspec.structs.fields(CodeState))
_PLAYER_FIELDS: Final = tuple(f.name for f in msgspec.structs.fields(Player))
_RUNNER_FIELDS: Final = tuple(f.name for f in msgspec.structs.fields(RunnerState))


def _row(struct: msgspec.Struct, fields: Sequence[str], skip: Iterable[str] = ()) -> dict[str, Any]:
    left_out = set(skip)
    values = {}
    for name in fields:
        if name in left_out:
            continue
        value = getattr(struct, name)
        values[name] = int(value) if isinstance(value, bool) else value
    return values


def attempt_of(row: RowLike) -> Attempt:
    values = {name: row[name] for name in _ATTEMPT_FIELDS}
    values["refresh"] = bool(values["refresh"])
    return Attempt(**values)


def code_of(row: RowLike) -> CodeState:
    return CodeState(**{name: row[name] for name in _CODE_FIELDS})


def player_of(row: RowLike) -> Player:
    return Player(**{name: row[name] for name in _PLAYER_FIELDS})


def runner_of(row: RowLike | None) -> RunnerState:
    if row is None:
        return RunnerState()
    return RunnerState(**{name: row[name] for name in _RUNNER_FIELDS})


def state_of(
    codes: Iterable[RowLike],
    attempts: Iterable[RowLike],
    players: Iterable[RowLike],
    runner: RowLike | None,
) -> RedemptionState:
    """The gift-code actor's state from its rows, as stored."""
    loaded_attempts = {}
    for row in attempts:
        attempt = attempt_of(row)
        loaded_attempts[rules.attempt_key(attempt.code, attempt.fid)] = attempt
    return RedemptionState(
        runner=runner_of(runner),
        codes={(c := code_of(row)).code: c for row in codes},
        attempts=loaded_attempts,
        players={(p := player_of(row)).fid: p for row in players},
    )


def changes_of(steps: Sequence[Step], after: RedemptionState) -> list[Change]:
    """The row changes that store ``steps`` (applied in order, ending in ``after``): each row a
    step touched, written once as ``after`` holds it (deleted when ``after`` lacks it).

    Codes, players and the runner are patched (created when new) so that the columns the state
    machine does not hold (where a code came from, a player's guild count, whether the list was
    read) are left as they are."""
    attempts: dict[str, None] = {}
    codes: dict[str, None] = {}
    players: dict[int, None] = {}
    runner = False
    for step in steps:
        attempts.update(dict.fromkeys(step.attempts))
        codes.update(dict.fromkeys(step.codes))
        players.update(dict.fromkeys(step.players))
        runner = runner or step.runner
    out: list[Change] = []
    for code in codes:
        found = after.codes.get(code)
        if found is None:
            out.append(Delete(table=CODES, key=(code,)))
        else:
            out.append(
                Patch(
                    table=CODES,
                    key=(code,),
                    values=_row(found, _CODE_FIELDS, ("code",)),
                    create=True,
                )
            )
    for fid in players:
        player = after.players.get(fid)
        if player is None:
            out.append(Delete(table=PLAYERS, key=(fid,)))
        else:
            values = _row(player, _PLAYER_FIELDS, ("fid",))
            out.append(Patch(table=PLAYERS, key=(fid,), values=values, create=True))
    for key in attempts:
        attempt = after.attempts.get(key)
        code, _, fid_text = key.rpartition("/")
        if attempt is None:
            out.append(Delete(table=ATTEMPTS, key=(code, int(fid_text))))
        else:
            values = _row(attempt, _ATTEMPT_FIELDS, ("code", "fid"))
            out.append(Put(table=ATTEMPTS, key=(attempt.code, attempt.fid), values=values))
    if runner:
        values = _row(after.runner, _RUNNER_FIELDS)
        out.append(Patch(table=RUNNER, key=RUNNER_KEY, values=values, create=True))
    return out


def load_state(conn: sqlite3.Connection) -> RedemptionState:
    """Read the actor's state on any connection (tests, tools)."""
    conn.row_factory = sqlite3.Row
    return state_of(
        conn.execute(f"SELECT * FROM {CODES}").fetchall(),
        conn.execute(f"SELECT * FROM {ATTEMPTS}").fetchall(),
        conn.execute(f"SELECT * FROM {PLAYERS}").fetchall(),
        conn.execute(f"SELECT * FROM {RUNNER} WHERE id = 1").fetchone(),
    )


# --- Audit -------------------------------------------------------------------------------------

CHECK_GUILDS: Final = "giftcodes.player_guilds"


def _player_guilds(
    conn: sqlite3.Connection, guild_id: int | None, user_id: int | None
) -> list[Discrepancy]:
    """A player's ``guilds`` equals the number of servers that registered it."""
    if user_id is not None:
        return []  # a member's audit: players are not members
    scope: str = "1"
    params: tuple[int, ...] = ()
    if guild_id is not None and guild_id != GLOBAL_GUILD:
        scope = f"p.fid IN (SELECT fid FROM {GUILD_PLAYERS} WHERE guild_id = ?)"
        params = (guild_id,)
    found = []
    for fid, stored, counted in conn.execute(
        f"""SELECT p.fid, p.guilds, (SELECT COUNT(*) FROM {GUILD_PLAYERS} g WHERE g.fid = p.fid)
            FROM {PLAYERS} p WHERE {scope}""",
        params,
    ):
        if stored != counted:
            found.append(
                Discrepancy(
                    GLOBAL_GUILD,
                    None,
                    "player_guilds_mismatch",
                    balance=stored,
                    ledger_sum=counted,
                    check=CHECK_GUILDS,
                    key=[fid],
                    detail=f"player {fid}: guilds {stored}, registrations {counted}",
                )
            )
    return found


def _fix_player_guilds(d: Discrepancy) -> list[Change] | None:
    if d.key is None or d.ledger_sum is None:
        return None
    key = (int(d.key[0]),)
    # Compare-and-set: a registration that lands meanwhile makes this fix refuse, not undo it.
    return [
        Expect(
            table=PLAYERS,
            key=key,
            column="guilds",
            value=d.balance,
            refuse="giftcodes.repair_moved_on",
        ),
        Patch(table=PLAYERS, key=key, values={"guilds": d.ledger_sum}),
    ]


CHECKS: Final = (Check(CHECK_GUILDS, _player_guilds, _fix_player_guilds),)
