"""API keys: issued once, stored as a hash, compared in constant time, scoped, never shown."""

from __future__ import annotations

import hashlib
import io
import itertools
import logging
import re

import msgspec
import pytest
import structlog

from vouchy.core import errors
from vouchy.core.logs import configure_logging, get_logger
from vouchy.features.api import keys
from vouchy.features.api.keys import KeyRevoked, MissingScope, Unauthenticated, WrongGuild

GUILD = 111
OTHER_GUILD = 222


def counting_bytes(start: int = 1):
    """A reproducible stand-in for secrets.token_bytes."""
    counter = itertools.count(start)
    return lambda n: bytes(next(counter) % 256 for _ in range(n))


def issue(scopes: str = "read earn", **kw: object) -> keys.IssuedKey:
    args = {
        "guild_id": GUILD,
        "name": "shop",
        "scopes": scopes,
        "created_by": 42,
        "now_ms": 1_700_000_000_000,
    }
    args.update(kw)
    return keys.issue(**args)  # type: ignore[arg-type]


def login(issued: keys.IssuedKey, header: str | None = None) -> keys.ApiKey:
    presented = keys.parse_bearer(header or f"Bearer {issued.key.reveal()}")
    return keys.check_presented(presented, issued.record)


def test_a_key_reads_vk_then_its_public_id_then_a_240_bit_secret() -> None:
    issued = issue()
    key = issued.key.reveal()
    match = re.fullmatch(r"vk_([0-9a-f]{12})_([a-z2-7]{48})", key)
    assert match is not None
    assert match.group(1) == issued.record.id
    assert len(match.group(2)) * 5 == 240


def test_the_stored_record_holds_the_keys_sha256_and_never_the_key() -> None:
    issued = issue()
    key = issued.key.reveal()
    stored = msgspec.json.encode(issued.record).decode()
    assert issued.record.key_hash == "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    assert key not in stored
    assert key.split("_")[2] not in stored


def test_keys_come_from_the_random_source_given() -> None:
    first = issue(token_bytes=counting_bytes())
    again = issue(token_bytes=counting_bytes())
    other = issue(token_bytes=counting_bytes(start=7))
    assert first.key.reveal() == again.key.reveal()
    assert first.key.reveal() != other.key.reveal()


def test_the_right_key_is_accepted_with_its_record() -> None:
    issued = issue()
    assert login(issued) == issued.record


def test_the_bearer_scheme_is_case_insensitive_and_spaces_around_are_ignored() -> None:
    issued = issue()
    assert login(issued, f"  bearer  {issued.key.reveal()} ") == issued.record


@pytest.mark.parametrize("header", [None, "", "Basic dXNlcjpwYXNz", "Bearer", "vk_abc"])
def test_a_missing_header_or_another_scheme_asks_for_a_bearer_key(header: str | None) -> None:
    with pytest.raises(Unauthenticated) as refused:
        keys.parse_bearer(header)
    assert refused.value.key == "web.key_missing"
    assert type(refused.value) is Unauthenticated


def test_a_wrong_secret_an_unknown_id_and_a_malformed_key_get_the_same_refusal() -> None:
    issued = issue()
    key = issued.key.reveal()
    wrong_secret = key[:-1] + ("a" if key[-1] != "a" else "b")
    refusals = []
    with pytest.raises(Unauthenticated) as refused:
        keys.check_presented(keys.parse_bearer(f"Bearer {wrong_secret}"), issued.record)
    refusals.append(refused.value)
    with pytest.raises(Unauthenticated) as refused:
        keys.check_presented(keys.parse_bearer(f"Bearer {key}"), None)
    refusals.append(refused.value)
    with pytest.raises(Unauthenticated) as refused:
        keys.parse_bearer(f"Bearer {key}X")
    refusals.append(refused.value)
    assert {(type(r), r.key, r.message) for r in refusals} == {
        (Unauthenticated, "web.key_invalid", "This API key is not valid.")
    }


def test_a_record_found_under_another_id_does_not_accept_the_key() -> None:
    mine, theirs = issue(), issue()
    presented = keys.parse_bearer(f"Bearer {mine.key.reveal()}")
    with pytest.raises(Unauthenticated):
        keys.check_presented(presented, theirs.record)


