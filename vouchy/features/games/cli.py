"""The games on the command line, without the bot and without the database:

- ``python -m vouchy fair verify --game G --server-seed S --client-seed C --nonce N``: what
  those seeds decided (the HMAC block, the numbers drawn, the outcome), and with ``--bet``
  (and ``--choice``, ``--actions``) the whole game played again with its payout: a revealed
  seed checked against the games it decided;
- ``python -m vouchy games rtp GAME [--rounds N]``: a game's return to player, exact where it
  can be computed, and simulated over N rounds (always for blackjack) with its standard error.

Both use ``config.toml``'s ``[games]`` settings (a guild that changed a game's settings with
``/config games`` says so in ``/games odds``).
"""

from __future__ import annotations

import argparse

import msgspec

from vouchy.cli.common import print_json
from vouchy.core.config import Config
from vouchy.core.errors import InvalidInput
from vouchy.features.games import blackjack, odds, verify
from vouchy.features.games.config import GamesSettings
from vouchy.features.games.results import GAMES, GameResult


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    imports: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    fair = sub.add_parser("fair", help="provably fair games: recompute an outcome from its seeds")
    fair_sub = fair.add_subparsers(dest="fair_command", metavar="COMMAND", required=True)
    v = fair_sub.add_parser(
        "verify", help="what a server seed, a client seed and a nonce decided (docs/fairness.md)"
    )
    v.add_argument("--game", required=True, choices=GAMES)
    v.add_argument("--server-seed", required=True, help="the revealed server seed (64 hex)")
    v.add_argument("--client-seed", required=True)
    v.add_argument("--nonce", required=True, type=int)
    v.add_argument("--bet", type=int, help="play the game again with this bet")
    v.add_argument(
        "--choice",
        default="",
        help="the player's choice: heads|tails, a roulette bet kind:choice (colour:red, "
        "number:17), a dice target, rock|paper|scissors",
    )
    v.add_argument("--actions", default="", help="blackjack: the buttons in order, e.g. hit,stand")
    v.add_argument("--json", action="store_true")
    v.set_defaults(func=fair_verify)

    games = sub.add_parser("games", help="the games: published odds")
    games_sub = games.add_subparsers(dest="games_command", metavar="COMMAND", required=True)
    r = games_sub.add_parser(
        "rtp", help="a game's return to player: exact, and simulated over --rounds N"
    )
    r.add_argument("game", choices=GAMES)
    r.add_argument("--rounds", type=int, default=0, help="simulate this many rounds too")
    r.add_argument("--seed", type=int, default=0, help="the simulation's random seed")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=games_rtp)


def _settings(config: Config) -> GamesSettings:
    found = config.feature("games")
    return found if isinstance(found, GamesSettings) else GamesSettings()


def _replayed(found: GameResult | blackjack.BlackjackHand) -> dict[str, object]:
    if isinstance(found, blackjack.BlackjackHand):
        return {
            "status": "playing",
            "player": [blackjack.card_label(c) for c in found.player],
            "dealer_up": blackjack.card_label(found.dealer[0]),
        }
    return {
        "status": "ended",
        "bet": found.bet,
        "payout": found.payout,
        "outcome": found.outcome,
        "seen": msgspec.to_builtins(found.seen),
    }


def fair_verify(args: argparse.Namespace, config: Config) -> int:
    settings = _settings(config)
    shown = verify.outcome(
        args.game, args.server_seed, args.client_seed, args.nonce, config=settings
    )
    replay: dict[str, object] | None = None
    if args.bet is not None:
        if args.bet < 1:
            raise InvalidInput("games.bet_not_whole", minimum=1, maximum=args.bet)
        actions = tuple(a.strip() for a in args.actions.split(",") if a.strip())
        replay = _replayed(
            verify.replay(
                args.game,
                args.server_seed,
                args.client_seed,
                args.nonce,
                bet=args.bet,
                choice=args.choice,
                actions=actions,
                config=settings,
            )
        )
    if args.json:
        print_json({**msgspec.to_builtins(shown), "replay": replay})
        return 0
    print(f"game: {shown.game}")
    print(f"server seed SHA-256: {shown.server_seed_hash}")
    print(f"client seed: {shown.client_seed}  nonce: {shown.nonce}")
    print(f"HMAC-SHA256 block 0: {shown.block0}")
    print(f"numbers drawn: {' '.join(str(d) for d in shown.draws)} ({shown.words_read} words read)")
    print(f"outcome: {shown.shows}")
    if replay is not None:
        print("replayed: " + ", ".join(f"{k} {v}" for k, v in replay.items()))
    return 0


def games_rtp(args: argparse.Namespace, config: Config) -> int:
    if args.rounds < 0 or (args.rounds and args.rounds < 2):
        raise InvalidInput("games.rtp_rounds")
    found = odds.rtp(args.game, args.rounds, seed=args.seed, config=_settings(config))
    if args.json:
        print_json([msgspec.to_builtins(row) for row in found])
        return 0
    for row in found:
        variant = f" ({row.variant})" if row.variant else ""
        if isinstance(row, odds.ExactReturn):
            print(
                f"{row.game}{variant}: {row.rtp * 100:.4f}% exact "
                f"({row.numerator}/{row.denominator}), sd {row.sd:.4f} per point staked"
            )
        else:
            print(
                f"{row.game}{variant}: {row.rtp * 100:.4f}% simulated over {row.rounds:,} "
                f"rounds, standard error {row.se * 100:.4f}%"
            )
    return 0
