"""Gift-code redemption rules: the publisher's answers classified, and the state machine that
decides, for every (code, player), what to try next and what an answer changes.

Pure: plain values and msgspec Structs in, new Structs out; no clock, no network, no store.
Promises kept here: a success is final and never overwritten; a code that the publisher calls
expired or invalid is stopped for every player at once; temporary answers are retried at most
``Policy.temporary_max_tries`` times and unknown ones ``Policy.unknown_max_tries`` times, with a
growing, jittered back-off that never undercuts a Retry-After; a signing error stops everything.
Each change returns a ``Step`` naming the rows it touched and the events to journal.
"""

from __future__ import annotations

import email.utils
import math
import random
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal, NamedTuple

import msgspec

from vouchy.core.errors import ConfigError, Refused

# --- The publisher's answers -------------------------------------------------------------------

Kind = Literal[
    "success",  # redeemed now (or, for a lookup or a captcha, the call worked)
    "already",  # the player already had it (or a gift of the same kind): also final and good
    "code_permanent",  # the code itself is dead (expired, not found): stop it for every player
    "claim_limit",  # the code's claim limit is reached: recorded per code, not "invalid"
    "player_permanent",  # this player can never have it (level, spending, VIP, no such player)
    "refresh_player",  # the player's state id moved: look the player up again, then retry
    "temporary",  # try again later (rate limits, timeouts, HTTP 429/5xx, HTML pages, captcha)
    "config_error",  # our signing is wrong: retrying cannot help; stop and alert
    "unknown",  # an answer nobody has catalogued: a few retries, then give up and report
]

FINAL_GOOD: Final = frozenset({"success", "already"})
# Answers that prove the provider understood us: they end a run of consecutive errors.
_GOOD_OR_DEFINITE: Final = frozenset(
    {"success", "already", "code_permanent", "claim_limit", "player_permanent"}
)


class Row(NamedTuple):
    """One line of the publisher's answer table."""

    msg: str
    err_code: int
    kind: Kind
    reason: str


# The table from the notes (``shared/notes/gift-codes.md``), one row per known answer. ``msg`` is
# compared after ``normalize_msg`` (upper case, trailing dot and extra spaces dropped).
TABLE: Final[tuple[Row, ...]] = (
    Row("SUCCESS", 20000, "success", "success"),
    Row("RECEIVED", 40008, "already", "received"),
    Row("SAME TYPE EXCHANGE", 40011, "already", "same_type"),
    Row("TIME ERROR", 40007, "code_permanent", "expired"),
    Row("CDK NOT FOUND", 40014, "code_permanent", "invalid_code"),
    Row("USED", 40005, "claim_limit", "claim_limit"),
    Row("STOVE_LV ERROR", 40006, "player_permanent", "level_too_low"),
    Row("RECHARGE_MONEY ERROR", 40017, "player_permanent", "spending_required"),
    Row("RECHARGE_MONEY_VIP ERROR", 40018, "player_permanent", "vip_required"),
    Row("ROLE NOT EXIST", 40001, "player_permanent", "no_such_player"),
    Row("USER INFO ERROR", 40020, "refresh_player", "player_moved"),
    Row("TIMEOUT RETRY", 40004, "temporary", "timeout_retry"),
    Row("TOO FREQUENT", 40019, "temporary", "too_frequent"),
    Row("NOT LOGIN", 40002, "temporary", "not_login"),
    Row("SIGN ERROR", 40000, "config_error", "sign_error"),
)
_BY_CODE: Final = {row.err_code: row for row in TABLE}
# Messages are also known without their " ERROR" tail (logs quote "RECHARGE_MONEY_VIP").
_BY_MSG: Final = {row.msg.removesuffix(" ERROR"): row for row in TABLE} | {
    row.msg: row for row in TABLE
}
CAPTCHA_ERR_CODES: Final = range(40100, 40104)

# Reasons that come from the transport rather than from the table.
TRANSPORT_REASONS: Final[dict[str, Kind]] = {
    "captcha": "temporary",  # CAPTCHA ... (40100-40103): wrong or too frequent captcha
    "captcha_unsure": "temporary",  # our solver was never confident enough to send an answer
    "rate_limited": "temporary",  # HTTP 429
    "server_error": "temporary",  # HTTP 5xx
    "html_page": "temporary",  # an HTML page instead of JSON (a proxy or maintenance page)
    "network": "temporary",  # connection refused, reset, DNS
    "timeout": "temporary",  # no answer within the client's timeout
    "unknown": "unknown",  # a well-formed answer that no row names
    "garbage": "unknown",  # a body that is not the publisher's JSON
    "http_status": "unknown",  # an HTTP status that is neither 2xx, 429 nor 5xx
}

# Every reason an attempt can end or wait with, plus ``gave_up`` (retry limit reached).
REASONS: Final = tuple(row.reason for row in TABLE) + tuple(TRANSPORT_REASONS) + ("gave_up",)
# Reasons that make more waiting sensible than the usual back-off (the notes: "wait longer").
_SLOW_REASONS: Final = frozenset({"too_frequent", "captcha", "captcha_unsure"})
# Failed attempts that a new ``/giftcode redeem`` may try again (not the code's own death).
RETRYABLE_FAILURES: Final = frozenset(
    {"level_too_low", "spending_required", "vip_required", "gave_up", "claim_limit"}
)

MAX_RETRY_AFTER_MS: Final = 6 * 3600 * 1000
MAX_MSG_CHARS: Final = 200


