"""What the writer takes and what it answers: an operation (``Op``) and its ``Receipt``.

An operation names its cause in ``reference`` (unique per guild) and carries, all applied
together or not at all:
- ledger ``moves`` (a member's balance up or down, a transfer, an admin set, a repair),
- ``changes`` to feature rows: ``Put`` (write a row), ``Insert`` (a row that must be new),
  ``Patch`` (some columns of a row), ``Delete``, ``Add`` (a counter kept within bounds),
  ``Expect`` (a precondition on a column: with a ``Patch``, a compare-and-set),
- ``effects``: side effects on Discord, written to the outbox in the same transaction and
  carried out after COMMIT.
The same reference again changes nothing and answers the first result: the receipt, or the
same refusal.

Everything here is checked when the operation is made (``Op.__post_init__``), at the edge:
ids are positive 64-bit integers, texts are valid UTF-8 of bounded length, values are plain
scalars. A bad operation is refused alone with ``InvalidInput`` before it can reach a batch.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from vouchy.core.errors import InvalidInput
from vouchy.store.schema import LEDGER_KINDS, MAX_ABS_DELTA

MAX_ID = 2**63 - 1
MAX_INT = 2**63 - 1
MIN_INT = -(2**63)
MAX_REFERENCE = 200
MAX_REASON = 500
MAX_TEXT = 100_000  # a row's text value (a game's state as JSON, a template)
# The acting user of what Vouchy does by itself (the outbox's bookkeeping, a timeout).
SYSTEM_USER = 1

_KINDS = frozenset(LEDGER_KINDS)
Scalar = int | float | str | None
Key = tuple[Any, ...]


def check_id(value: object, what: str = "id") -> int:
    """A Discord id: a whole number from 1 to 2^63-1 (an int subclass becomes a plain int)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise InvalidInput("store.bad_id", what=what, value=str(value)[:40])
    return int(value)


def check_text(value: object, what: str, maximum: int, *, empty: bool = True) -> str:
    """A string of valid UTF-8 (no lone surrogates) of at most ``maximum`` characters."""
    if not isinstance(value, str):
        raise InvalidInput("store.bad_text", what=what)
    text = str(value)  # a str subclass becomes a plain str
    if len(text) > maximum or (not empty and not text):
        raise InvalidInput("store.bad_length", what=what, maximum=maximum)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput("store.bad_text", what=what) from None
    return text


def check_scalar(value: object, what: str) -> Scalar:
    if value is None or isinstance(value, float):
        return value  # a float's NaN is refused by SQLite's own CHECKs
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        if not MIN_INT <= value <= MAX_INT:
            raise InvalidInput("store.bad_number", what=what)
        return int(value)
    if isinstance(value, str):
        return check_text(value, what, MAX_TEXT)
    raise InvalidInput("store.bad_value", what=what, kind=type(value).__name__)


def _name(value: object, what: str) -> str:
    text = check_text(value, what, 64, empty=False)
    if not text.replace("_", "a").isalnum() or not text.isascii():
        raise InvalidInput("store.bad_name", what=what, value=text)
    return text


def _key(values: Any, what: str) -> Key:
    if not isinstance(values, tuple | list) or not values:
        raise InvalidInput("store.bad_key", what=what)
    return tuple(check_scalar(v, what) for v in values)


def _values(values: Any, what: str) -> dict[str, Scalar]:
    if not isinstance(values, dict):
        raise InvalidInput("store.bad_value", what=what, kind=type(values).__name__)
    return {_name(k, what): check_scalar(v, f"{what}.{k}") for k, v in values.items()}


