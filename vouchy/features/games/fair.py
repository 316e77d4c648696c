"""Provably fair randomness: a member's seeds, the outcome byte stream, unbiased draws, shuffles.

Promise: every outcome of a game is a pure function of (server seed, client seed, nonce) by the
method below, which ``docs/fairness.md`` lets anyone repeat with any HMAC-SHA256 tool. A server
seed's SHA-256 is shown before the member plays with it; the seed itself is revealed only when
the member rotates it, and never while one of their games is still open.

The stream. Block ``r`` (r = 0, 1, 2...) is HMAC-SHA256 with the key = the server seed's 64 hex
characters taken as ASCII text, and the message = ``f"{client_seed}:{nonce}:{r}"`` in UTF-8:
32 bytes. The stream is block 0, then block 1, and so on, read as 4-byte words (unsigned,
big-endian): word ``w`` is bytes ``4w .. 4w+3``, so block ``r`` holds words ``8r .. 8r+7``.

A draw in ``[0, n)`` (1 <= n <= 2**32): read the next word ``x``. Let ``limit = 2**32 -
(2**32 mod n)``, the largest multiple of ``n`` that is at most 2**32. If ``x >= limit`` the word
is rejected and the next word is read; otherwise the draw is ``x mod n``. Each value in
``[0, n)`` is then the remainder of exactly ``limit / n`` accepted words: no modulo bias. A word
is rejected with probability below ``n / 2**32`` (under one in 400,000 for every draw a game
makes), so in practice draw ``k`` of a game is word ``k``.

No game needs a fraction: every draw is a whole number (a dice roll is one of 10,000), so no
float is ever derived from the stream.

A shuffle (Fisher-Yates, front to back): for ``i`` from ``0`` to ``len - 2``, draw ``j = i +
below(len - i)`` and swap items ``i`` and ``j``. Position ``i`` is final after step ``i``, so the
first cards of a deck need only as many draws. A deck is the card ids ``0 .. 51`` once per deck
in order (``[0..51, 0..51, ...]``) shuffled so; card id ``c`` is rank ``c mod 13`` (A, 2 .. 10,
J, Q, K) of suit ``c div 13`` (spades, hearts, diamonds, clubs).
"""

from __future__ import annotations

import hashlib
import hmac
import random
import re
import secrets
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

import msgspec

from vouchy.core.errors import InvalidInput, Refused

T = TypeVar("T")

Entropy = Callable[[int], bytes]

WORD_BYTES = 4
WORD_SPAN = 2**32
BLOCK_BYTES = 32
SERVER_SEED_BYTES = 32
CLIENT_SEED_BYTES = 16
CLIENT_SEED_MAX = 64
CARDS_PER_DECK = 52

_CLIENT_SEED = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SERVER_SEED = re.compile(r"[0-9a-f]{64}")


class Draws(Protocol):
    """Anything that gives unbiased whole numbers in ``[0, n)``: the games take this."""

    def below(self, n: int) -> int: ...


class WordStream:
    """Unbiased draws from a source of 32-bit words (subclasses say where the words come from)."""

    def __init__(self) -> None:
        self.words_read = 0

    def _next_word(self) -> int:
        raise NotImplementedError

    def word(self) -> int:
        self.words_read += 1
        return self._next_word()

    def below(self, n: int) -> int:
        # Invariant: every value in [0, n) comes from exactly limit / n accepted words.
        if not 1 <= n <= WORD_SPAN:
            raise ValueError(f"a draw needs 1 <= n <= 2**32, not {n}")
        limit = WORD_SPAN - WORD_SPAN % n
        while True:
            x = self.word()
            if x < limit:
                return x % n