class PlayerInfo(msgspec.Struct, frozen=True, kw_only=True):
    """What the publisher's player lookup says about a player id."""

    fid: int
    nickname: str
    kid: int  # the state (server) the player is in
    furnace_level: int


class Answer(msgspec.Struct, frozen=True, kw_only=True):
    """One classified answer of the publisher (or of the network in front of it)."""

    kind: Kind
    reason: str
    msg: str = ""  # the provider's own words, trimmed, for the admin's report
    err_code: int | None = None
    http_status: int | None = None
    retry_after_ms: int | None = None
    player: PlayerInfo | None = None


class Reply(msgspec.Struct, kw_only=True):
    """The publisher's JSON envelope: ``{code, msg, err_code, data}``."""

    code: int | str | None = None
    msg: str = ""
    err_code: int | str | None = None
    data: Any = None


def normalize_msg(msg: str) -> str:
    """``"Sign Error."`` -> ``"SIGN ERROR"``: the table compares messages this way."""
    return " ".join(str(msg).strip().rstrip(".").split()).upper()


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def classify(msg: str, err_code: int | str | None = None) -> tuple[Kind, str]:
    """The class and reason of one publisher answer; ``err_code`` first, then ``msg``."""
    code = _as_int(err_code)
    if code is not None and code in _BY_CODE:
        row = _BY_CODE[code]
        return row.kind, row.reason
    text = normalize_msg(msg)
    if text in _BY_MSG:
        row = _BY_MSG[text]
        return row.kind, row.reason
    if (code is not None and code in CAPTCHA_ERR_CODES) or text.startswith("CAPTCHA"):
        return "temporary", "captcha"
    # Some endpoints end a rate-limit message differently ("CAPTCHA GET TOO FREQUENT" above).
    if text.endswith("TOO FREQUENT"):
        return "temporary", "too_frequent"
    return "unknown", "unknown"


def transport_answer(
    reason: str, *, http_status: int | None = None, retry_after_ms: int | None = None, msg: str = ""
) -> Answer:
    """An answer that did not come from the table (network, HTTP status, garbage, captcha)."""
    return Answer(
        kind=TRANSPORT_REASONS[reason],
        reason=reason,
        msg=msg[:MAX_MSG_CHARS],
        http_status=http_status,
        retry_after_ms=retry_after_ms,
    )


def parse_retry_after(value: str | None, now_ms: int) -> int | None:
    """Retry-After in milliseconds: delta-seconds or an HTTP date; None when absent or absurd."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        ms = int(text) * 1000
    else:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        ms = int(when.timestamp() * 1000) - now_ms
    return max(0, min(ms, MAX_RETRY_AFTER_MS))


def _player_from(data: object, fid_hint: int | None = None) -> PlayerInfo | None:
    if not isinstance(data, Mapping):
        return None
    fid = _as_int(data.get("fid")) or fid_hint
    kid = _as_int(data.get("kid"))
    level = _as_int(data.get("stove_lv"))
    nickname = data.get("nickname")
    if fid is None or kid is None or level is None or not isinstance(nickname, str):
        return None
    return PlayerInfo(fid=fid, nickname=nickname[:64], kid=kid, furnace_level=level)


def decode_reply(body: bytes) -> Reply | None:
    """The publisher's envelope, or None for anything else (not JSON, not an object, no msg)."""
    try:
        reply = msgspec.json.decode(body, type=Reply)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    if not reply.msg and reply.code is None:
        return None
    return reply


def classify_reply(reply: Reply, *, player_fid: int | None = None) -> Answer:
    """Classify a decoded envelope; a lookup's success carries the player's name, state, level."""
    err = _as_int(reply.err_code)
    kind, reason = classify(reply.msg, err)
    if kind == "unknown" and _as_int(reply.code) == 0 and not err:
        # ``{"code": 0, "msg": "success", "data": {...}}``: lookups and captchas say it this way.
        kind, reason = "success", "success"
    player = _player_from(reply.data, player_fid) if player_fid is not None else None
    if player_fid is not None and kind == "success" and player is None:
        return transport_answer("garbage", msg=reply.msg)
    return Answer(
        kind=kind, reason=reason, msg=reply.msg[:MAX_MSG_CHARS], err_code=err, player=player
    )


def classify_http(
    status: int,
    content_type: str,
    body: bytes,
    retry_after: str | None,
    now_ms: int,
    *,
    player_fid: int | None = None,
) -> tuple[Answer, Reply | None]:
    """Classify one HTTP exchange: 429 and 5xx and HTML are temporary (Retry-After kept), other
    statuses and unreadable bodies unknown, the publisher's JSON by the table."""
    wait = parse_retry_after(retry_after, now_ms)
    if status == 429:
        return transport_answer("rate_limited", http_status=status, retry_after_ms=wait), None
    if status >= 500:
        return transport_answer("server_error", http_status=status, retry_after_ms=wait), None
    head = body[:512].lstrip().lower()
    if "html" in content_type.lower() or head.startswith((b"<!doctype", b"<html", b"<")):
        return transport_answer("html_page", http_status=status, retry_after_ms=wait), None
    if not 200 <= status < 300:
        return transport_answer("http_status", http_status=status, retry_after_ms=wait), None
    reply = decode_reply(body)
    if reply is None:
        return transport_answer("garbage", http_status=status), None
    answer = classify_reply(reply, player_fid=player_fid)
    if wait is not None:
        answer = msgspec.structs.replace(answer, retry_after_ms=wait)
    return msgspec.structs.replace(answer, http_status=status), reply


