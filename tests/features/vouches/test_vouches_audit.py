"""The vouch audit: each provider's count equals their accepted vouch rows. A count broken by
hand is reported by the audit and fixed by repair, from the rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from support.durability import config_for

from vouchy.app import Vouchy
from vouchy.features.vouches.service import VouchesService

GUILD = 900_000_000_000_000_001
SELLER, OTHER, BUYERS = 900_000_000_000_000_010, 900_000_000_000_000_011, (901, 902, 903)


async def vouches_for(app: Vouchy, provider: int, *vouchers: int) -> None:
    service = app.service(VouchesService)
    for n, voucher in enumerate(vouchers):
        await service.add(
            GUILD,
            provider_id=provider,
            provider_is_bot=False,
            voucher_id=voucher,
            interaction_id=provider + voucher + n,
            admin_id=1,
        )


def break_counts(db: Path) -> None:
    """Change the counts behind Vouchy's back (a hand edit of the database)."""
    conn = sqlite3.connect(db)
    try:
        with conn:
            conn.execute("UPDATE vouch_counts SET count = 7 WHERE provider_id = ?", (SELLER,))
            conn.execute("DELETE FROM vouch_counts WHERE provider_id = ?", (OTHER,))
    finally:
        conn.close()


async def test_a_broken_vouch_count_is_reported_by_the_audit_and_repaired_from_the_rows(
    tmp_path: Path,
) -> None:
    config = config_for(tmp_path)
    async with Vouchy(config) as app:
        await vouches_for(app, SELLER, *BUYERS)
        await vouches_for(app, OTHER, BUYERS[0])
        assert (await app.audit()).clean
    break_counts(config.db_path)
    async with Vouchy(config) as app:
        found = [d for d in (await app.audit(GUILD)).discrepancies if d.check == "vouch_counts"]
        assert sorted((d.user_id, d.balance, d.ledger_sum, d.detail) for d in found) == [
            (SELLER, 7, 3, "count 7, 3 accepted vouches"),
            (OTHER, None, 1, "count missing, 1 accepted vouches"),
        ]
        provider_only = await app.audit(GUILD, OTHER)
        assert [d.user_id for d in provider_only.discrepancies] == [OTHER]
        repaired = await app.repair(GUILD, acting_user_id=5)
        assert len(repaired) == 2
        assert (await app.audit()).clean
        service = app.service(VouchesService)
        assert await service.count(GUILD, SELLER) == 3 and await service.count(GUILD, OTHER) == 1
        # The repair was a change like any other: the next vouch counts on from there.
        await vouches_for(app, SELLER, 904)
        assert await service.count(GUILD, SELLER) == 4 and (await app.audit()).clean