class FairStream(WordStream):
    """The outcome stream of one game: HMAC-SHA256 blocks of (server seed, client seed, nonce)."""

    def __init__(self, server_seed: str, client_seed: str, nonce: int) -> None:
        super().__init__()
        self._key = server_seed.encode("ascii")
        self._prefix = f"{client_seed}:{nonce}:"
        self._round = 0
        self._buffer = b""
        self._offset = 0

    def _next_word(self) -> int:
        if self._offset == len(self._buffer):
            self._buffer = outcome_block(self._key, self._prefix, self._round)
            self._round += 1
            self._offset = 0
        word = self._buffer[self._offset : self._offset + WORD_BYTES]
        self._offset += WORD_BYTES
        return int.from_bytes(word, "big")


class BytesStream(WordStream):
    """Words read from given bytes (a worked example, a test that needs chosen words)."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        if len(data) % WORD_BYTES:
            raise ValueError("the bytes must be whole 4-byte words")
        self._data = data
        self._offset = 0

    def _next_word(self) -> int:
        if self._offset >= len(self._data):
            raise IndexError("the given bytes are used up")
        word = self._data[self._offset : self._offset + WORD_BYTES]
        self._offset += WORD_BYTES
        return int.from_bytes(word, "big")


class RandomStream(WordStream):
    """Words from a ``random.Random``: the same draws, faster, for simulations (never for play)."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self._rng = rng

    def _next_word(self) -> int:
        return self._rng.getrandbits(32)


def outcome_block(key: bytes, prefix: str, round_: int) -> bytes:
    """Block ``round_`` of the stream: HMAC-SHA256(key, f"{client}:{nonce}:{round}")."""
    return hmac.new(key, f"{prefix}{round_}".encode(), hashlib.sha256).digest()


def block_hex(server_seed: str, client_seed: str, nonce: int, round_: int = 0) -> str:
    """Block ``round_`` in hex, as an HMAC tool shows it (for the docs and ``fair verify``)."""
    return outcome_block(server_seed.encode("ascii"), f"{client_seed}:{nonce}:", round_).hex()


def shuffle(draws: Draws, items: Sequence[T], first: int | None = None) -> list[T]:
    """Fisher-Yates front to back: for i = 0 .. len-2, swap items i and i + below(len - i).
    With ``first``, only the first ``first`` positions are drawn (the same as the full shuffle's
    first ``first`` items for the same draws) and only they are returned."""
    out = list(items)
    shuffle_positions(draws, out, 0, len(out) if first is None else first)
    return out if first is None else out[:first]


def shuffle_positions(draws: Draws, items: list[T], start: int, stop: int) -> None:
    """Steps ``start .. stop - 1`` of the forward Fisher-Yates shuffle, in place: after steps
    ``0 .. k - 1``, continuing from ``k`` gives what one longer run would have."""
    # Invariant: each of the len! orders is equally likely when the draws are uniform.
    n = len(items)
    for i in range(start, min(stop, n - 1)):
        j = i + draws.below(n - i)
        items[i], items[j] = items[j], items[i]


def shuffled_deck(draws: Draws, decks: int = 1, first: int | None = None) -> tuple[int, ...]:
    """``decks`` 52-card decks (card ids 0..51, each deck in order) shuffled by ``shuffle``
    (only the first ``first`` cards if given)."""
    if decks < 1:
        raise ValueError("at least one deck")
    return tuple(shuffle(draws, list(range(CARDS_PER_DECK)) * decks, first))


# -- A member's seeds ------------------------------------------------------------------------


class FairSeeds(msgspec.Struct, frozen=True, kw_only=True):
    """A member's current seeds. ``server_seed`` stays secret until rotated; ``nonce`` is the
    nonce the member's next game will use (0 for a fresh server seed)."""

    server_seed: str
    server_seed_hash: str
    client_seed: str
    nonce: int = 0


class GameSeed(msgspec.Struct, frozen=True, kw_only=True):
    """What a game records of its randomness: enough to recompute it once the seed is revealed."""

    server_seed_hash: str
    client_seed: str
    nonce: int


