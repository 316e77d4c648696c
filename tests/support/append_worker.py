"""Run by tests/store/test_torn_batches.py: one batch whose journal append is slowed down (the
record is written in small pieces), so that a SIGKILL lands inside it.

Modes: ``first`` (the first batch after a start: transfers between members who already have
accounts), ``large`` (2,000 operations at once), ``import`` (a bulk import of 20,000 members).
It prints ``BATCH <refs...>`` with the references of the batch it is about to submit,
``APPENDING`` when the journal starts writing it, and ``ACK <ref>`` for each acknowledged one.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from support import GUILD, make_config
from vouchy.app import Vouchy
from vouchy.core.logs import configure_logging
from vouchy.store import bulk
from vouchy.store.durability import journal as journal_module

USERS = [7000 + i for i in range(2_000)]


def slow_writes() -> None:
    """The journal's record written in 64 pieces, a moment apart: a long window to die in."""
    real = journal_module._write_all

    def slow(fd: int, data: bytes) -> None:
        print("APPENDING", flush=True)
        step = max(1, len(data) // 64)
        for start in range(0, len(data), step):
            real(fd, data[start : start + step])
            time.sleep(0.002)

    journal_module._write_all = slow


async def main(data_dir: Path, mode: str, round_: int) -> None:
    configure_logging("ERROR")
    app = await Vouchy(make_config(data_dir)).start()
    out = sys.stdout
    if not (data_dir / "seeded").exists():  # every member has an account before the crashes
        await asyncio.gather(*(app.points.member(GUILD, u).earn(1000, f"seed-{u}") for u in USERS))
        (data_dir / "seeded").write_text("yes")
        await app.close()
        app = await Vouchy(make_config(data_dir)).start()
    slow_writes()
    if mode == "import":
        refs = [f"import:r{round_:04d}:{10**9 + i}" for i in range(20_000)]
        out.write("BATCH " + " ".join(refs[:3]) + f" ...{len(refs)}\n")
        out.flush()
        await bulk.import_balances(
            app.writer, GUILD, f"r{round_:04d}", [(10**9 + i, 1 + i % 7) for i in range(20_000)]
        )
        out.write("ACK import\n")
    else:
        # One operation per member, all told at once: they reach the writer together, as
        # one batch (a member's second operation would wait for its first).
        count = 40 if mode == "first" else 2_000
        refs = [f"{mode}-{round_}-{n}" for n in range(count)]
        out.write("BATCH " + " ".join(refs) + "\n")
        out.flush()
        futures = [
            app.points.member(GUILD, USERS[n]).transfer(USERS[(n + 1) % count], 1 + n % 5, ref)
            for n, ref in enumerate(refs)
        ]
        for ref, result in zip(
            refs, await asyncio.gather(*futures, return_exceptions=True), strict=True
        ):
            if not isinstance(result, BaseException):
                out.write(f"ACK {ref}\n")
    out.flush()
    os._exit(0)  # never a clean close: the test kills us, or we leave as a crash would


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])))
