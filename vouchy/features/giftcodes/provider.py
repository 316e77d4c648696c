"""The publisher's gift-code API behind one small adapter on aiohttp: signing, player lookup, the
captcha step (2025) with a pluggable solver, and redemption.

Every call returns a classified ``rules.Answer`` and never raises for something the publisher or
the network did: refusals are classified by the table, network errors and timeouts become
``temporary``, HTTP 429/5xx and HTML pages ``temporary`` (Retry-After kept), garbage
``unknown``. The shape of each request lives in ``build_request`` alone, so the next change of
the API touches that one function. The game secret is only used to sign; it is never logged.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import time
from collections.abc import Callable, Mapping
from typing import Final, Literal, Protocol

import aiohttp

from vouchy.core.errors import ConfigError
from vouchy.core.logs import get_logger
from vouchy.features.giftcodes import rules
from vouchy.features.giftcodes.pacing import Pacer
from vouchy.features.giftcodes.settings import GiftcodesSettings
from vouchy.features.giftcodes.sources import ListUnavailable

log = get_logger("vouchy.giftcodes")

RedeemShape = Literal["captcha", "plain"]
RequestKind = Literal["player", "captcha", "redeem"]
MAX_BODY_BYTES: Final = 1 << 20


class CaptchaSolver(Protocol):
    """Reads a captcha image: the answer and how sure it is (0.0 to 1.0)."""

    def solve(self, image: bytes) -> tuple[str, float]: ...


def sign(fields: Mapping[str, str], secret: str) -> str:
    """The publisher's signature: fields but ``sign`` sorted by key, ``k=v`` joined by ``&``,
    the secret appended, md5, lowercase hex."""
    text = "&".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "sign")
    return hashlib.md5((text + secret).encode("utf-8")).hexdigest()


def build_request(
    kind: RequestKind,
    *,
    fid: int,
    now_ms: int,
    shape: RedeemShape = "captcha",
    code: str = "",
    kid: int | None = None,
    captcha_code: str = "",
) -> tuple[str, dict[str, str]]:
    """The path and (unsigned) form fields of one request: the only place that knows them."""
    base = {"fid": str(fid), "time": str(now_ms)}
    if kind == "player":
        return "/player", base
    if kind == "captcha":
        return "/captcha", {**base, "init": "0"}
    if shape == "captcha":  # April 2025: the answer of a captcha fetched just before
        return "/gift_code", {**base, "cdk": code, "captcha_code": captcha_code}
    fields = {**base, "cdk": code}  # later: one POST, the player's state id with it
    if kid is not None:
        fields["kid"] = str(kid)
    return "/gift_code", fields


def captcha_image(data: object) -> bytes | None:
    """The image bytes of a captcha answer's ``data.img`` (a ``data:image/...;base64,`` URL)."""
    img = data.get("img") if isinstance(data, Mapping) else None
    if not isinstance(img, str) or not img:
        return None
    payload = img.split(",", 1)[1] if img.startswith("data:") and "," in img else img
    try:
        return base64.b64decode(payload, validate=True) or None
    except (binascii.Error, ValueError):
        return None


async def _read_capped(resp: aiohttp.ClientResponse) -> bytes:
    """The body up to MAX_BODY_BYTES (a captcha image is a few kB; anything bigger is garbage)."""
    body = bytearray()
    while len(body) < MAX_BODY_BYTES:
        chunk = await resp.content.read(MAX_BODY_BYTES - len(body))
        if not chunk:
            break
        body += chunk
    return bytes(body)


def _wall_ms() -> int:
    return int(time.time() * 1000)