class RevealedSeed(msgspec.Struct, frozen=True, kw_only=True):
    """A rotated server seed, revealed: it produced the games with nonces ``0 .. games - 1``."""

    server_seed: str
    server_seed_hash: str
    games: int


def hash_server_seed(server_seed: str) -> str:
    """SHA-256 of the seed's hex text (what ``printf %s SEED | sha256sum`` prints)."""
    return hashlib.sha256(server_seed.encode("ascii")).hexdigest()


def new_server_seed(entropy: Entropy = secrets.token_bytes) -> str:
    """32 random bytes in lower-case hex (64 characters)."""
    return entropy(SERVER_SEED_BYTES).hex()


def new_client_seed(entropy: Entropy = secrets.token_bytes) -> str:
    """The default client seed: 16 random bytes in hex."""
    return entropy(CLIENT_SEED_BYTES).hex()


def new_seeds(entropy: Entropy = secrets.token_bytes) -> FairSeeds:
    """A member's first seeds: a fresh server seed, a random client seed, nonce 0."""
    server_seed = new_server_seed(entropy)
    return FairSeeds(
        server_seed=server_seed,
        server_seed_hash=hash_server_seed(server_seed),
        client_seed=new_client_seed(entropy),
    )


def check_client_seed(value: object) -> str:
    """1 to 64 characters among letters, digits, ``-`` and ``_`` (easy to type in any tool)."""
    if not isinstance(value, str) or not _CLIENT_SEED.fullmatch(value):
        raise InvalidInput("games.fair.bad_client_seed", maximum=CLIENT_SEED_MAX)
    return value


def check_server_seed(value: object) -> str:
    """A revealed server seed as typed into ``fair verify``: 64 lower-case hex characters."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if not _SERVER_SEED.fullmatch(text):
        raise InvalidInput("games.fair.bad_server_seed")
    return text


def check_nonce(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput("games.fair.bad_nonce")
    return value


def with_client_seed(seeds: FairSeeds, client_seed: str) -> FairSeeds:
    """The member's own client seed from the next game on. The nonce keeps counting, so no
    (server seed, client seed, nonce) is ever used twice."""
    return msgspec.structs.replace(seeds, client_seed=check_client_seed(client_seed))


def next_game(seeds: FairSeeds) -> tuple[FairStream, GameSeed, FairSeeds]:
    """The stream for the member's next game, what the game records, and the seeds after it."""
    # Invariant: a nonce is used by one game only; the seeds returned count the next one.
    stream = FairStream(seeds.server_seed, seeds.client_seed, seeds.nonce)
    ticket = GameSeed(
        server_seed_hash=seeds.server_seed_hash, client_seed=seeds.client_seed, nonce=seeds.nonce
    )
    return stream, ticket, msgspec.structs.replace(seeds, nonce=seeds.nonce + 1)


def rotate(
    seeds: FairSeeds, *, open_games: int = 0, entropy: Entropy = secrets.token_bytes
) -> tuple[FairSeeds, RevealedSeed]:
    """A new server seed (nonce 0, same client seed) and the old one revealed. Refused while a
    game that drew from the old seed is still open: revealing it would show the rest of that
    game (a blackjack deck) to the player."""
    if open_games > 0:
        raise Refused("games.fair.rotate_while_playing", games=open_games)
    server_seed = new_server_seed(entropy)
    fresh = FairSeeds(
        server_seed=server_seed,
        server_seed_hash=hash_server_seed(server_seed),
        client_seed=seeds.client_seed,
    )
    revealed = RevealedSeed(
        server_seed=seeds.server_seed, server_seed_hash=seeds.server_seed_hash, games=seeds.nonce
    )
    return fresh, revealed


def seed_matches(server_seed: str, shown_hash: str) -> bool:
    """Whether a revealed seed is the one whose hash was shown before the games."""
    return hmac.compare_digest(hash_server_seed(server_seed), shown_hash.strip().lower())