class Move(msgspec.Struct, frozen=True, kw_only=True):
    """A change to one member's balance: one ledger row (two for a transfer).

    ``delta`` moves the balance; ``set_to`` reaches a balance instead (the delta is derived);
    ``to_user_id`` makes it a transfer of ``-delta`` to that member; ``repair`` sets the
    stored balance to its ledger sum with a zero row that records the value it had."""

    user_id: int
    kind: str
    delta: int = 0
    set_to: int | None = None
    to_user_id: int | None = None
    repair: bool = False
    reason: str | None = None  # this row's reason, when not the operation's

    def __post_init__(self) -> None:
        msgspec.structs.force_setattr(self, "user_id", check_id(self.user_id, "user"))
        if self.kind not in _KINDS:
            raise InvalidInput("store.bad_kind", kind=str(self.kind)[:40])
        if isinstance(self.delta, bool) or not isinstance(self.delta, int):
            raise InvalidInput("store.bad_number", what="delta")
        if abs(self.delta) > MAX_ABS_DELTA:
            raise InvalidInput("store.amount_out_of_bounds")
        msgspec.structs.force_setattr(self, "delta", int(self.delta))
        if self.set_to is not None:
            if isinstance(self.set_to, bool) or not isinstance(self.set_to, int):
                raise InvalidInput("store.bad_number", what="balance")
            if not 0 <= self.set_to <= MAX_ABS_DELTA:
                raise InvalidInput("store.amount_out_of_bounds")
            msgspec.structs.force_setattr(self, "set_to", int(self.set_to))
        if self.to_user_id is not None:
            to = check_id(self.to_user_id, "member")
            if to == self.user_id or self.delta >= 0:
                raise InvalidInput("store.bad_transfer")
            msgspec.structs.force_setattr(self, "to_user_id", to)
        if self.reason is not None:
            msgspec.structs.force_setattr(
                self, "reason", check_text(self.reason, "reason", MAX_REASON)
            )


class _Change(msgspec.Struct, frozen=True, kw_only=True):
    table: str
    key: Key
    # The text key of the refusal when the precondition fails, and its values.
    refuse: str = "store.precondition_failed"
    params: dict[str, Any] = {}

    def __post_init__(self) -> None:
        msgspec.structs.force_setattr(self, "table", _name(self.table, "table"))
        msgspec.structs.force_setattr(self, "key", _key(self.key, self.table))
        check_text(self.refuse, "refusal", 100, empty=False)
        msgspec.structs.force_setattr(self, "params", _values(self.params, "params"))


class Put(_Change, frozen=True, kw_only=True, tag="put"):
    """Write the row: insert it, or replace every column named in ``values``."""

    values: dict[str, Any] = {}

    def __post_init__(self) -> None:
        super().__post_init__()
        msgspec.structs.force_setattr(self, "values", _values(self.values, self.table))


class Insert(Put, frozen=True, kw_only=True, tag="insert"):
    """A row that must not exist yet (refused with ``refuse`` when it does)."""


class Patch(Put, frozen=True, kw_only=True, tag="patch"):
    """Change the columns named in ``values`` of a row that exists (refused when it does
    not, unless ``create``: then it is made from the columns' defaults first)."""

    create: bool = False


class Delete(_Change, frozen=True, kw_only=True, tag="delete"):
    """Remove the row; a missing row is refused when ``must_exist``."""

    must_exist: bool = False


class Add(_Change, frozen=True, kw_only=True, tag="add"):
    """``column += delta`` (a missing row is made from its defaults first), refused when
    the result would leave ``[low, high]`` (``None``: no bound on that side)."""

    column: str
    delta: int
    low: int | None = 0
    high: int | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        msgspec.structs.force_setattr(self, "column", _name(self.column, "column"))
        for name in ("delta", "low", "high"):
            value = getattr(self, name)
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise InvalidInput("store.bad_number", what=name)
                msgspec.structs.force_setattr(self, name, int(check_scalar(value, name)))  # type: ignore[arg-type]


Comparison = Literal["eq", "ne", "lt", "le", "gt", "ge", "exists", "missing"]


class Expect(_Change, frozen=True, kw_only=True, tag="expect"):
    """A precondition: the row exists (``exists``), does not (``missing``), or its
    ``column`` compares to ``value`` (a missing row fails every comparison unless
    ``missing_ok``). Refused with ``refuse`` otherwise. Writes nothing."""

    op: Comparison = "eq"
    column: str = ""
    value: Any = None
    missing_ok: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.op not in ("eq", "ne", "lt", "le", "gt", "ge", "exists", "missing"):
            raise InvalidInput("store.bad_name", what="comparison", value=str(self.op))
        if self.op not in ("exists", "missing"):
            msgspec.structs.force_setattr(self, "column", _name(self.column, "column"))
        msgspec.structs.force_setattr(self, "value", check_scalar(self.value, "value"))


Change = Put | Insert | Patch | Delete | Add | Expect


