"""What admins read about gift codes, as lines of text in their language: ``/giftcode status``,
``/giftcode codes``, ``/giftcode players list``, the signing-error alert, a stopped code, a new
code's announcement. Pure: Structs in, strings out; the Discord layer only sends them.
"""

from __future__ import annotations

from collections.abc import Iterable

from vouchy.core import i18n
from vouchy.features.giftcodes.rules import CodeState, CodeSummary, Player, RunnerState


def _ts(ms: int) -> str:
    # A Discord timestamp takes whole seconds, written without grouping.
    return str(ms // 1000)


def reason(reason: str, locale: str) -> str:
    """A reason in words; a reason this version does not know is shown as it is."""
    key = f"giftcodes.reason.{reason}"
    return i18n.text(key, locale) if i18n.has(key) else reason


def runner_line(runner: RunnerState, locale: str) -> str:
    if runner.status == "backing_off":
        return i18n.text("giftcodes.status.backing_off", locale, until=_ts(runner.until_ms))
    if runner.status == "stopped":
        return i18n.text(
            "giftcodes.status.stopped", locale, reason=reason(runner.stop_reason, locale)
        )
    state = i18n.text(f"giftcodes.runner.{runner.status}", locale)
    return i18n.text("giftcodes.status.runner", locale, state=state)


def status_lines(runner: RunnerState, summaries: Iterable[CodeSummary], locale: str) -> list[str]:
    """``/giftcode status [code]``: the runner, then per code its counts and failure reasons."""
    lines = [runner_line(runner, locale)]
    count = 0
    for s in summaries:
        count += 1
        if s.status == "stopped":
            lines.append(
                i18n.text(
                    "giftcodes.status.code_stopped",
                    locale,
                    code=s.code,
                    reason=reason(s.stop_reason, locale),
                )
            )
            continue
        lines.append(
            i18n.text(
                "giftcodes.status.code",
                locale,
                code=s.code,
                state=i18n.text(f"giftcodes.code.{s.status}", locale),
                redeemed=s.redeemed,
                already=s.already,
                waiting=s.waiting + s.pending + s.redeeming,
                failed=sum(s.failed.values()),
            )
        )
        for why, n in sorted(s.failed.items(), key=lambda item: (-item[1], item[0])):
            lines.append(
                "- "
                + i18n.text(
                    "giftcodes.status.failed_reason", locale, count=n, reason=reason(why, locale)
                )
            )
        if s.claim_limit_hits:
            lines.append(
                "- " + i18n.text("giftcodes.status.claim_limit", locale, count=s.claim_limit_hits)
            )
    if count == 0:
        lines.append(i18n.text("giftcodes.status.empty", locale))
    return lines


def codes_lines(codes: Iterable[CodeState], locale: str) -> list[str]:
    """``/giftcode codes``: newest first, with state and source."""
    ordered = sorted(codes, key=lambda c: (-c.first_seen_ms, c.code))
    if not ordered:
        return [i18n.text("giftcodes.codes.empty", locale)]
    return [
        i18n.text(
            "giftcodes.codes.line",
            locale,
            code=c.code,
            state=(
                reason(c.stop_reason, locale)
                if c.status == "stopped"
                else i18n.text(f"giftcodes.code.{c.status}", locale)
            ),
            seen=_ts(c.first_seen_ms),
            source=i18n.text(f"giftcodes.source.{c.source}", locale),
        )
        for c in ordered
    ]


def players_lines(players: Iterable[Player], locale: str) -> list[str]:
    """``/giftcode players list``: a header, then one line per player by name."""
    ordered = sorted(players, key=lambda p: (p.nickname.casefold(), p.fid))
    if not ordered:
        return [i18n.text("giftcodes.players.empty", locale)]
    lines = [i18n.text("giftcodes.players.header", locale, count=len(ordered))]
    lines += [
        i18n.text(
            "giftcodes.players.line",
            locale,
            nickname=p.nickname,
            fid=str(p.fid),
            kid=str(p.kid),
            level=p.furnace_level,
        )
        for p in ordered
    ]
    return lines


def sign_error_alert(locale: str) -> str:
    return i18n.text("giftcodes.alert.sign_error", locale)


def code_stopped_alert(code: str, why: str, locale: str) -> str:
    return i18n.text("giftcodes.alert.code_stopped", locale, code=code, reason=reason(why, locale))


def announcement(code: str, date: str | None, players: int, locale: str) -> str:
    """A new code's post in a guild's channel; ``players``: how many it is redeemed for."""
    if date:
        head = i18n.text("giftcodes.announce.new_code_dated", locale, code=code, date=date)
    else:
        head = i18n.text("giftcodes.announce.new_code", locale, code=code)
    if players <= 0:
        return head
    return head + "\n" + i18n.text("giftcodes.announce.auto_redeem", locale, count=players)
