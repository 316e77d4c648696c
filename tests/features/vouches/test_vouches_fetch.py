"""Reading a proof: the fetcher takes Discord's media only (never a member's link to anywhere),
at most ``MAX_BYTES``, tries a server error again, reads a missing file as unreadable; the
hasher survives an image that kills its worker process."""

from __future__ import annotations

import io
import os
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiohttp import web
from PIL import Image

from vouchy.features.vouches import discord
from vouchy.features.vouches.detect import ProofImage
from vouchy.features.vouches.discord import ProofFetcher
from vouchy.features.vouches.proof import MAX_BYTES, ProofUnreadable, proof_hash


@pytest_asyncio.fixture
async def cdn() -> AsyncIterator[tuple[str, dict[str, int]]]:
    """A small image host standing in for Discord's CDN: /ok, /missing, /flaky, /huge."""
    calls = {"flaky": 0}

    async def ok(_request: web.Request) -> web.Response:
        return web.Response(body=b"picture", content_type="image/png")

    async def flaky(_request: web.Request) -> web.Response:
        calls["flaky"] += 1
        if calls["flaky"] == 1:
            return web.Response(status=503)
        return web.Response(body=b"second try", content_type="image/png")

    async def huge(_request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"x" * (MAX_BYTES + 10), content_type="image/png")

    app = web.Application()
    app.router.add_get("/ok", ok)
    app.router.add_get("/flaky", flaky)
    app.router.add_get("/huge", huge)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", calls
    finally:
        await runner.cleanup()


def image(url: str, size: int = 0) -> ProofImage:
    return ProofImage(url=url, source="attachment", size=size)


async def test_the_screenshot_comes_from_the_host_the_bot_talks_to(cdn) -> None:
    base, calls = cdn
    fetcher = ProofFetcher(base + "/api/v10")
    try:
        assert await fetcher.fetch(image(base + "/ok")) == b"picture"
        assert await fetcher.fetch(image(base + "/flaky")) == b"second try"
        assert calls["flaky"] == 2
        with pytest.raises(ProofUnreadable) as missing:
            await fetcher.fetch(image(base + "/missing"))
        assert missing.value.params["detail"] == "HTTP 404"
        with pytest.raises(ProofUnreadable) as huge:
            await fetcher.fetch(image(base + "/huge"))
        assert huge.value.key == "vouches.proof_too_large"
    finally:
        await fetcher.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/proof.png",
        "http://cdn.discordapp.com/attachments/1/2/p.png",  # not https
        "https://cdn.discordapp.com.evil.example/p.png",
        "file:///etc/passwd",
    ],
)
async def test_a_link_outside_discords_media_is_never_fetched(url: str) -> None:
    fetcher = ProofFetcher()
    with pytest.raises(ProofUnreadable):
        await fetcher.fetch(image(url))
    assert fetcher.fetches == 0


def test_discords_cdn_and_image_proxies_are_allowed() -> None:
    fetcher = ProofFetcher()
    assert fetcher.allowed("https://cdn.discordapp.com/attachments/1/2/p.png")
    assert fetcher.allowed("https://media.discordapp.net/attachments/1/2/p.png")
    assert fetcher.allowed("https://images-ext-1.discordapp.net/external/abc/p.png")


async def test_an_attachment_larger_than_the_limit_is_not_even_fetched(cdn) -> None:
    base, _ = cdn
    fetcher = ProofFetcher(base)
    with pytest.raises(ProofUnreadable) as caught:
        await fetcher.fetch(image(base + "/ok", size=MAX_BYTES + 1))
    assert caught.value.key == "vouches.proof_too_large" and fetcher.fetches == 0


def crash(_data: bytes) -> tuple[int | None, str, dict[str, object]]:
    """Stands in for a screenshot that kills the process decoding it."""
    os._exit(3)


async def test_an_image_that_kills_its_worker_reads_as_unreadable_and_the_next_is_hashed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 10, 10)).save(data, "PNG")
    hasher = discord.ProofHasher()
    expected = proof_hash(data.getvalue())
    assert await hasher.hash(data.getvalue()) == expected
    monkeypatch.setattr(discord, "hash_in_worker", crash)
    with pytest.raises(ProofUnreadable) as caught:
        await hasher.hash(data.getvalue())
    assert caught.value.params["detail"] == "worker died"
    monkeypatch.undo()
    assert await hasher.hash(data.getvalue()) == expected  # a new pool took over
    with pytest.raises(ProofUnreadable) as unreadable:
        await hasher.hash(b"not an image")
    assert unreadable.value.key == "vouches.proof_unreadable"
