"""Vouches: proof-of-service posts (a screenshot mentioning the provider) that become a
provider's reputation and the voucher's points, with abuse rules, reversal and review."""

from __future__ import annotations

from vouchy.features.base import Feature
from vouchy.features.vouches.service import VouchesService
from vouchy.features.vouches.settings import VouchesSettings
from vouchy.features.vouches.tables import CHECKS, MIGRATIONS

FEATURE = Feature(
    name="vouches",
    summary="vouch channels, /vouches, /admin vouch, the review queue, import vouches-csv",
    migrations=MIGRATIONS,
    checks=CHECKS,
    settings=VouchesSettings,
    service=VouchesService.create,
    discord="vouchy.features.vouches.discord",
    cli="vouchy.features.vouches.cli",
)
