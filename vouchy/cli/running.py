"""The running bot with what runs beside it: the composition of ``python -m vouchy run``
(the bot, metrics, the HTTP API and page when enabled, the snapshot schedule), stopped in the
reverse order on SIGTERM or SIGINT. It lives with the command line, which may import every
layer: the bot itself knows nothing of the web server."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable

from vouchy.app import Vouchy
from vouchy.bot.bot import VouchyBot, check_token
from vouchy.core.config import Config
from vouchy.ops.metrics import start_metrics
from vouchy.web.server import start_with_bot


async def run(config: Config, open_app: Callable[[Config], Awaitable[Vouchy]] | None = None) -> int:
    """``python -m vouchy run``: serve until SIGTERM or SIGINT, then stop cleanly (exit 0).
    With ``[web] enabled`` the HTTP API and the public page run alongside, stopped first.

    Exits 1 when the gateway closes on its own (after the same clean stop). ``open_app``
    starts the ``Vouchy`` (the command line passes its own, which honours ``--fresh``).
    """
    check_token(config.discord.token)  # before the data directory is touched
    # Starting the app runs the durability start-up check (and recovery) first.
    app = await (open_app(config) if open_app is not None else Vouchy(config).start())
    try:
        bot = VouchyBot(app)
        await bot.start()
    except BaseException:
        await app.close()
        raise
    try:
        metrics = start_metrics(config, app, bot.gateway_latency_s)  # inert unless enabled
    except BaseException:
        await bot.stop("metrics_failed")
        raise
    try:
        web = await start_with_bot(app, bot.bot)  # the API and the page, when [web] enabled
    except BaseException:
        metrics.stop()
        await bot.stop("web_failed")
        raise
    app.start_snapshots()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    received: list[str] = []

    def on_signal(name: str) -> None:
        received.append(name)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig.name)
    try:
        stopping = asyncio.create_task(stop.wait())
        gateway = asyncio.create_task(bot.bot.join())
        await asyncio.wait({stopping, gateway}, return_when=asyncio.FIRST_COMPLETED)
        for task in (stopping, gateway):
            task.cancel()
        await asyncio.gather(stopping, gateway, return_exceptions=True)
        reason = received[0] if received else "gateway_closed"
        if web is not None:  # no request reaches the app once it starts closing
            await web.stop()
        await bot.stop(reason)
    finally:
        if web is not None:
            await web.stop()  # already stopped unless something above failed
        metrics.stop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
    return 0 if received else 1
