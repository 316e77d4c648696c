"""Who may run what, checked on the server for every command (one client-wide hook).

``default_member_permissions`` on a command group only hides it in the Discord client, and a
server can override it in its settings; this check is what protects. It reads the permissions
Discord computed for the interaction's member, never the cache.

- ``/admin ...`` and ``/config ...``: Manage Server (or Administrator, or the owner), or the
  guild's configured admin role. Choosing the admin role itself needs Manage Server
  (``require_manage_server``): the admin role cannot hand itself to others.
"""

from __future__ import annotations

import enum

import hikari
import lightbulb

from vouchy.core.errors import PermissionDenied
from vouchy.core.server_settings import CoreSettings
from vouchy.store.settings import SettingsStore

MANAGE_SERVER = hikari.Permissions.MANAGE_GUILD


class Need(enum.Enum):
    ADMIN = "admin"  # Manage Server or the admin role


# By root command name; every subcommand of a group inherits its group's need.
POLICY: dict[str, tuple[Need, str]] = {
    "admin": (Need.ADMIN, "check.admin"),
    "config": (Need.ADMIN, "check.config"),
}


def can_manage_server(member: hikari.InteractionMember) -> bool:
    perms = member.permissions
    return bool(perms & (hikari.Permissions.MANAGE_GUILD | hikari.Permissions.ADMINISTRATOR))


def require_manage_server(ctx: lightbulb.Context) -> None:
    if ctx.member is None or not can_manage_server(ctx.member):
        raise PermissionDenied("check.manage_server")


async def is_admin(
    member: hikari.InteractionMember | None, guild_id: int | None, settings: SettingsStore
) -> bool:
    """Manage Server, or the guild's admin role (for commands and buttons alike)."""
    if member is None or guild_id is None:
        return False
    if can_manage_server(member):
        return True
    role = (await settings.get(int(guild_id), "core", CoreSettings)).admin_role
    return role is not None and role in member.role_ids


def make_guard(settings: SettingsStore) -> lightbulb.ExecutionHook:
    """The client-wide CHECKS hook that applies ``POLICY``."""

    @lightbulb.hook(lightbulb.ExecutionSteps.CHECKS, skip_when_failed=True, name="vouchy_guard")
    async def guard(_pipeline: lightbulb.ExecutionPipeline, ctx: lightbulb.Context) -> None:
        found = POLICY.get(ctx.interaction.command_name)
        if found is None:
            return
        _need, refusal = found
        if ctx.member is None or ctx.guild_id is None:
            raise PermissionDenied("check.guild_only")
        if not await is_admin(ctx.member, int(ctx.guild_id), settings):
            raise PermissionDenied(refusal)

    return guard
