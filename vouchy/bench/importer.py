"""``bench import``: moving a 100k-member points.json in, from reading the file to COMMIT
(``synchronous=FULL``), then the same file again (which must change nothing).
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

from vouchy.app import Vouchy, load_config
from vouchy.ops import importer
from vouchy.store import bulk

GUILD = 1000


def make_points_json(path: Path, members: int, seed: int = 5) -> int:
    """A file as the older Vouchy bot kept it: half plain numbers, half ``{"points": N}``."""
    rng = random.Random(seed)
    document: dict[str, object] = {}
    for i in range(members):
        points = rng.randint(0, 50_000)
        user = str(10**17 + i * 7919)
        document[user] = points if i % 2 else {"points": points, "username": f"member{i}"}
    path.write_text(json.dumps(document))
    return path.stat().st_size


async def run(quick: bool, workdir: Path) -> dict:
    members = 20_000 if quick else 100_000
    source = workdir / "points.json"
    size = make_points_json(source, members)
    config = load_config(
        env={"VOUCHY_DATA_DIR": str(workdir / "data"), "VOUCHY_DATA_SYNCHRONOUS": "FULL"}
    )
    result: dict = {"members": members, "file_mb": round(size / 1e6, 1), "synchronous": "FULL"}
    async with Vouchy(config) as app:
        started = time.perf_counter()
        loaded = importer.load("points-json", source)
        parsed = time.perf_counter()
        balances = [(b.user_id, b.points) for b in loaded.balances]
        first = await bulk.import_balances(app.writer, GUILD, loaded.reference_tag, balances)
        done = time.perf_counter()
        again = await bulk.import_balances(
            app.writer, GUILD, importer.load("points-json", source).reference_tag, balances
        )
        repeated = time.perf_counter()
        # The writer goes on from the imported rows: one ordinary operation after the import.
        receipt = await app.points.member(GUILD, balances[0][0]).earn(1, "bench-after-import")
        report = await app.audit()
    result.update(
        {
            "import_rows_per_s": round(members / (done - started)),
            "parse_s": round(parsed - started, 3),
            "write_s": round(done - parsed, 3),
            "ledger_rows": first.ledger_rows,
            "repeat_s": round(repeated - done, 3),
            "repeat_ledger_rows": again.ledger_rows,
            "repeat_already_imported": again.already_imported,
            "op_after_import_ledger_id": receipt.ledger_id,
            "audit_clean": report.clean,
            "accounts": report.accounts,
        }
    )
    return result
