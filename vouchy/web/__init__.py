"""Vouchy over HTTP: the aiohttp server (``server``), the /v1 routes (``api``) and their
OpenAPI document, request parsing, rate limits and problem documents, the public leaderboard
page (``public``, ``page``) with names from Discord (``directory``), and the ``serve`` and
``api-key`` subcommands (``cli``). API keys themselves are the web feature's
(``vouchy.features.api``)."""
