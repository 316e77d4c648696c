"""A fake of the publisher's gift-code API on 127.0.0.1 (aiohttp), for the tests and for
``python -m vouchy bench giftcodes``.

It checks signatures, knows players (state, furnace level, VIP, spending) and codes (valid,
expired, not found, claim limit, level/VIP/spending requirements, same-type groups), issues
captchas as real PNG images, answers TOO FREQUENT per player, a host-wide 429 with Retry-After
past its rate limit, and injected faults (timeouts, HTML pages, garbage, 5xx, any answer of the
table). It counts every request: per path, per whole second, per (code, player), so a bench
can compute the requests it wasted and the busiest second.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import hashlib
import random
import struct
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import msgspec
from aiohttp import web

Fault = Literal[
    "timeout",  # the request takes effect, the answer comes after the client gave up
    "timeout_before",  # the answer comes late and nothing took effect
    "chunked",  # the usual answer, sent in two pieces a moment apart
    "html",  # 200 with an HTML page
    "html_502",  # a proxy's 502 HTML page
    "garbage",  # 200 with bytes that are not JSON
    "http_500",
    "http_503",  # with Retry-After when ``retry_after_s`` is given
    "http_429",  # with Retry-After when ``retry_after_s`` is given
    "http_404",
    "timeout_retry",
    "not_login",
    "user_info_error",
    "too_frequent",
    "captcha_error",
    "sign_error",
    "unknown_msg",
]
Path = Literal["player", "captcha", "gift_code"]

# The publisher's words for each scripted answer (trailing dots as the real API writes them).
_SCRIPTED: Final[dict[str, tuple[str, int]]] = {
    "timeout_retry": ("TIMEOUT RETRY.", 40004),
    "not_login": ("NOT LOGIN.", 40002),
    "user_info_error": ("USER INFO ERROR.", 40020),
    "too_frequent": ("TOO FREQUENT.", 40019),
    # The notes give 40100-40103 for captcha answers; which number means what is the fake's pick.
    "captcha_error": ("CAPTCHA CHECK ERROR.", 40103),
    "sign_error": ("Sign Error", 40000),
    "unknown_msg": ("SOMETHING NEW.", 49999),
}
_CAPTCHA_TOO_FREQUENT: Final = ("CAPTCHA GET TOO FREQUENT.", 40101)
_LABEL: Final = web.ResponseKey("giftcodes_label", str)  # what the fake told this request
_LATE: Final = web.ResponseKey("giftcodes_late", bool)  # answer after ``slow_s``
_CHUNKED: Final = web.ResponseKey("giftcodes_chunked", bool)  # body in two pieces


@dataclass
class FakePlayer:
    fid: int
    nickname: str = ""
    kid: int = 1
    furnace_level: int = 30
    vip: int = 0
    spent: int = 0


@dataclass
class FakeCode:
    code: str
    state: Literal["valid", "expired", "invalid"] = "valid"
    claim_limit: int | None = None  # successful claims before everyone else gets USED
    min_level: int = 0
    min_vip: int = 0
    min_spent: int = 0
    group: str | None = None  # codes of one group: a player gets only one (SAME TYPE EXCHANGE)
    claims: int = 0


@dataclass
class _Injected:
    fault: Fault
    times: int
    path: Path | None
    fid: int | None
    code: str | None
    retry_after_s: int | None


@dataclass
class Counters:
    """What the fake saw; times are ``time.monotonic()`` seconds."""

    requests: int = 0
    by_path: collections.Counter[str] = field(default_factory=collections.Counter)
    arrivals: list[float] = field(default_factory=list)
    pair_requests: collections.Counter[tuple[str, int]] = field(default_factory=collections.Counter)
    outcomes: dict[tuple[str, int], str] = field(default_factory=dict)  # last msg per pair
    answers: collections.Counter[str] = field(default_factory=collections.Counter)
    successes: collections.Counter[tuple[str, int]] = field(default_factory=collections.Counter)
    rate_limited: int = 0
    in_flight: int = 0  # requests received and not yet answered

    def per_second(self) -> dict[int, int]:
        """Requests per whole second since the first one."""
        if not self.arrivals:
            return {}
        t0 = self.arrivals[0]
        return dict(collections.Counter(int(t - t0) for t in self.arrivals))

    def max_in_window(self, window_s: float = 1.0) -> int:
        """The most requests that arrived within any ``window_s`` (sliding, half-open)."""
        best = 0
        left = 0
        times = self.arrivals
        for right, t in enumerate(times):
            while t - times[left] >= window_s:
                left += 1
            best = max(best, right - left + 1)
        return best

    def redeem_requests(self) -> int:
        return sum(self.pair_requests.values())

    def wasted_redeem_requests(self) -> int:
        """Redemption requests beyond one per (code, player) seen."""
        return self.redeem_requests() - len(self.pair_requests)


# --- Captcha images: 5x7 glyphs drawn into a grey PNG with the standard library ------------------

CAPTCHA_ALPHABET: Final = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_GLYPHS: Final[dict[str, str]] = {
    "2": ".###.|#...#|....#|...#.|..#..|.#...|#####",
    "3": "####.|....#|....#|.###.|....#|....#|####.",
    "4": "...#.|..##.|.#.#.|#..#.|#####|...#.|...#.",
    "5": "#####|#....|####.|....#|....#|#...#|.###.",
    "6": "..##.|.#...|#....|####.|#...#|#...#|.###.",
    "7": "#####|....#|...#.|..#..|.#...|.#...|.#...",
    "8": ".###.|#...#|#...#|.###.|#...#|#...#|.###.",
    "9": ".###.|#...#|#...#|.####|....#|...#.|.##..",
    "A": ".###.|#...#|#...#|#####|#...#|#...#|#...#",
    "B": "####.|#...#|#...#|####.|#...#|#...#|####.",
    "C": ".###.|#...#|#....|#....|#....|#...#|.###.",
    "D": "###..|#..#.|#...#|#...#|#...#|#..#.|###..",
    "E": "#####|#....|#....|####.|#....|#....|#####",
    "F": "#####|#....|#....|####.|#....|#....|#....",
    "G": ".###.|#...#|#....|#.###|#...#|#...#|.####",
    "H": "#...#|#...#|#...#|#####|#...#|#...#|#...#",
    "J": "..###|...#.|...#.|...#.|...#.|#..#.|.##..",
    "K": "#...#|#..#.|#.#..|##...|#.#..|#..#.|#...#",
    "M": "#...#|##.##|#.#.#|#.#.#|#...#|#...#|#...#",
    "N": "#...#|#...#|##..#|#.#.#|#..##|#...#|#...#",
    "P": "####.|#...#|#...#|####.|#....|#....|#....",
    "Q": ".###.|#...#|#...#|#...#|#.#.#|#..#.|.##.#",
    "R": "####.|#...#|#...#|####.|#.#..|#..#.|#...#",
    "S": ".####|#....|#....|.###.|....#|....#|####.",
    "T": "#####|..#..|..#..|..#..|..#..|..#..|..#..",
    "U": "#...#|#...#|#...#|#...#|#...#|#...#|.###.",
    "V": "#...#|#...#|#...#|#...#|#...#|.#.#.|..#..",
    "W": "#...#|#...#|#...#|#.#.#|#.#.#|#.#.#|.#.#.",
    "X": "#...#|#...#|.#.#.|..#..|.#.#.|#...#|#...#",
    "Y": "#...#|#...#|.#.#.|..#..|..#..|..#..|..#..",
    "Z": "#####|....#|...#.|..#..|.#...|#....|#####",
}


def captcha_png(text: str, scale: int = 2) -> bytes:
    """A grey-scale PNG of ``text`` in a 5x7 pixel font: dark glyphs on a light background."""
    margin, gap = 3 * scale, 2 * scale
    width = 2 * margin + len(text) * 5 * scale + max(0, len(text) - 1) * gap
    height = 2 * margin + 7 * scale
    pixels = [bytearray(b"\xf0" * width) for _ in range(height)]
    for i, ch in enumerate(text):
        rows = _GLYPHS[ch].split("|")
        x0 = margin + i * (5 * scale + gap)
        for gy, row in enumerate(rows):
            for gx, bit in enumerate(row):
                if bit == "#":
                    for dy in range(scale):
                        y = margin + gy * scale + dy
                        pixels[y][x0 + gx * scale : x0 + (gx + 1) * scale] = b"\x20" * scale
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def _sign(fields: dict[str, str], secret: str) -> str:
    text = "&".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "sign")
    return hashlib.md5((text + secret).encode("utf-8")).hexdigest()


def _json(payload: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(
        body=msgspec.json.encode(payload), status=status, content_type="application/json"
    )


def _reply(msg: str, err_code: int | str, *, ok: bool = False, data: Any = None) -> web.Response:
    return _json({"code": 0 if ok else 1, "data": data or [], "msg": msg, "err_code": err_code})


class FakeProvider:
    """The fake publisher. ``async with FakeProvider(secret=...) as fake: fake.base_url``."""

    def __init__(
        self,
        *,
        secret: str = "fake-secret",
        players: Iterable[FakePlayer] = (),
        codes: Iterable[FakeCode] = (),
        captcha: bool = True,
        rate_limit: int | None = None,  # requests per ``rate_window_s`` before 429
        rate_window_s: float = 1.0,
        retry_after_s: int = 1,
        player_min_gap_s: float | None = None,  # gift_code for one player: TOO FREQUENT
        login_ttl_s: float | None = None,  # gift_code needs a lookup this recent: NOT LOGIN
        captcha_min_gap_s: float | None = None,  # captcha fetches for one player
        captcha_case_sensitive: bool = False,
        slow_s: float = 2.0,  # how late a "timeout" answer comes
        answer_delay_s: float = 0.0,  # every answer waits this long (its effect taken first)
        noise: float = 0.0,  # this share of gift_code requests get a random temporary fault
        seed: int = 0,
    ) -> None:
        self.secret = secret
        self.players = {p.fid: p for p in players}
        self.codes = {c.code: c for c in codes}
        self.captcha = captcha
        self.rate_limit = rate_limit
        self.rate_window_s = rate_window_s
        self.retry_after_s = retry_after_s
        self.player_min_gap_s = player_min_gap_s
        self.login_ttl_s = login_ttl_s
        self.captcha_min_gap_s = captcha_min_gap_s
        self.captcha_case_sensitive = captcha_case_sensitive
        self.slow_s = slow_s
        self.answer_delay_s = answer_delay_s
        self.noise = noise
        self.counters = Counters()
        self.received: dict[int, set[str]] = collections.defaultdict(set)
        self._groups: dict[int, set[str]] = collections.defaultdict(set)
        self._faults: list[_Injected] = []
        self._rng = random.Random(seed)
        self._window: collections.deque[float] = collections.deque()
        self._last_redeem: dict[int, float] = {}
        self._last_login: dict[int, float] = {}
        self._last_captcha_fetch: dict[int, float] = {}
        self._captcha_for: dict[int, str] = {}
        self._images: dict[bytes, str] = {}
        self._runner: web.AppRunner | None = None
        self._last_msg = ""
        self.base_url = ""

    # --- set-up -----------------------------------------------------------------------------

    def add_player(self, player: FakePlayer) -> None:
        self.players[player.fid] = player

    def add_code(self, code: FakeCode) -> None:
        self.codes[code.code] = code

    def inject(
        self,
        fault: Fault,
        *,
        times: int = 1,
        path: Path | None = "gift_code",
        fid: int | None = None,
        code: str | None = None,
        retry_after_s: int | None = None,
    ) -> None:
        """The next ``times`` matching requests get ``fault`` (``path=None``: any path)."""
        self._faults.append(_Injected(fault, times, path, fid, code, retry_after_s))

    def captcha_answer(self, image: bytes) -> str | None:
        """The text of a captcha image this fake issued (what a perfect solver would read)."""
        return self._images.get(image)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application()
        for path in ("player", "captcha", "gift_code"):
            app.router.add_post(f"/api/{path}", self._handler(path))
        self._runner = web.AppRunner(app, shutdown_timeout=0.1, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0]
        self.base_url = f"http://{bound[0]}:{bound[1]}/api"
        return self.base_url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeProvider:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- requests -------------------------------------------------------------------------------

    def _handler(self, path: str) -> Any:
        async def handle(request: web.Request) -> web.StreamResponse:
            return await self._handle(path, request)

        return handle

    def _take_fault(self, path: str, fid: int | None, code: str | None) -> _Injected | None:
        for item in self._faults:
            if item.times <= 0:
                continue
            if item.path is not None and item.path != path:
                continue
            if item.fid is not None and item.fid != fid:
                continue
            if item.code is not None and item.code != code:
                continue
            item.times -= 1
            return item
        return None

    async def _handle(self, path: str, request: web.Request) -> web.StreamResponse:
        self.counters.in_flight += 1
        try:
            return await self._handle_one(path, request)
        finally:
            self.counters.in_flight -= 1

    async def _handle_one(self, path: str, request: web.Request) -> web.StreamResponse:
        now = time.monotonic()
        c = self.counters
        c.requests += 1
        c.by_path[path] += 1
        c.arrivals.append(now)
        form = {k: str(v) for k, v in (await request.post()).items()}
        fid_text = form.get("fid", "")
        fid = int(fid_text) if fid_text.isdigit() else None
        code = form.get("cdk") or None
        if path == "gift_code" and fid is not None and code is not None:
            c.pair_requests[(code, fid)] += 1
        response = await self._answer(path, now, form, fid, code)
        if path == "gift_code" and fid is not None and code is not None:
            c.outcomes[(code, fid)] = str(response.get(_LABEL, ""))
        if response.get(_CHUNKED) and isinstance(response, web.Response):
            return await self._in_pieces(request, response)
        return response

    async def _in_pieces(self, request: web.Request, response: web.Response) -> web.StreamResponse:
        body = bytes(response.body) if isinstance(response.body, bytes | bytearray) else b""
        stream = web.StreamResponse(status=response.status)
        stream.content_type = response.content_type
        await stream.prepare(request)
        await stream.write(body[:10])
        await asyncio.sleep(0.05)
        await stream.write(body[10:])
        await stream.write_eof()
        return stream

    def _count(self, label: str) -> None:
        self.counters.answers[label] += 1
        self._last_msg = label

    def _over_rate(self, now: float) -> bool:
        if self.rate_limit is None:
            return False
        while self._window and now - self._window[0] >= self.rate_window_s:
            self._window.popleft()
        self._window.append(now)
        return len(self._window) > self.rate_limit

    async def _answer(
        self, path: str, now: float, form: dict[str, str], fid: int | None, code: str | None
    ) -> web.StreamResponse:
        response = await self._decide(path, now, form, fid, code)
        response[_LABEL] = self._last_msg  # what this request was told, before any await
        if response.get(_LATE):
            await asyncio.sleep(self.slow_s)  # took effect; the client has given up by now
        elif self.answer_delay_s:
            await asyncio.sleep(self.answer_delay_s)
        return response

    async def _decide(
        self, path: str, now: float, form: dict[str, str], fid: int | None, code: str | None
    ) -> web.StreamResponse:
        if self._over_rate(now):
            self.counters.rate_limited += 1
            self._count("HTTP 429")
            return web.Response(
                status=429,
                text="Too Many Requests",
                headers={"Retry-After": str(self.retry_after_s)},
            )
        fault = self._take_fault(path, fid, code)
        if fault is None and path == "gift_code" and self.noise and self._rng.random() < self.noise:
            noisy: Fault = self._rng.choice(("timeout_retry", "http_503", "html"))
            fault = _Injected(noisy, 0, None, None, None, None)
        if fault is not None:
            early = await self._transport_fault(fault)
            if early is not None:
                return early
        if form.get("sign") != _sign(form, self.secret):
            self._count("Sign Error")
            return _reply("Sign Error", 40000)
        if fault is not None and fault.fault in _SCRIPTED:
            msg, err = _SCRIPTED[fault.fault]
            self._count(msg)
            return _reply(msg, err)
        if path == "player":
            response = self._player(now, fid)
        elif path == "captcha":
            response = self._captcha_fetch(now, fid)
        else:
            response = self._redeem(now, form, fid, code)
        if fault is not None and fault.fault == "timeout":
            response[_LATE] = True
        if fault is not None and fault.fault == "chunked":
            response[_CHUNKED] = True
        return response

    async def _transport_fault(self, fault: _Injected) -> web.StreamResponse | None:
        kind = fault.fault
        headers = {"Retry-After": str(fault.retry_after_s)} if fault.retry_after_s else {}
        if kind == "timeout_before":
            self._count("late")
            response = _reply("TIMEOUT RETRY.", 40004)
            response[_LATE] = True
            return response
        if kind == "html":
            self._count("HTML")
            return web.Response(
                text="<html><body>Maintenance</body></html>", content_type="text/html"
            )
        if kind == "html_502":
            self._count("HTTP 502")
            return web.Response(
                status=502, text="<html><body>Bad Gateway</body></html>", content_type="text/html"
            )
        if kind == "garbage":
            self._count("garbage")
            return web.Response(body=b"\x00\x9f{not json", content_type="application/json")
        if kind.startswith("http_"):
            status = int(kind.removeprefix("http_"))
            self._count(f"HTTP {status}")
            return web.Response(status=status, text="error", headers=headers)
        return None

    def _player(self, now: float, fid: int | None) -> web.Response:
        player = self.players.get(fid) if fid is not None else None
        if player is None:
            self._count("role not exist.")
            return _reply("role not exist.", 40001)
        self._last_login[player.fid] = now
        self._count("success")
        data = {
            "fid": player.fid,
            "nickname": player.nickname or f"player{player.fid}",
            "kid": player.kid,
            "stove_lv": player.furnace_level,
            "stove_lv_content": player.furnace_level,
            "avatar_image": "https://example.invalid/avatar.png",
        }
        return _reply("success", "", ok=True, data=data)

    def _captcha_fetch(self, now: float, fid: int | None) -> web.Response:
        if fid is None or fid not in self.players:
            self._count("role not exist.")
            return _reply("role not exist.", 40001)
        last = self._last_captcha_fetch.get(fid)
        if self.captcha_min_gap_s is not None and last is not None:
            if now - last < self.captcha_min_gap_s:
                self._count(_CAPTCHA_TOO_FREQUENT[0])
                return _reply(*_CAPTCHA_TOO_FREQUENT)
        self._last_captcha_fetch[fid] = now
        text = "".join(self._rng.choice(CAPTCHA_ALPHABET) for _ in range(4))
        image = captcha_png(text)
        self._images[image] = text
        self._captcha_for[fid] = text
        self._count("captcha")
        data = {"img": "data:image/png;base64," + base64.b64encode(image).decode()}
        return _reply("SUCCESS", 0, ok=True, data=data)

    def _redeem(
        self, now: float, form: dict[str, str], fid: int | None, code: str | None
    ) -> web.Response:
        player = self.players.get(fid) if fid is not None else None
        if player is None:
            self._count("role not exist.")
            return _reply("role not exist.", 40001)
        if self.login_ttl_s is not None:
            seen = self._last_login.get(player.fid)
            if seen is None or now - seen > self.login_ttl_s:
                self._count("NOT LOGIN.")
                return _reply("NOT LOGIN.", 40002)
        if self.captcha:
            expected = self._captcha_for.pop(player.fid, None)
            given = form.get("captcha_code", "")
            if not self.captcha_case_sensitive:
                expected, given = (expected or "").upper() or None, given.upper()
            if expected is None or given != expected:
                self._count("CAPTCHA CHECK ERROR.")
                return _reply("CAPTCHA CHECK ERROR.", 40103)
        elif "kid" in form and form["kid"] != str(player.kid):
            self._count("USER INFO ERROR.")
            return _reply("USER INFO ERROR.", 40020)
        last = self._last_redeem.get(player.fid)
        self._last_redeem[player.fid] = now
        if self.player_min_gap_s is not None and last is not None:
            if now - last < self.player_min_gap_s:
                self._count("TOO FREQUENT.")
                return _reply("TOO FREQUENT.", 40019)
        gift = self.codes.get(code) if code is not None else None
        if gift is None or gift.state == "invalid":
            return self._final("CDK NOT FOUND.", 40014)
        if gift.state == "expired":
            return self._final("TIME ERROR.", 40007)
        if gift.code in self.received[player.fid]:
            return self._final("RECEIVED.", 40008)
        if gift.group is not None and gift.group in self._groups[player.fid]:
            return self._final("SAME TYPE EXCHANGE.", 40011)
        if gift.claim_limit is not None and gift.claims >= gift.claim_limit:
            return self._final("USED.", 40005)
        if player.furnace_level < gift.min_level:
            return self._final("STOVE_LV ERROR.", 40006)
        if player.vip < gift.min_vip:
            return self._final("RECHARGE_MONEY_VIP ERROR.", 40018)
        if player.spent < gift.min_spent:
            return self._final("RECHARGE_MONEY ERROR.", 40017)
        gift.claims += 1
        self.received[player.fid].add(gift.code)
        if gift.group is not None:
            self._groups[player.fid].add(gift.group)
        self.counters.successes[(gift.code, player.fid)] += 1
        self._count("SUCCESS")
        return _reply("SUCCESS", 20000, ok=True)

    def _final(self, msg: str, err_code: int) -> web.Response:
        self._count(msg)
        return _reply(msg, err_code)


class FakeCaptchaSolver:
    """Reads the fake's captchas perfectly, with the confidences given (then 1.0), and gets
    the first ``wrong`` answers wrong (confidently)."""

    def __init__(self, fake: FakeProvider, confidences: Iterable[float] = (), wrong: int = 0):
        self._fake = fake
        self._confidences = list(confidences)
        self._wrong = wrong
        self.calls = 0

    def solve(self, image: bytes) -> tuple[str, float]:
        self.calls += 1
        text = self._fake.captcha_answer(image) or ""
        confidence = self._confidences.pop(0) if self._confidences else 1.0
        if self._wrong > 0:
            self._wrong -= 1
            return text[::-1].lower(), 1.0
        return text, confidence