def test_hashes_are_compared_with_compare_digest_even_for_an_unknown_id(monkeypatch) -> None:
    calls: list[tuple[str, str]] = []
    real = keys.hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(keys.hmac, "compare_digest", spy)
    issued = issue()
    login(issued)
    with pytest.raises(Unauthenticated):
        keys.check_presented(keys.parse_bearer(f"Bearer {issued.key.reveal()}"), None)
    assert len(calls) == 2
    assert all(a.startswith("sha256:") and b.startswith("sha256:") for a, b in calls)


def test_a_revoked_key_is_told_it_was_revoked_only_with_its_right_secret() -> None:
    issued = issue()
    revoked = keys.revoke(issued.record, now_ms=1_700_000_100_000)
    presented = keys.parse_bearer(f"Bearer {issued.key.reveal()}")
    with pytest.raises(KeyRevoked) as refused:
        keys.check_presented(presented, revoked)
    assert "revoked" in refused.value.message
    forged = issued.key.reveal()[:-2] + "zz"
    with pytest.raises(Unauthenticated) as refused:
        keys.check_presented(keys.parse_bearer(f"Bearer {forged}"), revoked)
    assert type(refused.value) is Unauthenticated


def test_revoking_twice_keeps_the_first_time() -> None:
    record = keys.revoke(issue().record, now_ms=10)
    assert keys.revoke(record, now_ms=20).revoked_at == 10
    assert record.revoked


def test_a_key_is_refused_on_another_guild() -> None:
    record = issue("read").record
    with pytest.raises(WrongGuild) as refused:
        keys.authorize(record, OTHER_GUILD, "read")
    assert isinstance(refused.value, errors.PermissionDenied)


def test_a_key_without_the_operations_scope_is_refused_naming_the_scope() -> None:
    record = issue("read earn").record
    keys.authorize(record, GUILD, "earn")
    with pytest.raises(MissingScope) as refused:
        keys.authorize(record, GUILD, "spend")
    assert "`spend`" in refused.value.message


def test_admin_does_not_imply_the_other_scopes() -> None:
    record = issue("admin").record
    keys.authorize(record, GUILD, "admin")
    for scope in ("read", "earn", "spend"):
        with pytest.raises(MissingScope):
            keys.authorize(record, GUILD, scope)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "given", ["spend, read", "SPEND read", ["read", "spend", "read"], "read,,spend "]
)
def test_scopes_parse_into_their_canonical_order(given: str | list[str]) -> None:
    assert keys.parse_scopes(given) == ("read", "spend")


def test_an_unknown_scope_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(errors.InvalidInput) as refused:
        keys.parse_scopes("read write")
    assert refused.value.message == "Unknown scope `write`: choose among read, earn, spend, admin."


def test_a_key_without_scopes_is_refused() -> None:
    with pytest.raises(errors.InvalidInput) as refused:
        issue(" , ")
    assert refused.value.key == "web.scopes_empty"


@pytest.mark.parametrize("name", ["", "   ", "x" * 65, "two\nlines"])
def test_a_key_name_must_be_one_line_of_1_to_64_characters(name: str) -> None:
    with pytest.raises(errors.InvalidInput):
        issue(name=name)


def test_the_secret_never_shows_in_repr_str_json_or_logs() -> None:
    issued = issue()
    key = issued.key.reveal()
    secret_part = key.split("_")[2]
    shown = [repr(issued), str(issued), f"{issued.key}", repr(issued.record), str(issued.key)]
    assert all(secret_part not in text for text in shown)
    assert f"vk_{issued.record.id}_…" in repr(issued.key)
    with pytest.raises(TypeError):
        msgspec.json.encode(issued)
    stream = io.StringIO()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("INFO", "json", stream)
    try:
        get_logger("test").info("api_key_created", key=issued.key, issued=issued)
    finally:
        structlog.reset_defaults()
        root.handlers[:], root.level = handlers, level
    assert "api_key_created" in stream.getvalue()
    assert secret_part not in stream.getvalue()
