"""``/invites sync``: Discord's use counts set against the recorded joins, each discrepancy named.

For each invite Discord lists, Vouchy expects ``uses before tracking + recorded joins``: the
uses the invite had when Vouchy first saw it (given by the caller, else the ``uses_before`` of
the earliest recorded join through it, else 0) plus every join attributed to it for certain.
A difference is listed with the ambiguous joins that name the code as a candidate, which
often explain it. Invites no longer listed (used up, expired, deleted) are not compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import msgspec

from vouchy.features.invites.records import CERTAIN_CAUSES, JoinRecord


class Discrepancy(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    discord_uses: int
    expected_uses: int
    uses_before_tracking: int
    recorded_joins: int
    ambiguous_joins: int

    @property
    def difference(self) -> int:
        """Positive: Discord counts uses Vouchy did not attribute to this code."""
        return self.discord_uses - self.expected_uses


class SyncReport(msgspec.Struct, frozen=True, kw_only=True):
    checked: int
    discrepancies: tuple[Discrepancy, ...]


def compare_uses(
    discord_uses: Mapping[str, int],
    joins: Iterable[JoinRecord],
    baseline: Mapping[str, int] | None = None,
) -> SyncReport:
    """Every listed code whose Discord count differs from what the records expect; the
    largest differences first, then by code."""
    recorded: dict[str, int] = {}
    ambiguous: dict[str, int] = {}
    earliest: dict[str, tuple[int, int]] = {}  # code -> (joined_at_ms, uses_before)
    for join in joins:
        if join.cause in CERTAIN_CAUSES and join.code is not None:
            recorded[join.code] = recorded.get(join.code, 0) + 1
            if join.uses_before is not None:
                first = earliest.get(join.code)
                if first is None or join.joined_at_ms < first[0]:
                    earliest[join.code] = (join.joined_at_ms, join.uses_before)
        elif join.cause == "ambiguous":
            for code in set(join.candidates):
                ambiguous[code] = ambiguous.get(code, 0) + 1
    found: list[Discrepancy] = []
    for code, uses in discord_uses.items():
        if baseline is not None and code in baseline:
            before = baseline[code]
        else:
            before = earliest[code][1] if code in earliest else 0
        expected = before + recorded.get(code, 0)
        if uses != expected:
            found.append(
                Discrepancy(
                    code=code,
                    discord_uses=uses,
                    expected_uses=expected,
                    uses_before_tracking=before,
                    recorded_joins=recorded.get(code, 0),
                    ambiguous_joins=ambiguous.get(code, 0),
                )
            )
    found.sort(key=lambda d: (-abs(d.difference), d.code))
    return SyncReport(checked=len(discord_uses), discrepancies=tuple(found))