class GiftCodeClient:
    """One game's API (Whiteout Survival, Kingshot...): base URL and secret from the caller."""

    def __init__(
        self,
        base_url: str,
        secret: str,
        *,
        shape: RedeemShape = "captcha",
        solver: CaptchaSolver | None = None,
        captcha_min_confidence: float = 0.6,
        captcha_max_fetches: int = 4,
        timeout_s: float = 10.0,
        pacer: Pacer | None = None,
        session: aiohttp.ClientSession | None = None,
        solve_in_thread: bool = True,
        now_ms: Callable[[], int] = _wall_ms,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError("giftcodes.config_provider", setting="base_url")
        if not secret:
            raise ConfigError("giftcodes.config_provider", setting="secret")
        if not (0.0 <= captcha_min_confidence <= 1.0) or captcha_max_fetches < 1:
            raise ConfigError("giftcodes.config_provider", setting="captcha")
        if shape == "captcha" and solver is None:
            from vouchy.features.giftcodes.solver import DdddOcrSolver

            solver = DdddOcrSolver()  # raises a ConfigError naming the extra when it is missing
        self.base_url = base_url.rstrip("/")
        self.shape: RedeemShape = shape
        self._secret = secret
        self._solver = solver
        self.captcha_min_confidence = captcha_min_confidence
        self.captcha_max_fetches = captcha_max_fetches
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._pacer = pacer
        self._session = session
        self._own_session = session is None
        self._solve_in_thread = solve_in_thread
        self._now_ms = now_ms

    def __repr__(self) -> str:  # never show the secret
        return f"GiftCodeClient({self.base_url!r}, shape={self.shape!r})"

    async def __aenter__(self) -> GiftCodeClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def lookup(self, fid: int) -> rules.Answer:
        """Check a player id: on success ``answer.player`` holds its name, state and level."""
        path, fields = build_request("player", fid=fid, now_ms=self._now_ms())
        answer, _ = await self._post(path, fields, player_fid=fid)
        return answer

    async def redeem(self, fid: int, code: str, *, kid: int | None = None) -> rules.Answer:
        """Redeem ``code`` for ``fid``; with the captcha shape, a captcha is read first, and
        one read without enough confidence is never sent: a new one is fetched instead."""
        captcha_code = ""
        if self.shape == "captcha":
            solved = await self._solve_captcha(fid)
            if isinstance(solved, rules.Answer):
                return solved
            captcha_code = solved
        path, fields = build_request(
            "redeem",
            fid=fid,
            now_ms=self._now_ms(),
            shape=self.shape,
            code=code,
            kid=kid,
            captcha_code=captcha_code,
        )
        answer, _ = await self._post(path, fields)
        log.debug("giftcode_redeem_answer", fid=fid, code=code, reason=answer.reason)
        return answer

    async def _solve_captcha(self, fid: int) -> str | rules.Answer:
        assert self._solver is not None
        for fetch in range(1, self.captcha_max_fetches + 1):
            path, fields = build_request("captcha", fid=fid, now_ms=self._now_ms())
            answer, reply = await self._post(path, fields)
            if answer.kind != "success" or reply is None:
                return answer
            image = captcha_image(reply.data)
            if image is None:
                return rules.transport_answer("garbage", msg="captcha without an image")
            text, confidence = await self._read(image)
            if text and confidence >= self.captcha_min_confidence:
                return text
            log.info("giftcode_captcha_unsure", fid=fid, fetch=fetch, confidence=confidence)
        return rules.transport_answer("captcha_unsure")

    async def _read(self, image: bytes) -> tuple[str, float]:
        assert self._solver is not None
        try:
            if self._solve_in_thread:
                text, confidence = await asyncio.to_thread(self._solver.solve, image)
            else:
                text, confidence = self._solver.solve(image)
        except Exception as e:  # a solver that fails is a solver that is unsure
            log.warning("giftcode_captcha_solver_failed", error=type(e).__name__)
            return "", 0.0
        return str(text).strip(), float(confidence)

    async def _post(
        self, path: str, fields: dict[str, str], *, player_fid: int | None = None
    ) -> tuple[rules.Answer, rules.Reply | None]:
        form = {**fields, "sign": sign(fields, self._secret)}
        url = self.base_url + path
        if self._pacer is None:
            return await self._send(url, path, form, player_fid)
        async with self._pacer.slot():
            answer, reply = await self._send(url, path, form, player_fid)
        if answer.reason == "rate_limited" and answer.retry_after_ms:
            self._pacer.hold(answer.retry_after_ms / 1000)
        return answer, reply

    async def _send(
        self, url: str, path: str, form: dict[str, str], player_fid: int | None
    ) -> tuple[rules.Answer, rules.Reply | None]:
        started = time.monotonic()
        result: tuple[rules.Answer, rules.Reply | None]
        try:
            async with self._http().post(url, data=form, timeout=self._timeout) as resp:
                body = await _read_capped(resp)
                result = rules.classify_http(
                    resp.status,
                    resp.headers.get("Content-Type", ""),
                    body,
                    resp.headers.get("Retry-After"),
                    self._now_ms(),
                    player_fid=player_fid,
                )
        except TimeoutError:
            result = (rules.transport_answer("timeout"), None)
        except (aiohttp.ClientError, OSError) as e:
            result = (rules.transport_answer("network", msg=type(e).__name__), None)
        answer = result[0]
        log.debug(
            "giftcode_request",
            path=path,
            http_status=answer.http_status,
            kind=answer.kind,
            reason=answer.reason,
            ms=round((time.monotonic() - started) * 1000, 1),
        )
        return result


def client_from(
    settings: GiftcodesSettings, secret: str, *, solver: CaptchaSolver | None = None
) -> GiftCodeClient:
    """The client the configuration describes: its base URL, request shape and timeouts, and a
    pacer at ``requests_per_second`` with ``max_concurrency`` requests in flight."""
    return GiftCodeClient(
        settings.base_url,
        secret,
        shape=settings.request_shape,
        solver=solver,
        captcha_min_confidence=settings.captcha_min_confidence,
        captcha_max_fetches=settings.captcha_max_fetches,
        timeout_s=settings.timeout_s,
        pacer=Pacer(settings.requests_per_second, max_concurrency=settings.max_concurrency),
    )


async def fetch_list(url: str, timeout_s: float) -> bytes:
    """The community list's body (at most ``MAX_BODY_BYTES``); any failure to get a 2xx answer
    is a ``ListUnavailable`` naming why (the caller logs it and tries at the next check)."""
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as http:
            async with http.get(url, headers={"Accept": "application/json"}) as resp:
                body = await _read_capped(resp)
                if not 200 <= resp.status < 300:
                    raise ListUnavailable(f"HTTP {resp.status}")
                return body
    except TimeoutError:
        raise ListUnavailable("timeout") from None
    except (aiohttp.ClientError, OSError, ValueError) as e:
        raise ListUnavailable(type(e).__name__) from None
