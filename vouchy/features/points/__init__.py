"""Points: balances kept as a projection of the append-only ledger; earning, spending, gifts
between members, the daily reward, admin changes, history and the leaderboard."""

from __future__ import annotations

from vouchy.features.base import Feature
from vouchy.features.points.rules import PointsSettings
from vouchy.features.points.service import PointsService

FEATURE = Feature(
    name="points",
    summary="balances, /give, /daily, /history, /leaderboard, admin changes",
    settings=PointsSettings,
    service=PointsService.create,
    discord="vouchy.features.points.discord",
)
