"""Run by test_crash.py: applies operations under load and prints ``ACK ref user delta`` for
each one only after its receipt arrives (after COMMIT), until it is killed."""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path

from support import GUILD, open_app
from vouchy.core.errors import VouchyError
from vouchy.core.logs import configure_logging

USERS = [3000 + i for i in range(40)]


async def main(data_dir: Path, seed: int) -> None:
    configure_logging("ERROR")  # logs to stderr; stdout carries only acknowledgements
    app = await open_app(data_dir)
    rng = random.Random(seed)
    out = sys.stdout

    async def member(w: int) -> None:
        n = 0
        while True:
            n += 1
            user = USERS[w % len(USERS)]
            ref = f"k{seed}-{w}-{n}"
            actor = app.points.member(GUILD, user)
            roll = rng.random()
            try:
                if roll < 0.5:
                    r = await actor.earn(rng.randint(1, 50), ref)
                elif roll < 0.8:
                    r = await actor.spend(rng.randint(1, 60), ref)
                else:
                    r = await actor.transfer(
                        USERS[(w + 1 + rng.randrange(5)) % len(USERS)], rng.randint(1, 30), ref
                    )
            except VouchyError:
                continue
            out.write(f"ACK {ref} {r.user_id} {r.delta} {r.to_user_id or 0}\n")
            out.flush()

    await asyncio.gather(*(member(w) for w in range(80)))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2])))
