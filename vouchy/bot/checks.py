"""Who may run what, checked on the server for every command (one client-wide hook).

``default_member_permissions`` on a command group only hides it in the Discord client, and a
server can override it in its settings; this check is what protects. It reads the permissions
Discord computed for the interaction's member, never the cache.

- ``/admin ...``: Manage Server (or Administrator, or the owner), or the guild's configured
  admin role.
- ``/config ...``: Manage Server only (the admin role cannot hand itself more power).
"""

from __future__ import annotations

import enum

import hikari
import lightbulb

from vouchy.core.errors import PermissionDenied
from vouchy.features.admin.rules import CoreSettings
from vouchy.store.settings import SettingsStore

MANAGE_SERVER = hikari.Permissions.MANAGE_GUILD


class Need(enum.Enum):
    ADMIN = "admin"  # Manage Server or the admin role
    MANAGE_SERVER = "manage_server"


# By root command name; every subcommand of a group inherits its group's need.
POLICY: dict[str, Need] = {"admin": Need.ADMIN, "config": Need.MANAGE_SERVER}


def can_manage_server(member: hikari.InteractionMember) -> bool:
    perms = member.permissions
    return bool(perms & (hikari.Permissions.MANAGE_GUILD | hikari.Permissions.ADMINISTRATOR))


def make_guard(settings: SettingsStore) -> lightbulb.ExecutionHook:
    """The client-wide CHECKS hook that applies ``POLICY``."""

    @lightbulb.hook(lightbulb.ExecutionSteps.CHECKS, skip_when_failed=True, name="vouchy_guard")
    async def guard(_pipeline: lightbulb.ExecutionPipeline, ctx: lightbulb.Context) -> None:
        need = POLICY.get(ctx.interaction.command_name)
        if need is None:
            return
        member = ctx.member
        if member is None or ctx.guild_id is None:
            raise PermissionDenied("This command works inside a server only.")
        if can_manage_server(member):
            return
        if need is Need.ADMIN:
            role = (await settings.get(int(ctx.guild_id), "core", CoreSettings)).admin_role
            if role is not None and role in member.role_ids:
                return
            raise PermissionDenied(
                "Only admins can do that: it needs the Manage Server permission or this "
                "server's Vouchy admin role (an admin can set one with `/config set`)."
            )
        raise PermissionDenied(
            "Only members with the Manage Server permission can change Vouchy's settings."
        )

    return guard
