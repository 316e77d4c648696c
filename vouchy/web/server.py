"""The aiohttp server: the /v1 API and the public leaderboard page, on one address.

It runs inside the bot's process (``[web] enabled``, started and stopped with the bot) or alone
with ``python -m vouchy serve`` on the same data directory when no bot runs. It binds to
``127.0.0.1`` unless configured otherwise, and speaks plain HTTP: TLS belongs to a reverse
proxy in front of it (``docs/api.md``).

Every error leaves as an RFC 9457 problem document, aiohttp's own 404 and 405 included; an
unexpected exception is logged (``web_request_failed``) with a reference the answer repeats.
No access log: a request line is no business of the log, and a key never is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import hikari
from aiohttp import web

from vouchy.app import Vouchy
from vouchy.core.errors import VouchyError
from vouchy.core.logs import get_logger
from vouchy.features.api.rules import WebSettings
from vouchy.features.api.service import ApiService
from vouchy.web import inputs, problems
from vouchy.web.api import Api
from vouchy.web.directory import Directory, DiscordDirectory, IdsOnly
from vouchy.web.public import PublicPage
from vouchy.web.ratelimit import RateLimiter

log = get_logger("vouchy.web")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SHUTDOWN_TIMEOUT_S = 10.0  # requests in flight get this long to be answered at stop


def _locale(request: web.Request) -> str:
    return inputs.pick_locale(request.headers.get("Accept-Language"))


@web.middleware
async def answer_problems(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every refusal as a problem document, whoever raised it."""
    try:
        return await handler(request)
    except VouchyError as error:
        return problems.response(error, _locale(request), instance=request.path)
    except web.HTTPException as e:
        if e.status < 400:
            raise
        problem = problems.for_status(e.status, _locale(request), instance=request.path)
        headers = {"Content-Type": problems.MEDIA_TYPE}
        if "Allow" in e.headers:
            headers["Allow"] = e.headers["Allow"]
        return web.Response(status=e.status, body=problems.encode(problem), headers=headers)
    except asyncio.CancelledError:
        raise
    except Exception as e:
        internal = problems.InternalError()
        log.error(
            "web_request_failed",
            reference=internal.reference,
            method=request.method,
            path=request.path,
            error=repr(e),
            exc_info=e,
        )
        return problems.response(internal, _locale(request), instance=request.path)


def settings_of(app: Vouchy) -> WebSettings:
    found = app.config.feature("web")
    return found if isinstance(found, WebSettings) else WebSettings()


def make_app(
    app: Vouchy, directory: Directory | None = None, limiter: RateLimiter | None = None
) -> web.Application:
    """The aiohttp application over a started ``Vouchy``."""
    server = settings_of(app)
    service = app.service(ApiService)
    limiter = limiter or RateLimiter(server.rate_per_second, burst=server.burst)
    api = Api(service, limiter, max_points=app.config.limits.max_amount)
    public = PublicPage(service, app.settings, directory or IdsOnly())
    web_app = web.Application(middlewares=[answer_problems], client_max_size=inputs.MAX_BODY_BYTES)
    web_app.add_routes(api.routes())
    web_app.add_routes(public.routes())
    return web_app


class WebServer:
    """The server on ``host``:``port`` (0: any free port; ``port`` tells which after start)."""

    def __init__(
        self,
        app: Vouchy,
        *,
        host: str | None = None,
        port: int | None = None,
        directory: Directory | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        server = settings_of(app)
        self.host = host if host is not None else server.host
        self.port = port if port is not None else server.port
        self.web_app = make_app(app, directory, limiter)
        self._runner: web.AppRunner | None = None

    async def start(self) -> WebServer:
        runner = web.AppRunner(self.web_app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT_S)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        log.info("web_started", host=self.host, port=self.port)
        return self

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def stop(self) -> None:
        """Stop taking connections, answer the requests in flight, close."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
            log.info("web_stopped", host=self.host, port=self.port)

    async def __aenter__(self) -> WebServer:
        return await self.start()

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()


async def start_with_bot(app: Vouchy, bot: hikari.GatewayBot) -> WebServer | None:
    """The server of a running bot when ``[web] enabled`` (else None): names and avatars
    come from the bot."""
    if not settings_of(app).enabled:
        return None
    return await WebServer(app, directory=DiscordDirectory(bot)).start()
