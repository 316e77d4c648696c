"""The games' audit checks: each derived counter against the games' rows, and the money of every
game against the ledger.

- ``games.players``: a member's counters for a game (played, won, staked, paid back) equal
  those of their settled games; fix: the counters set from them.
- ``games.daily``: a member's net for a game and a day equals the stakes minus the payouts of
  the games they started that day; fix: that net.
- ``games.seeds``: a member's next nonce is past every nonce their games used with the current
  server seed (never behind: a nonce used twice would repeat an outcome); fix: the nonce after
  the last one used. A nonce ahead of the games (a game's row missing) is reported, not fixed.
- ``games.money``: every game's stakes are its ``game_bet`` ledger rows, every settled game's
  payout its ``game_win`` (or ``game_refund``) rows, at most one per member, and no game ledger
  row belongs to no game (no fix: the ledger is what happened; a person decides).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from vouchy.store.audit import Check, Discrepancy
from vouchy.store.operations import Change, Patch

PLAYED = "('win', 'lose', 'push')"


def _scope(
    guild_id: int | None, user_id: int | None, alias: str, user_column: str = "user_id"
) -> tuple[str, tuple[int, ...]]:
    clauses, params = [], []
    if guild_id is not None:
        clauses.append(f"{alias}.guild_id = ?")
        params.append(guild_id)
    if user_id is not None:
        clauses.append(f"{alias}.{user_column} = ?")
        params.append(user_id)
    return (" AND ".join(clauses) or "1"), tuple(params)


def _players(
    conn: sqlite3.Connection, guild_id: int | None, user_id: int | None
) -> list[Discrepancy]:
    mine, mine_p = _scope(guild_id, user_id, "g")
    theirs, theirs_p = _scope(guild_id, user_id, "g", "opponent_id")
    where, where_p = _scope(guild_id, user_id, "p")
    sums = f"""
        SELECT guild_id, user_id, game, SUM(w) AS won, COUNT(*) AS played, SUM(s) AS staked,
               SUM(p) AS paid
        FROM (SELECT g.guild_id, g.user_id, g.game, g.payout > g.bet AS w, g.bet AS s,
                     g.payout AS p
              FROM games g WHERE {mine} AND g.status = 'settled' AND g.outcome IN {PLAYED}
              UNION ALL
              SELECT g.guild_id, g.opponent_id, g.game, g.opponent_payout > g.opponent_bet,
                     g.opponent_bet, g.opponent_payout
              FROM games g WHERE {theirs} AND g.opponent_id IS NOT NULL
                AND g.status = 'settled' AND g.outcome IN {PLAYED})
        GROUP BY guild_id, user_id, game"""
    found = []
    rows = conn.execute(
        f"""SELECT p.guild_id, p.user_id, p.game, p.played, p.won, p.staked, p.paid,
                   COALESCE(s.played, 0), COALESCE(s.won, 0), COALESCE(s.staked, 0),
                   COALESCE(s.paid, 0)
            FROM games_players p LEFT JOIN ({sums}) s
              ON s.guild_id = p.guild_id AND s.user_id = p.user_id AND s.game = p.game
            WHERE {where}""",
        mine_p + theirs_p + where_p,
    ).fetchall()
    known = set()
    for g, u, game, *values in rows:
        known.add((g, u, game))
        stored, expected = values[:4], values[4:]
        if stored != expected:
            found.append(_counters(g, u, game, stored, expected))
    for g, u, game, won, played, staked, paid in conn.execute(sums, mine_p + theirs_p):
        if (g, u, game) not in known:
            found.append(_counters(g, u, game, [0, 0, 0, 0], [played, won, staked, paid]))
    return found


def _counters(
    g: int, u: int, game: str, stored: Sequence[int], expected: Sequence[int]
) -> Discrepancy:
    names = ("played", "won", "staked", "paid")
    detail = ", ".join(
        f"{n} {a} != {b}" for n, a, b in zip(names, stored, expected, strict=True) if a != b
    )
    return Discrepancy(
        g,
        u,
        "counters_mismatch",
        stored[0],
        expected[0],
        "games.players",
        [g, u, game, *expected],
        detail,
    )


def _fix_players(d: Discrepancy) -> Sequence[Change] | None:
    if d.key is None or len(d.key) != 7:
        return None
    g, u, game, played, won, staked, paid = d.key
    values = {"played": played, "won": won, "staked": staked, "paid": paid}
    return (Patch(table="games_players", key=(g, u, game), values=values, create=True),)


def _daily(
    conn: sqlite3.Connection, guild_id: int | None, user_id: int | None
) -> list[Discrepancy]:
    mine, mine_p = _scope(guild_id, user_id, "g")
    theirs, theirs_p = _scope(guild_id, user_id, "g", "opponent_id")
    where, where_p = _scope(guild_id, user_id, "d")
    sums = f"""
        SELECT guild_id, user_id, game, day, SUM(net) AS net
        FROM (SELECT g.guild_id, g.user_id, g.game, g.day,
                     g.bet - CASE WHEN g.status = 'settled' THEN g.payout ELSE 0 END AS net
              FROM games g WHERE {mine}
              UNION ALL
              SELECT g.guild_id, g.opponent_id, g.game, g.day, g.opponent_bet
                     - CASE WHEN g.status = 'settled' THEN g.opponent_payout ELSE 0 END
              FROM games g WHERE {theirs} AND g.opponent_id IS NOT NULL AND g.opponent_bet > 0)
        GROUP BY guild_id, user_id, game, day"""
    found = []
    known = set()
    for g, u, game, day, net, expected in conn.execute(
        f"""SELECT d.guild_id, d.user_id, d.game, d.day, d.net, COALESCE(s.net, 0)
            FROM games_daily d LEFT JOIN ({sums}) s ON s.guild_id = d.guild_id
              AND s.user_id = d.user_id AND s.game = d.game AND s.day = d.day
            WHERE {where}""",
        mine_p + theirs_p + where_p,
    ):
        known.add((g, u, game, day))
        if net != expected:
            found.append(
                Discrepancy(g, u, "daily_mismatch", net, expected, "games.daily", [g, u, game, day])
            )
    for g, u, game, day, expected in conn.execute(sums, mine_p + theirs_p):
        if (g, u, game, day) not in known and expected != 0:
            found.append(
                Discrepancy(g, u, "daily_missing", None, expected, "games.daily", [g, u, game, day])
            )
    return found


def _fix_daily(d: Discrepancy) -> Sequence[Change] | None:
    if d.key is None or d.ledger_sum is None:
        return None
    g, u, game, day = d.key
    return (
        Patch(
            table="games_daily", key=(g, u, game, day), values={"net": d.ledger_sum}, create=True
        ),
    )


def _seeds(
    conn: sqlite3.Connection, guild_id: int | None, user_id: int | None
) -> list[Discrepancy]:
    where, params = _scope(guild_id, user_id, "s")
    used, used_params = _scope(guild_id, user_id, "g")
    found = []
    for g, u, nonce, last in conn.execute(
        f"""SELECT s.guild_id, s.user_id, s.nonce, m.last
            FROM games_seeds s LEFT JOIN (
                SELECT g.guild_id, g.user_id, g.server_seed_hash, MAX(g.nonce) AS last
                FROM games g WHERE {used} AND g.nonce IS NOT NULL
                GROUP BY g.guild_id, g.user_id, g.server_seed_hash) m
              ON m.guild_id = s.guild_id AND m.user_id = s.user_id
             AND m.server_seed_hash = s.server_seed_hash
            WHERE {where}""",
        used_params + params,
    ):
        expected = 0 if last is None else last + 1
        if nonce < expected:
            found.append(Discrepancy(g, u, "nonce_behind", nonce, expected, "games.seeds", [g, u]))
        elif nonce > expected:
            found.append(
                Discrepancy(
                    g,
                    u,
                    "nonce_ahead",
                    nonce,
                    expected,
                    "games.seeds",
                    [g, u],
                    "games of this seed are missing",
                )
            )
    return found


def _fix_seeds(d: Discrepancy) -> Sequence[Change] | None:
    if d.problem != "nonce_behind" or d.key is None or d.ledger_sum is None:
        return None  # a nonce is never moved back: that could use one twice
    g, u = d.key
    return (Patch(table="games_seeds", key=(g, u), values={"nonce": d.ledger_sum}),)


def _game_of_reference(reference: str) -> int | None:
    """The game a step's reference names (``games:<id>:<step>``)."""
    if not reference.startswith("games:"):
        return None
    number = reference.split(":")[1]
    return int(number) if number.isdigit() else None


