"""pytest fixture `fake_discord` (a started FakeDiscord that fails the test on API violations);
enable with `pytest_plugins = ["vouchy.testing.fake_discord.pytest_plugin"]`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from .server import FakeDiscord


@pytest_asyncio.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A FakeDiscord with one guild: "owner", "admin" (Admin role), "member" and the bot.

    At teardown the test fails if any REST request broke Discord's OpenAPI description or the
    gateway protocol (`fake_discord.violations`); clear that list to accept them on purpose.
    """
    fake = FakeDiscord()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()
    if fake.violations:
        listed = "\n  ".join(fake.violations)
        pytest.fail(f"{len(fake.violations)} Discord API violation(s):\n  {listed}", pytrace=False)
