"""Vouchy over HTTP: API keys, rate limits, problem documents, the /v1 OpenAPI document and
the public leaderboard page (the aiohttp app that serves them is wired in by ``vouchy.app``)."""