def _money(
    conn: sqlite3.Connection, guild_id: int | None, user_id: int | None
) -> list[Discrepancy]:
    """Every game's stakes and payout in the ledger, and no game row of the ledger astray."""
    gw, gp = _scope(guild_id, None, "g")
    games: dict[tuple[int, int], Any] = {}
    by_bet: dict[tuple[int, str], int] = {}
    for row in conn.execute(
        f"""SELECT g.guild_id, g.game_id, g.user_id, g.opponent_id, g.status, g.outcome, g.bet,
                   g.payout, g.opponent_bet, g.opponent_payout, g.bet_ref, g.settle_ref
            FROM games g WHERE {gw}""",
        gp,
    ):
        games[(row[0], row[1])] = row
        by_bet[(row[0], row[10])] = row[1]
    lw, lp = _scope(guild_id, user_id, "l")
    # (guild, game, user) -> [staked, paid back, payout rows]
    money: dict[tuple[int, int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    found = []
    for g, u, kind, reference, total, count in conn.execute(
        f"""SELECT l.guild_id, l.user_id, l.kind, l.reference, SUM(l.delta), COUNT(*)
            FROM ledger l WHERE {lw} AND l.kind IN ('game_bet', 'game_win', 'game_refund')
            GROUP BY l.guild_id, l.user_id, l.kind, l.reference""",
        lp,
    ):
        game_id = by_bet.get((g, reference)) or _game_of_reference(reference)
        if game_id is None or (g, game_id) not in games:
            found.append(
                Discrepancy(g, u, "orphan_game_row", None, total, "games.money", None, reference)
            )
            continue
        entry = money[(g, game_id, u)]
        if kind == "game_bet":
            entry[0] -= total
        else:
            entry[1] += total
            entry[2] += count
    for (g, game_id), row in games.items():
        _, _, player, opponent, status, outcome, bet, payout, their_bet, their_payout = row[:10]
        settled = status == "settled"
        played = outcome in ("win", "lose", "push")
        expect = [(player, bet, payout if settled else 0)]
        if opponent is not None:
            expect.append((opponent, their_bet, their_payout if settled and played else 0))
        for u, staked, paid in expect:
            if user_id is not None and u != user_id:
                continue
            have = money.get((g, game_id, u), [0, 0, 0])
            if have[0] != staked:
                found.append(
                    Discrepancy(
                        g, u, "stake_mismatch", have[0], staked, "games.money", [g, game_id]
                    )
                )
            if have[1] != paid or have[2] > 1:
                found.append(
                    Discrepancy(
                        g,
                        u,
                        "payout_mismatch",
                        have[1],
                        paid,
                        "games.money",
                        [g, game_id],
                        f"{have[2]} payout rows",
                    )
                )
    return found


CHECKS = (
    Check("games.players", _players, _fix_players),
    Check("games.daily", _daily, _fix_daily),
    Check("games.seeds", _seeds, _fix_seeds),
    Check("games.money", _money),
)
