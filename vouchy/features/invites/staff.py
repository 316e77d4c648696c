"""Staff mapping: an invite code, or an inviter, mapped to the staff member credited for the
referral, with that staff member's referral link and code (``/invites staff set|remove|list``).

A join's staff member is the one mapped to its code, else the one mapped to its inviter, else
none. Inputs are checked here and refused with a text key, so a bad link or code never
reaches the writer.
"""

from __future__ import annotations

import re

import msgspec

from vouchy.core.errors import InvalidInput, Refused
from vouchy.features.invites import texts  # noqa: F401  (registers the texts)

MAX_LINK = 512
MAX_REFERRAL_CODE = 64

# Discord invite codes and vanity codes: letters, digits and dashes.
_CODE = re.compile(r"[A-Za-z0-9-]{2,32}")
_INVITE_URL = re.compile(
    r"(?:https?://)?(?:www\.)?(?:discord\.gg|discord(?:app)?\.com/invite)/([^/?#\s]+)/?"
    r"(?:[?#]\S*)?",
    re.IGNORECASE,
)
_LINK = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)


class StaffLink(msgspec.Struct, frozen=True, kw_only=True):
    """One mapping: exactly one of ``code`` and ``inviter_id`` is set."""

    code: str | None = None
    inviter_id: int | None = None
    staff_id: int
    staff_name: str | None = None
    referral_link: str | None = None
    referral_code: str | None = None
    set_by: int | None = None
    set_at_ms: int = 0

    @property
    def row_key(self) -> str:
        """The key the store keeps one row per: ``code:<code>`` or ``inviter:<id>``."""
        return f"code:{self.code}" if self.code is not None else f"inviter:{self.inviter_id}"


class StaffMap(msgspec.Struct, frozen=True, kw_only=True):
    by_code: dict[str, StaffLink] = msgspec.field(default_factory=dict)
    by_inviter: dict[int, StaffLink] = msgspec.field(default_factory=dict)


def staff_map(links: list[StaffLink] | tuple[StaffLink, ...]) -> StaffMap:
    mapping = StaffMap()
    for link in links:
        mapping = set_link(mapping, link)
    return mapping


def staff_for(mapping: StaffMap, code: str | None, inviter_id: int | None) -> StaffLink | None:
    """The staff member for a join: the code's mapping first, then the inviter's."""
    if code is not None and code in mapping.by_code:
        return mapping.by_code[code]
    if inviter_id is not None:
        return mapping.by_inviter.get(inviter_id)
    return None


def new_link(
    *,
    staff_id: int,
    code: str | None = None,
    inviter_id: int | None = None,
    referral_link: str | None = None,
    referral_code: str | None = None,
    set_by: int | None = None,
    set_at_ms: int = 0,
    staff_name: str | None = None,
) -> StaffLink:
    """A checked mapping from what an admin typed (``code`` may be a full invite URL)."""
    # Invariant: a link maps exactly one key, and every text in it passed its check.
    if (code is None) == (inviter_id is None):
        raise InvalidInput("invites.staff_one_key")
    return StaffLink(
        code=None if code is None else parse_invite_code(code),
        inviter_id=inviter_id,
        staff_id=staff_id,
        staff_name=None if staff_name is None else staff_name[:100],
        referral_link=None if referral_link is None else check_referral_link(referral_link),
        referral_code=None if referral_code is None else check_referral_code(referral_code),
        set_by=set_by,
        set_at_ms=set_at_ms,
    )


def set_link(mapping: StaffMap, link: StaffLink) -> StaffMap:
    """Add or replace the mapping of the link's key."""
    if link.code is not None:
        return msgspec.structs.replace(mapping, by_code={**mapping.by_code, link.code: link})
    assert link.inviter_id is not None
    return msgspec.structs.replace(
        mapping, by_inviter={**mapping.by_inviter, link.inviter_id: link}
    )


def remove_link(
    mapping: StaffMap, *, code: str | None = None, inviter_id: int | None = None
) -> StaffMap:
    """Remove one mapping; refused when there is none for that key."""
    if (code is None) == (inviter_id is None):
        raise InvalidInput("invites.staff_one_key")
    if code is not None:
        code = parse_invite_code(code)
        if code not in mapping.by_code:
            raise Refused("invites.staff_not_mapped", key=code)
        rest = {k: v for k, v in mapping.by_code.items() if k != code}
        return msgspec.structs.replace(mapping, by_code=rest)
    if inviter_id not in mapping.by_inviter:
        raise Refused("invites.staff_not_mapped", key=f"<@{inviter_id}>")
    others = {k: v for k, v in mapping.by_inviter.items() if k != inviter_id}
    return msgspec.structs.replace(mapping, by_inviter=others)


def parse_invite_code(text: str) -> str:
    """``abc123``, ``discord.gg/abc123`` or ``https://discord.com/invite/abc123`` -> ``abc123``."""
    value = text.strip()
    url = _INVITE_URL.fullmatch(value)
    if url is not None:
        value = url.group(1)
    if not _CODE.fullmatch(value):
        raise InvalidInput("invites.bad_code", code=text.strip()[:40])
    return value


def check_referral_link(text: str) -> str:
    """An http(s) link without spaces, at most MAX_LINK characters."""
    value = text.strip()
    if len(value) > MAX_LINK or not _LINK.fullmatch(value):
        raise InvalidInput("invites.bad_referral_link", maximum=MAX_LINK)
    return value


def check_referral_code(text: str) -> str:
    """A referral code: 1 to MAX_REFERRAL_CODE printable characters, no spaces."""
    value = text.strip()
    if not 1 <= len(value) <= MAX_REFERRAL_CODE or any(
        c.isspace() or not c.isprintable() for c in value
    ):
        raise InvalidInput("invites.bad_referral_code", maximum=MAX_REFERRAL_CODE)
    return value
