"""A real SIGKILL of the process in the middle of a redemption run, then a restart: the run
finishes, each (code, player) is redeemed successfully at most once (counted by the fake
publisher), and no pair whose success was stored before the kill is ever requested again."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from features.giftcodes.giftcodes_support import (
    FAST,
    SECRET,
    outcomes,
    publisher,
    until,
)
from support.bot import REPO

from vouchy.features.giftcodes.fake_provider import FakeCode, FakeProvider

WORKER = Path(__file__).with_name("giftcodes_crash_worker.py")
FIDS = tuple(range(401, 421))
CODES = ("ALPHA", "BETA", "GAMMA")
SETTINGS = {**FAST, "giftcodes_requests_per_second": "30", "giftcodes_timeout_s": "2"}


def worker_env(data_dir: Path, fake: FakeProvider) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VOUCHY_", "GIFTCODE_"))}
    env.update(
        PYTHONPATH=str(REPO),
        GIFTCODE_SECRET=SECRET,
        VOUCHY_DATA_DIR=str(data_dir),
        VOUCHY_SNAPSHOTS_DIR=str(data_dir / "snapshots"),
        VOUCHY_GIFTCODES_BASE_URL=fake.base_url,
    )
    env.update({f"VOUCHY_{k.upper()}": v for k, v in SETTINGS.items()})
    return env


async def start_worker(
    data_dir: Path, fake: FakeProvider, log: Path, *args: str
) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(WORKER),
        *(args or ("run",)),
        env=worker_env(data_dir, fake),
        stdout=asyncio.subprocess.PIPE,
        stderr=log.open("ab"),
    )
    if args:
        assert await asyncio.wait_for(proc.wait(), 60) == 0, log.read_text()[-2000:]
        return proc
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 30)
    assert line.strip() == b"READY", log.read_text()[-2000:]
    return proc


def open_pairs(db: Path) -> int:
    return sum(1 for label in outcomes(db).values() if not label.startswith(("done", "failed")))


async def test_a_sigkill_mid_run_then_a_restart_redeems_each_pair_successfully_at_most_once(
    tmp_path: Path,
) -> None:
    db = tmp_path / "vouchy.db"
    log = tmp_path / "worker.log"
    codes = [FakeCode(code=c) for c in CODES]
    async with publisher(*FIDS, codes=codes, answer_delay_s=0.03) as fake:
        # Set up: a server with auto-redeem, its players, three listed codes, nothing
        # redeemed yet.
        fids = ",".join(str(f) for f in FIDS)
        await start_worker(tmp_path, fake, log, "setup", fids, ",".join(CODES))
        assert open_pairs(db) == len(FIDS) * len(CODES)

        proc = await start_worker(tmp_path, fake, log)
        try:
            await until(
                lambda: sum(fake.counters.successes.values()) >= 15 and fake.counters.in_flight > 0,
                timeout=30,
            )
            proc.send_signal(signal.SIGKILL)
            assert await asyncio.wait_for(proc.wait(), 10) == -signal.SIGKILL
        finally:
            if proc.returncode is None:
                proc.kill()
        at_kill = outcomes(db)
        in_flight = [pair for pair, label in at_kill.items() if label.startswith("redeeming")]
        assert in_flight, "the kill must land with requests in flight"
        stored_done = {pair for pair, label in at_kill.items() if label.startswith("done")}
        requests_at_kill = dict(fake.counters.pair_requests)
        assert 0 < len(stored_done) < len(at_kill)

        proc = await start_worker(tmp_path, fake, log)
        try:
            await until(lambda: open_pairs(db) == 0, timeout=60)
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(proc.wait(), 30) == 0, log.read_text()[-2000:]
        finally:
            if proc.returncode is None:
                proc.kill()

    final = outcomes(db)
    assert len(final) == len(FIDS) * len(CODES)
    assert set(final.values()) <= {"done:success", "done:received"}
    # At most one success per (code, player), as the publisher counted them; every pair got one.
    assert max(fake.counters.successes.values()) == 1
    assert set(fake.counters.successes) == set(final)
    # A pair whose success was stored before the kill was never asked for again.
    for pair in stored_done:
        assert fake.counters.pair_requests[pair] == requests_at_kill[pair]
    # The ones in flight were asked again; if their first request went through, the answer
    # was RECEIVED (recorded as done, never as a second success).
    received = {pair for pair, label in final.items() if label == "done:received"}
    assert received <= set(in_flight)
    errors = [line for line in log.read_text().splitlines() if '"error"' in line]
    assert errors == []