class Effect(msgspec.Struct, frozen=True, kw_only=True):
    """A side effect on Discord (give a role, post a message, react), decided by this
    operation and carried out by the outbox worker after its COMMIT."""

    kind: str
    payload: dict[str, Any] = {}
    delay_ms: int = 0  # not before this long after the COMMIT (a reply that removes itself)

    def __post_init__(self) -> None:
        msgspec.structs.force_setattr(
            self, "kind", check_text(self.kind, "effect", 64, empty=False)
        )
        delay = self.delay_ms
        if isinstance(delay, bool) or not isinstance(delay, int) or not 0 <= delay <= 2**40:
            raise InvalidInput("store.bad_number", what="delay")


class Op(msgspec.Struct, frozen=True, kw_only=True):
    """One change to the store, applied whole or not at all, once per reference."""

    guild_id: int
    user_id: int  # whose operation it is (a member's, or the acting admin's)
    reference: str
    name: str  # what it is ("points.earn", "shop.buy"): a repeat must be the same thing
    moves: tuple[Move, ...] = ()
    changes: tuple[Change, ...] = ()
    effects: tuple[Effect, ...] = ()
    reason: str = ""
    acting_user_id: int | None = None
    fingerprint: str = ""  # a digest of the caller's request (an API body), when it has one
    data: dict[str, Any] = {}  # facts to keep in the receipt (a draw, a game's outcome)
    remember: bool = True  # False: no operations record (the rows it writes are the proof)

    def __post_init__(self) -> None:
        force = msgspec.structs.force_setattr
        force(self, "guild_id", check_id(self.guild_id, "guild"))
        force(self, "user_id", check_id(self.user_id, "user"))
        force(
            self, "reference", check_text(self.reference, "reference", MAX_REFERENCE, empty=False)
        )
        force(self, "name", check_text(self.name, "name", 64, empty=False))
        force(self, "reason", check_text(self.reason, "reason", MAX_REASON))
        force(self, "fingerprint", check_text(self.fingerprint, "fingerprint", 128))
        if self.acting_user_id is not None:
            force(self, "acting_user_id", check_id(self.acting_user_id, "acting user"))
        for field in ("moves", "changes", "effects"):
            if not isinstance(getattr(self, field), tuple):
                force(self, field, tuple(getattr(self, field)))
        force(self, "data", _values(self.data, "data") if self.data else {})


class MoveResult(msgspec.Struct, frozen=True, array_like=True):
    ledger_id: int
    user_id: int
    delta: int
    balance: int  # the balance right after this row
    kind: str


class RowResult(msgspec.Struct, frozen=True, array_like=True):
    table: str
    key: Key
    values: dict[str, Any] | None  # the row after the change; None: deleted


class Receipt(msgspec.Struct, frozen=True, kw_only=True):
    """What an operation did, as committed; a repeat of its reference answers this again
    with ``duplicate=True``."""

    reference: str
    guild_id: int
    user_id: int
    seq: int  # the batch that committed it
    created_at: int  # unix milliseconds
    moves: list[MoveResult] = []
    rows: list[RowResult] = []
    outbox: list[int] = []  # ids of the side effects it queued
    data: dict[str, Any] = {}
    duplicate: bool = False

    # The first ledger row: what a points command shows.
    @property
    def ledger_id(self) -> int:
        return self.moves[0].ledger_id if self.moves else 0

    @property
    def kind(self) -> str:
        return self.moves[0].kind if self.moves else ""

    @property
    def delta(self) -> int:
        return self.moves[0].delta if self.moves else 0

    @property
    def balance(self) -> int:
        return self.moves[0].balance if self.moves else 0

    @property
    def to_user_id(self) -> int | None:
        return (
            self.moves[1].user_id if self.kind == "transfer_out" and len(self.moves) > 1 else None
        )

    @property
    def to_balance(self) -> int | None:
        return (
            self.moves[1].balance if self.kind == "transfer_out" and len(self.moves) > 1 else None
        )

    def row(self, table: str, key: Key | None = None) -> dict[str, Any] | None:
        """A row of ``table`` (with ``key``) as this operation left it (its last change)."""
        found = None
        for r in self.rows:
            if r.table == table and (key is None or tuple(r.key) == tuple(key)):
                found = r.values
        return found

    def balance_of(self, user_id: int) -> int | None:
        """``user_id``'s balance after this operation (None if it did not move it)."""
        found = None
        for m in self.moves:
            if m.user_id == user_id:
                found = m.balance
        return found
