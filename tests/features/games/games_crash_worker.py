"""Run by test_games_durability.py as its own process: members play coinflip and blackjack
without pause, printing ``ACK <game id>`` once each game is answered (settled), until killed."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from support import open_app

from vouchy.core.errors import VouchyError
from vouchy.core.logs import configure_logging
from vouchy.features.games.service import GamesService

GUILD = 111_111_111_111_111_111
ADMIN = 900_000_000_000_000_001
MEMBERS = [300_000_000_000_000_100 + i for i in range(8)]
GAMES = ("coinflip", "roulette", "slots", "dice", "rps", "blackjack")


async def main(data_dir: Path) -> None:
    configure_logging("ERROR")  # stderr; stdout carries READY and the acknowledgements
    app = await open_app(data_dir)
    games = app.service(GamesService)
    values = {g: {"cooldown_s": 0, "min_bet": 10, "max_bet": 5000} for g in GAMES}
    await app.update_settings(GUILD, "games", values, updated_by=ADMIN, reference="setup")
    for user in MEMBERS:
        await app.points.member(GUILD, user).earn(5_000, f"fund:{user}")
    out = sys.stdout
    out.write("READY\n")
    out.flush()

    async def member(w: int) -> None:
        user = MEMBERS[w]
        n = 0
        while True:
            n += 1
            game_id = (w + 1) * 1_000_000 + n
            game = "blackjack" if n % 2 else "coinflip"
            try:
                played = await games.play(
                    GUILD, user, game, 10, "" if game == "blackjack" else "heads",
                    game_id=game_id, reference=f"ix:{game_id}",
                )  # fmt: skip
                while played.game.status == "open":
                    action = "hit" if len(played.game.hand().player) < 3 else "stand"
                    played = await games.act(GUILD, user, game_id, action, played.game.version)
            except VouchyError:
                continue
            out.write(f"ACK {game_id} {played.game.status}\n")
            out.flush()

    await asyncio.gather(*(member(w) for w in range(len(MEMBERS))))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
