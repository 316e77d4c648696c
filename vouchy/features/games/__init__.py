"""Games with bets (coinflip, roulette, slots, dice, rock-paper-scissors, blackjack): fair by
published odds, provable by the player (``docs/fairness.md``), and safe across restarts: a
bet is taken with the game's row, paid once when it ends, and every game in progress is a row
that a click, a timeout or the next start carries on."""

from __future__ import annotations

from vouchy.features.base import Feature
from vouchy.features.games import texts as texts  # every text, registered on import
from vouchy.features.games.checks import CHECKS
from vouchy.features.games.config import GamesSettings
from vouchy.features.games.service import GamesService
from vouchy.features.games.tables import MIGRATIONS

FEATURE = Feature(
    name="games",
    summary="/coinflip, /roulette, /slots, /dice, /rps, /blackjack, /games history|odds, "
    "/fair, fair verify, games rtp",
    migrations=MIGRATIONS,
    checks=CHECKS,
    settings=GamesSettings,
    service=GamesService.create,
    discord="vouchy.features.games.discord",
    cli="vouchy.features.games.cli",
)