# --- Policy ------------------------------------------------------------------------------------


class Policy(msgspec.Struct, frozen=True, kw_only=True):
    """How hard and how fast to try. Defaults follow the seed and the notes."""

    max_concurrency: int = 2
    requests_per_second: float = 1.0  # redemption starts, overall
    player_gap_ms: int = 3_000  # between two requests for the same player
    temporary_max_tries: int = 10
    unknown_max_tries: int = 3
    retry_base_ms: int = 5_000  # first back-off
    retry_growth: float = 2.0
    retry_max_ms: int = 30 * 60_000
    slow_factor: float = 3.0  # captcha and TOO FREQUENT wait this many times longer
    jitter: float = 0.2  # back-off multiplied by a uniform factor in [1 - jitter, 1 + jitter]
    consecutive_error_limit: int = 5
    runner_backoff_ms: int = 60_000
    runner_backoff_max_ms: int = 15 * 60_000
    canary: bool = True

    def check(self) -> Policy:
        """Refuse values that would stall or flood (a ConfigError naming the setting)."""
        checks: dict[str, bool] = {
            "max_concurrency": self.max_concurrency >= 1,
            "requests_per_second": 0 < self.requests_per_second <= 1000
            and math.isfinite(self.requests_per_second),
            "player_gap_ms": self.player_gap_ms >= 0,
            "temporary_max_tries": self.temporary_max_tries >= 1,
            "unknown_max_tries": self.unknown_max_tries >= 1,
            "retry_base_ms": self.retry_base_ms >= 1,
            "retry_growth": self.retry_growth >= 1.0,
            "retry_max_ms": self.retry_max_ms >= self.retry_base_ms,
            "slow_factor": self.slow_factor >= 1.0,
            "jitter": 0.0 <= self.jitter < 1.0,
            "consecutive_error_limit": self.consecutive_error_limit >= 1,
            "runner_backoff_ms": self.runner_backoff_ms >= 1,
            "runner_backoff_max_ms": self.runner_backoff_max_ms >= self.runner_backoff_ms,
        }
        for name, ok in checks.items():
            if not ok:
                raise ConfigError(
                    "giftcodes.config_policy", setting=name, value=str(getattr(self, name))
                )
        return self

    @property
    def start_interval_ms(self) -> int:
        return math.ceil(1000 / self.requests_per_second)


DEFAULT_POLICY: Final = Policy()


def retry_delay_ms(failures: int, reason: str, policy: Policy, rng: random.Random) -> int:
    """The wait before the next try after ``failures`` failed tries (1, 2, ...): base x growth^n,
    slower for captcha and TOO FREQUENT, capped, then jittered by the given random source."""
    # Invariant: with growth >= 2 and jitter < 1/3, each wait is longer than the one before.
    base = policy.retry_base_ms * policy.retry_growth ** max(0, failures - 1)
    if reason in _SLOW_REASONS:
        base *= policy.slow_factor
    capped = min(base, policy.retry_max_ms)
    jittered = capped * rng.uniform(1.0 - policy.jitter, 1.0 + policy.jitter)
    return max(1, int(min(jittered, policy.retry_max_ms)))


def runner_delay_ms(backoffs: int, policy: Policy, rng: random.Random) -> int:
    """The runner's pause after its ``backoffs``-th run of consecutive errors (1, 2, ...)."""
    base = min(policy.runner_backoff_ms * 2 ** max(0, backoffs - 1), policy.runner_backoff_max_ms)
    jittered = base * rng.uniform(1.0 - policy.jitter, 1.0 + policy.jitter)
    return max(1, int(min(jittered, policy.runner_backoff_max_ms)))


# --- State -------------------------------------------------------------------------------------

AttemptStatus = Literal["pending", "redeeming", "done", "failed", "waiting"]
CodeStatus = Literal["canary", "open", "stopped"]
RunnerStatus = Literal["running", "backing_off", "stopped"]
ActionKind = Literal["redeem", "refresh"]
CodeSource = Literal["list", "admin", "first_start"]

ATTEMPT_STATUSES: Final = ("pending", "redeeming", "done", "failed", "waiting")
CODE_STATUSES: Final = ("canary", "open", "stopped")
RUNNER_STATUSES: Final = ("running", "backing_off", "stopped")
_OPEN_ATTEMPT: Final = frozenset({"pending", "waiting"})


class Player(msgspec.Struct, frozen=True, kw_only=True):
    """A registered player: checked through the lookup, stored with its name, state and level."""

    fid: int
    nickname: str
    kid: int
    furnace_level: int
    updated_ms: int
    not_before_ms: int = 0  # per-player pacing: no request for this player before then


class CodeState(msgspec.Struct, frozen=True, kw_only=True):
    """One gift code: where it came from, whether it is still tried, its canary."""

    code: str
    source: CodeSource
    first_seen_ms: int
    status: CodeStatus = "canary"
    canary_fid: int | None = None  # the one player a new code is tried on first
    stop_reason: str = ""  # expired | invalid_code, when stopped
    claim_limit_hits: int = 0  # players told "claim limit reached" (the code is not invalid)
    claim_limit_first_ms: int | None = None
    updated_ms: int = 0


