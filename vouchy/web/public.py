"""The public leaderboard page, ``/g/<guild id>``: served only for a guild that opted in
(``/config web leaderboard on``), 404 otherwise, and the same 404 for an id that is not one
(nothing tells a guild that exists from one that does not). Read-only: the board comes from the
web feature's service, names and avatars from a ``Directory``."""

from __future__ import annotations

import re

from aiohttp import web

from vouchy.core.server_settings import CoreSettings
from vouchy.features.api.rules import WebSettings
from vouchy.features.api.service import ApiService
from vouchy.store.settings import SettingsStore
from vouchy.web import inputs, page, problems
from vouchy.web.directory import Directory
from vouchy.web.page import LeaderboardPage, Row

PATH = "/g/{guild_id}"
_ID = re.compile(r"[1-9][0-9]{0,18}")


class PublicPage:
    def __init__(self, service: ApiService, settings: SettingsStore, directory: Directory) -> None:
        self.service = service
        self.settings = settings
        self.directory = directory
        self._headers = page.headers(image_sources=directory.image_sources)

    def routes(self) -> list[web.RouteDef]:
        return [web.get(PATH, self.show)]

    async def show(self, request: web.Request) -> web.Response:
        raw = request.match_info["guild_id"]
        if not _ID.fullmatch(raw) or int(raw) >= 2**63:
            raise problems.NotFound()
        guild_id = int(raw)
        if not (await self.settings.get(guild_id, "web", WebSettings)).leaderboard:
            raise problems.NotFound()
        query = inputs.leaderboard_query(request.query)
        board = await self.service.leaderboard(guild_id, query.board, query.page, query.limit)
        people = await self.directory.members(guild_id, [r.user_id for r in board.rows])
        place = await self.directory.guild(guild_id)
        rows = [
            Row(
                rank=r.rank,
                display_name=people[r.user_id].name,
                avatar_url=people[r.user_id].avatar_url,
                value=r.value,
                level=r.level,
            )
            for r in board.rows
        ]
        data = LeaderboardPage(
            guild_id=guild_id,
            guild_name=place.name,
            icon_url=place.icon_url,
            board=board.board,
            rows=rows,
            page=board.page,
            pages=board.pages,
        )
        core = await self.settings.get(guild_id, "core", CoreSettings)
        locale = inputs.pick_locale(request.headers.get("Accept-Language"), core.locale)
        return web.Response(text=page.render(data, locale), headers=self._headers)