class Attempt(msgspec.Struct, frozen=True, kw_only=True):
    """One (code, player): its status, how often it was tried, why it last failed, when next."""

    code: str
    fid: int
    status: AttemptStatus = "pending"
    tries: int = 0  # requests started
    temporary: int = 0  # temporary answers (and player refreshes) so far
    unknown: int = 0  # unknown answers so far
    reason: str = ""  # done: success | received | same_type; failed: why; waiting: last error
    last_msg: str = ""  # the provider's last words, for the admin
    next_try_ms: int = 0
    refresh: bool = False  # look the player up again before the next redemption
    created_ms: int = 0
    updated_ms: int = 0


class RunnerState(msgspec.Struct, frozen=True, kw_only=True):
    """The whole redemption loop: running, backing off after errors, or stopped (config)."""

    status: RunnerStatus = "running"
    consecutive_errors: int = 0
    backoffs: int = 0  # back-offs since the last good answer
    until_ms: int = 0  # backing off: nothing starts before then
    stop_reason: str = ""
    next_start_ms: int = 0  # pacing (and a host-wide Retry-After): no start before then
    updated_ms: int = 0


class GuildSettings(msgspec.Struct, frozen=True, kw_only=True):
    """A guild's gift-code settings: where codes are posted, auto-redeem, its players."""

    guild_id: int
    channel_id: int | None = None
    auto_redeem: bool = False
    players: tuple[int, ...] = ()


class RedemptionState(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the gift-code actor owns; each dict value is one storable row."""

    runner: RunnerState = msgspec.field(default_factory=RunnerState)
    codes: dict[str, CodeState] = msgspec.field(default_factory=dict)
    attempts: dict[str, Attempt] = msgspec.field(default_factory=dict)  # by attempt_key
    players: dict[int, Player] = msgspec.field(default_factory=dict)


def attempt_key(code: str, fid: int) -> str:
    """The row key (and idempotency reference) of one (code, player)."""
    return f"{code}/{fid}"


EventKind = Literal[
    "code_added",
    "code_released",
    "code_stopped",
    "canary_moved",
    "claim_limit",
    "attempt_started",
    "attempt_done",
    "attempt_failed",
    "attempt_waiting",
    "attempt_requeued",
    "player_saved",
    "player_removed",
    "player_refreshed",
    "runner_backoff",
    "runner_resumed",
    "runner_stopped",
    "stale_answer",
]


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """What a transition did, for the journal, the logs and (``alert``) the admins."""

    kind: EventKind
    at_ms: int
    code: str = ""
    fid: int = 0
    reason: str = ""
    until_ms: int = 0
    alert: bool = False


class Step(msgspec.Struct, frozen=True, kw_only=True):
    """A transition's result: the new state, the rows it changed, and its events."""

    state: RedemptionState
    events: tuple[Event, ...] = ()
    attempts: tuple[str, ...] = ()  # attempt keys written (or deleted: absent from state)
    codes: tuple[str, ...] = ()
    players: tuple[int, ...] = ()
    runner: bool = False


class Action(msgspec.Struct, frozen=True, kw_only=True):
    """One request to make: redeem ``code`` for ``fid``, or look ``fid`` up again first."""

    kind: ActionKind
    code: str
    fid: int
    kid: int | None = None


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    """What to start now, and when to look again if nothing else happens first."""

    actions: tuple[Action, ...] = ()
    wake_ms: int | None = None


class _Tx:
    """Copy-on-write changes to one state, collected into a ``Step``."""

    def __init__(self, state: RedemptionState, now_ms: int) -> None:
        self.base = state
        self.now = now_ms
        self.runner = state.runner
        self._attempts: dict[str, Attempt] | None = None
        self._codes: dict[str, CodeState] | None = None
        self._players: dict[int, Player] | None = None
        self.changed_attempts: dict[str, None] = {}
        self.changed_codes: dict[str, None] = {}
        self.changed_players: dict[int, None] = {}
        self.runner_changed = False
        self.events: list[Event] = []

    @property
    def attempts(self) -> Mapping[str, Attempt]:
        return self._attempts if self._attempts is not None else self.base.attempts

    @property
    def codes(self) -> Mapping[str, CodeState]:
        return self._codes if self._codes is not None else self.base.codes

    @property
    def players(self) -> Mapping[int, Player]:
        return self._players if self._players is not None else self.base.players

    def put_attempt(self, attempt: Attempt) -> None:
        if self._attempts is None:
            self._attempts = dict(self.base.attempts)
        key = attempt_key(attempt.code, attempt.fid)
        self._attempts[key] = msgspec.structs.replace(attempt, updated_ms=self.now)
        self.changed_attempts[key] = None

    def drop_attempt(self, key: str) -> None:
        if self._attempts is None:
            self._attempts = dict(self.base.attempts)
        self._attempts.pop(key, None)
        self.changed_attempts[key] = None

    def put_code(self, code: CodeState) -> None:
        if self._codes is None:
            self._codes = dict(self.base.codes)
        self._codes[code.code] = msgspec.structs.replace(code, updated_ms=self.now)
        self.changed_codes[code.code] = None

    def put_player(self, player: Player) -> None:
        if self._players is None:
            self._players = dict(self.base.players)
        self._players[player.fid] = player
        self.changed_players[player.fid] = None

    def drop_player(self, fid: int) -> None:
        if self._players is None:
            self._players = dict(self.base.players)
        self._players.pop(fid, None)
        self.changed_players[fid] = None

    def put_runner(self, runner: RunnerState) -> None:
        self.runner = msgspec.structs.replace(runner, updated_ms=self.now)
        self.runner_changed = True

    def event(self, kind: EventKind, **fields: Any) -> None:
        self.events.append(Event(kind=kind, at_ms=self.now, **fields))

    def step(self) -> Step:
        state = RedemptionState(
            runner=self.runner,
            codes=self._codes if self._codes is not None else self.base.codes,
            attempts=self._attempts if self._attempts is not None else self.base.attempts,
            players=self._players if self._players is not None else self.base.players,
        )
        return Step(
            state=state,
            events=tuple(self.events),
            attempts=tuple(self.changed_attempts),
            codes=tuple(self.changed_codes),
            players=tuple(self.changed_players),
            runner=self.runner_changed,
        )


# --- Players and codes -------------------------------------------------------------------------


def save_player(state: RedemptionState, info: PlayerInfo, now_ms: int) -> Step:
    """Add or update a registered player from a lookup (its pacing is kept)."""
    tx = _Tx(state, now_ms)
    old = state.players.get(info.fid)
    tx.put_player(
        Player(
            fid=info.fid,
            nickname=info.nickname,
            kid=info.kid,
            furnace_level=info.furnace_level,
            updated_ms=now_ms,
            not_before_ms=old.not_before_ms if old else 0,
        )
    )
    tx.event("player_saved", fid=info.fid)
    return tx.step()


def remove_player(state: RedemptionState, fid: int, now_ms: int) -> Step:
    """Forget a player: its attempts not yet tried go; its results and in-flight ones stay."""
    tx = _Tx(state, now_ms)
    if fid in state.players:
        tx.drop_player(fid)
        tx.event("player_removed", fid=fid)
    for key, attempt in state.attempts.items():
        if attempt.fid == fid and attempt.status in _OPEN_ATTEMPT:
            tx.drop_attempt(key)
    return tx.step()


def auto_redeem_fids(guilds: Iterable[GuildSettings]) -> tuple[int, ...]:
    """Every player of every guild with auto-redeem on, once each, in a stable order."""
    fids: dict[int, None] = {}
    for guild in guilds:
        if guild.auto_redeem:
            fids.update(dict.fromkeys(guild.players))
    return tuple(sorted(fids))


def enqueue(
    state: RedemptionState,
    code: str,
    fids: Iterable[int],
    now_ms: int,
    *,
    source: CodeSource = "list",
    policy: Policy = DEFAULT_POLICY,
    retry_failed: bool = False,
) -> Step:
    """Know ``code`` and queue it for ``fids`` (registered players only). A new code starts with
    a canary. Existing attempts are left alone, except that ``retry_failed`` (an admin's
    ``/giftcode redeem``) queues again those that failed for a reason that can change."""
    # Invariant: a done attempt is never queued again; a stopped code gets no new attempts.
    tx = _Tx(state, now_ms)
    current = state.codes.get(code)
    if current is None:
        current = CodeState(
            code=code,
            source=source,
            first_seen_ms=now_ms,
            status="canary" if policy.canary else "open",
        )
        tx.put_code(current)
        tx.event("code_added", code=code, reason=source)
    if current.status == "stopped":
        return tx.step()
    for fid in dict.fromkeys(fids):
        if fid not in state.players:
            continue
        existing = state.attempts.get(attempt_key(code, fid))
        if existing is None:
            tx.put_attempt(Attempt(code=code, fid=fid, created_ms=now_ms, next_try_ms=now_ms))
        elif retry_failed and existing.status == "failed" and existing.reason in RETRYABLE_FAILURES:
            tx.put_attempt(
                Attempt(code=code, fid=fid, created_ms=existing.created_ms, next_try_ms=now_ms)
            )
            tx.event("attempt_requeued", code=code, fid=fid, reason=existing.reason)
    return tx.step()


# --- Planning ----------------------------------------------------------------------------------


def in_flight(state: RedemptionState) -> int:
    return sum(1 for a in state.attempts.values() if a.status == "redeeming")


def next_actions(state: RedemptionState, now_ms: int, policy: Policy = DEFAULT_POLICY) -> Plan:
    """What to start at ``now_ms``: at most ``max_concurrency`` in flight, starts spaced by the
    overall rate (so at most one start per call), a player never twice at once nor before its
    gap, a canary code only on its canary, nothing while backing off or stopped. ``wake_ms``:
    when to ask again if no answer comes first."""
    runner = state.runner
    if runner.status == "stopped":
        return Plan()
    if runner.status == "backing_off" and now_ms < runner.until_ms:
        return Plan(wake_ms=runner.until_ms)
    busy_players: set[int] = set()
    busy_canaries: set[str] = set()  # canary codes whose canary is in flight
    candidates: dict[str, list[int]] = {}  # canary codes without a canary yet: their players
    for attempt in state.attempts.values():
        code = state.codes.get(attempt.code)
        if code is None:
            continue
        if attempt.status == "redeeming":
            busy_players.add(attempt.fid)
            if code.status == "canary":
                busy_canaries.add(attempt.code)
        elif (
            attempt.status in _OPEN_ATTEMPT
            and code.status == "canary"
            and code.canary_fid is None
            and attempt.fid in state.players
        ):
            candidates.setdefault(attempt.code, []).append(attempt.fid)
    canary_choice = _choose_canaries(state, candidates, busy_players)
    free = policy.max_concurrency - sum(1 for _ in _redeeming(state))
    best_ready: tuple[int, int, int, int, str] | None = None
    chosen: Attempt | None = None
    wake: int | None = None
    for attempt in state.attempts.values():
        if attempt.status not in _OPEN_ATTEMPT or attempt.fid in busy_players:
            continue
        code = state.codes.get(attempt.code)
        player = state.players.get(attempt.fid)
        if code is None or player is None or code.status == "stopped":
            continue
        if code.status == "canary":
            canary = (
                code.canary_fid if code.canary_fid is not None else canary_choice.get(code.code)
            )
            if attempt.code in busy_canaries or attempt.fid != canary:
                continue
        at = max(attempt.next_try_ms, player.not_before_ms)
        if at > now_ms:
            wake = at if wake is None else min(wake, at)
            continue
        # Canaries first (each one gates a whole code), then the oldest ready; among equals,
        # the older code, then the lower player id.
        rank = (int(code.status != "canary"), at, code.first_seen_ms, attempt.fid, attempt.code)
        if best_ready is None or rank < best_ready:
            best_ready, chosen = rank, attempt
    if chosen is None or free <= 0:
        return Plan(wake_ms=wake)  # when full, an answer frees a slot: the caller wakes on it
    if now_ms < runner.next_start_ms:
        start_at = runner.next_start_ms
        return Plan(wake_ms=start_at if wake is None else min(wake, start_at))
    kind: ActionKind = "refresh" if chosen.refresh else "redeem"
    action = Action(kind=kind, code=chosen.code, fid=chosen.fid, kid=state.players[chosen.fid].kid)
    return Plan(actions=(action,), wake_ms=now_ms + policy.start_interval_ms)


def _choose_canaries(
    state: RedemptionState, candidates: Mapping[str, list[int]], busy: set[int]
) -> dict[str, int]:
    """A canary for each canary code that has none yet: its lowest player id that is neither
    another code's canary nor in flight (so several new codes are tested at once), else its
    lowest player id. Older codes choose first."""
    taken = {
        c.canary_fid
        for c in state.codes.values()
        if c.status == "canary" and c.canary_fid is not None
    }
    chosen: dict[str, int] = {}
    order = sorted(candidates, key=lambda name: (state.codes[name].first_seen_ms, name))
    for name in order:
        fids = sorted(candidates[name])
        free = [f for f in fids if f not in taken and f not in busy]
        pick = free[0] if free else next((f for f in fids if f not in taken), fids[0])
        chosen[name] = pick
        taken.add(pick)
    return chosen


def _redeeming(state: RedemptionState) -> Iterable[Attempt]:
    return (a for a in state.attempts.values() if a.status == "redeeming")


def start(
    state: RedemptionState, action: Action, now_ms: int, policy: Policy = DEFAULT_POLICY
) -> Step:
    """Mark ``action``'s attempt as redeeming (to be journaled BEFORE the request is sent), pace
    the next start and the player's next request, and fix a canary code's canary."""
    # Invariant: only a pending or waiting attempt starts, and never while stopped.
    attempt = state.attempts.get(attempt_key(action.code, action.fid))
    code = state.codes.get(action.code)
    if (
        attempt is None
        or code is None
        or attempt.status not in _OPEN_ATTEMPT
        or code.status == "stopped"
        or state.runner.status == "stopped"
    ):
        raise Refused("giftcodes.not_startable", code=action.code, fid=action.fid)
    tx = _Tx(state, now_ms)
    runner = state.runner
    if runner.status == "backing_off":
        runner = msgspec.structs.replace(runner, status="running", until_ms=0)
        tx.event("runner_resumed")
    tx.put_runner(msgspec.structs.replace(runner, next_start_ms=now_ms + policy.start_interval_ms))
    tx.put_attempt(msgspec.structs.replace(attempt, status="redeeming", tries=attempt.tries + 1))
    player = state.players.get(action.fid)
    if player is not None:
        tx.put_player(msgspec.structs.replace(player, not_before_ms=now_ms + policy.player_gap_ms))
    if code.status == "canary" and code.canary_fid is None:
        tx.put_code(msgspec.structs.replace(code, canary_fid=action.fid))
    tx.event("attempt_started", code=action.code, fid=action.fid, reason=action.kind)
    return tx.step()


# --- Answers -----------------------------------------------------------------------------------


def apply(
    state: RedemptionState,
    action: Action,
    answer: Answer,
    now_ms: int,
    rng: random.Random,
    policy: Policy = DEFAULT_POLICY,
) -> Step:
    """The state after ``answer`` to ``action``: done, failed, waiting with a back-off, the code
    released or stopped, the runner backing off or stopped. A stray answer changes nothing,
    except that a success always wins over a failure."""
    tx = _Tx(state, now_ms)
    key = attempt_key(action.code, action.fid)
    attempt = state.attempts.get(key)
    if attempt is None or attempt.status == "done":
        # Invariant: a success is final; nothing overwrites a done attempt.
        tx.event("stale_answer", code=action.code, fid=action.fid, reason=answer.reason)
        return tx.step()
    if attempt.status != "redeeming":
        if action.kind == "redeem" and answer.kind in FINAL_GOOD:
            _finish_good(tx, attempt, answer)
        else:
            tx.event("stale_answer", code=action.code, fid=action.fid, reason=answer.reason)
        return tx.step()
    if action.kind == "refresh":
        _apply_refresh(tx, attempt, answer, rng, policy)
    else:
        _apply_redeem(tx, attempt, answer, rng, policy)
    _count_errors(tx, answer, rng, policy)
    return tx.step()


def _finish_good(tx: _Tx, attempt: Attempt, answer: Answer) -> None:
    tx.put_attempt(
        msgspec.structs.replace(
            attempt, status="done", reason=answer.reason, last_msg=answer.msg, refresh=False
        )
    )
    tx.event("attempt_done", code=attempt.code, fid=attempt.fid, reason=answer.reason)
    code = tx.codes.get(attempt.code)
    if code is not None and code.status == "canary":
        tx.put_code(msgspec.structs.replace(code, status="open"))
        tx.event("code_released", code=attempt.code, fid=attempt.fid)


def _fail(tx: _Tx, attempt: Attempt, reason: str, msg: str, *, move_canary: bool = True) -> None:
    tx.put_attempt(msgspec.structs.replace(attempt, status="failed", reason=reason, last_msg=msg))
    tx.event("attempt_failed", code=attempt.code, fid=attempt.fid, reason=reason)
    code = tx.codes.get(attempt.code)
    if (
        move_canary
        and code is not None
        and code.status == "canary"
        and code.canary_fid == attempt.fid
    ):
        # This player could not tell us whether the code is good: the next player is the canary.
        tx.put_code(msgspec.structs.replace(code, canary_fid=None))
        tx.event("canary_moved", code=attempt.code, fid=attempt.fid, reason=reason)


def _wait(
    tx: _Tx,
    attempt: Attempt,
    answer: Answer,
    rng: random.Random,
    policy: Policy,
    *,
    refresh: bool,
) -> None:
    temporary = attempt.temporary + (answer.kind != "unknown")
    unknown = attempt.unknown + (answer.kind == "unknown")
    limit_hit = (
        temporary >= policy.temporary_max_tries
        if answer.kind != "unknown"
        else unknown >= policy.unknown_max_tries
    )
    counted = msgspec.structs.replace(attempt, temporary=temporary, unknown=unknown)
    if limit_hit:
        _fail(tx, msgspec.structs.replace(counted, refresh=False), "gave_up", answer.msg)
        return
    if answer.kind == "refresh_player":
        delay = 0  # look the player up right away (still paced)
    else:
        delay = retry_delay_ms(temporary + unknown, answer.reason, policy, rng)
    # Invariant: Retry-After is a floor under the back-off, never shortened.
    delay = max(delay, answer.retry_after_ms or 0)
    tx.put_attempt(
        msgspec.structs.replace(
            counted,
            status="waiting",
            reason=answer.reason,
            last_msg=answer.msg,
            next_try_ms=tx.now + delay,
            refresh=refresh,
        )
    )
    tx.event(
        "attempt_waiting",
        code=attempt.code,
        fid=attempt.fid,
        reason=answer.reason,
        until_ms=tx.now + delay,
    )
    player = tx.players.get(attempt.fid)
    if player is not None and answer.reason == "too_frequent":
        # The publisher's per-player limit: the player's other codes wait as well.
        tx.put_player(
            msgspec.structs.replace(player, not_before_ms=max(player.not_before_ms, tx.now + delay))
        )


def _apply_redeem(
    tx: _Tx, attempt: Attempt, answer: Answer, rng: random.Random, policy: Policy
) -> None:
    kind = answer.kind
    if kind in FINAL_GOOD:
        _finish_good(tx, attempt, answer)
    elif kind == "code_permanent":
        _stop_code(tx, attempt, answer)
    elif kind == "claim_limit":
        code = tx.codes[attempt.code]
        tx.put_code(
            msgspec.structs.replace(
                code,
                claim_limit_hits=code.claim_limit_hits + 1,
                claim_limit_first_ms=code.claim_limit_first_ms or tx.now,
            )
        )
        if code.claim_limit_hits == 0:
            tx.event("claim_limit", code=attempt.code, fid=attempt.fid)
        _fail(tx, attempt, "claim_limit", answer.msg)
    elif kind == "player_permanent":
        _fail(tx, attempt, answer.reason, answer.msg)
    elif kind == "config_error":
        _stop_runner(tx, attempt, answer)
    elif kind == "refresh_player":
        _wait(tx, attempt, answer, rng, policy, refresh=True)
    else:  # temporary or unknown; NOT LOGIN logs the player in again first
        _wait(tx, attempt, answer, rng, policy, refresh=answer.reason == "not_login")


def _apply_refresh(
    tx: _Tx, attempt: Attempt, answer: Answer, rng: random.Random, policy: Policy
) -> None:
    if answer.kind == "success" and answer.player is not None:
        info = answer.player
        player = tx.players.get(attempt.fid)
        if player is not None:
            tx.put_player(
                msgspec.structs.replace(
                    player,
                    nickname=info.nickname,
                    kid=info.kid,
                    furnace_level=info.furnace_level,
                    updated_ms=tx.now,
                )
            )
            tx.event("player_refreshed", fid=attempt.fid, reason=str(info.kid))
        # The redemption itself is next, as soon as pacing allows.
        tx.put_attempt(
            msgspec.structs.replace(attempt, status="waiting", refresh=False, next_try_ms=tx.now)
        )
    elif answer.kind == "player_permanent":
        _fail(tx, attempt, answer.reason, answer.msg)
    elif answer.kind == "config_error":
        _stop_runner(tx, attempt, answer)
    elif answer.kind in ("temporary", "unknown", "refresh_player"):
        _wait(tx, attempt, answer, rng, policy, refresh=True)
    else:  # a lookup cannot say anything else; take it as unknown
        unknown = msgspec.structs.replace(answer, kind="unknown")
        _wait(tx, attempt, unknown, rng, policy, refresh=True)


def _stop_code(tx: _Tx, attempt: Attempt, answer: Answer) -> None:
    # Invariant: an expired or invalid code is stopped for every player at once; done attempts
    # stay done, in-flight ones are settled by their own answers.
    code = tx.codes[attempt.code]
    _fail(tx, attempt, answer.reason, answer.msg, move_canary=False)
    if code.status != "stopped":
        tx.put_code(msgspec.structs.replace(code, status="stopped", stop_reason=answer.reason))
        tx.event("code_stopped", code=attempt.code, fid=attempt.fid, reason=answer.reason)
    for other in list(tx.attempts.values()):
        if other.code == attempt.code and other.status in _OPEN_ATTEMPT:
            tx.put_attempt(
                msgspec.structs.replace(
                    other, status="failed", reason=answer.reason, last_msg=answer.msg
                )
            )


def _stop_runner(tx: _Tx, attempt: Attempt, answer: Answer) -> None:
    # Invariant: a signing error is ours, not the player's: the attempt waits untouched (this
    # try is not counted) and nothing starts until the runner is resumed.
    tx.put_attempt(
        msgspec.structs.replace(
            attempt,
            status="waiting",
            tries=max(0, attempt.tries - 1),
            next_try_ms=tx.now,
            last_msg=answer.msg,
        )
    )
    if tx.runner.status != "stopped":
        tx.put_runner(
            msgspec.structs.replace(tx.runner, status="stopped", stop_reason=answer.reason)
        )
        tx.event("runner_stopped", reason=answer.reason, alert=True)


def _count_errors(tx: _Tx, answer: Answer, rng: random.Random, policy: Policy) -> None:
    runner = tx.runner
    if runner.status == "stopped":
        return
    if answer.kind in _GOOD_OR_DEFINITE:
        if runner.consecutive_errors or runner.backoffs:
            tx.put_runner(msgspec.structs.replace(runner, consecutive_errors=0, backoffs=0))
        return
    if answer.kind not in ("temporary", "unknown"):
        return
    next_start = runner.next_start_ms
    if answer.reason == "rate_limited" and answer.retry_after_ms:
        # HTTP 429 speaks for the whole host: nothing starts before its Retry-After.
        next_start = max(next_start, tx.now + answer.retry_after_ms)
    errors = runner.consecutive_errors + 1
    if errors < policy.consecutive_error_limit:
        tx.put_runner(
            msgspec.structs.replace(runner, consecutive_errors=errors, next_start_ms=next_start)
        )
        return
    backoffs = runner.backoffs + 1
    until = tx.now + runner_delay_ms(backoffs, policy, rng)
    tx.put_runner(
        msgspec.structs.replace(
            runner,
            status="backing_off",
            consecutive_errors=0,
            backoffs=backoffs,
            until_ms=max(until, next_start),
            next_start_ms=next_start,
        )
    )
    tx.event("runner_backoff", reason=answer.reason, until_ms=max(until, next_start))


# --- Restart and admin -------------------------------------------------------------------------


def resume(state: RedemptionState, now_ms: int) -> Step:
    """After a restart: a request that was in flight may or may not have reached the publisher,
    so its attempt is tried again (a redemption that went through answers RECEIVED, which is a
    success); a runner stopped for a signing error starts again, since a restart is when a
    corrected secret takes effect."""
    tx = _Tx(state, now_ms)
    for attempt in state.attempts.values():
        if attempt.status == "redeeming":
            tx.put_attempt(msgspec.structs.replace(attempt, status="waiting", next_try_ms=now_ms))
    if state.runner.status == "stopped":
        tx.put_runner(msgspec.structs.replace(state.runner, status="running", stop_reason=""))
        tx.event("runner_resumed", reason=state.runner.stop_reason)
    return tx.step()


class CodeSummary(msgspec.Struct, frozen=True, kw_only=True):
    """``/giftcode status``: per code, how many redeemed, already had it, failed, waiting."""

    code: str
    status: CodeStatus
    stop_reason: str
    first_seen_ms: int
    redeemed: int = 0
    already: int = 0
    pending: int = 0
    redeeming: int = 0
    waiting: int = 0
    failed: dict[str, int] = msgspec.field(default_factory=dict)  # by reason
    claim_limit_hits: int = 0


def summarize(state: RedemptionState, code: str | None = None) -> list[CodeSummary]:
    """One summary per code (or just ``code``), newest code first."""
    counts: dict[str, dict[str, Any]] = {}
    for attempt in state.attempts.values():
        if code is not None and attempt.code != code:
            continue
        c = counts.setdefault(attempt.code, {"failed": {}})
        if attempt.status == "done":
            slot = "redeemed" if attempt.reason == "success" else "already"
            c[slot] = c.get(slot, 0) + 1
        elif attempt.status == "failed":
            c["failed"][attempt.reason] = c["failed"].get(attempt.reason, 0) + 1
        else:
            c[attempt.status] = c.get(attempt.status, 0) + 1
    out = []
    for name, info in state.codes.items():
        if code is not None and name != code:
            continue
        out.append(
            CodeSummary(
                code=name,
                status=info.status,
                stop_reason=info.stop_reason,
                first_seen_ms=info.first_seen_ms,
                claim_limit_hits=info.claim_limit_hits,
                **counts.get(name, {}),
            )
        )
    out.sort(key=lambda s: (-s.first_seen_ms, s.code))
    return out
