"""The rows of XP and levels, as numbered migrations (never edited once released).

- ``levels_members``: one row per member who ever earned XP: their XP, the level it reaches
  (stored, checked by the audit against the guild's curve), the counters, the time of their
  last message that earned XP (the cooldown, which so holds across a restart), their voice
  session, and XP a game credited that the member's owner has not folded in yet
  (``pending_xp``, see ``service``).
- ``levels_xp_log``: the source rows: one per credit or change of XP, named by its reference
  (a message, a reaction by one member to one message, a game, a voice session, an admin's
  interaction, an imported file). A member's XP (plus pending) and counters are the sums of
  their log rows, which the audit checks. A reference already logged is refused, which is
  what makes a redelivered event credit nothing twice.
- ``levels_rewards``: each item or point reward a member was given, once per member ever
  (points: a ``level_reward`` ledger row in the same operation; items: ``due`` until the shop
  hands them over).
- ``levels_notices``: problems already reported to a guild's admins (a missing Manage Roles,
  a role above the bot's), so each is said once.
"""

from __future__ import annotations

from vouchy.features.levels.curve import MAX_XP
from vouchy.store.schema import Migration

MEMBERS = "levels_members"
LOG = "levels_xp_log"
REWARDS = "levels_rewards"
NOTICES = "levels_notices"

SOURCES = ("message", "voice", "reaction", "game", "admin", "import", "repair")

_V1 = f"""
CREATE TABLE {MEMBERS} (
    guild_id           INTEGER NOT NULL,
    user_id            INTEGER NOT NULL,
    xp                 INTEGER NOT NULL DEFAULT 0 CHECK (xp BETWEEN 0 AND {MAX_XP}),
    level              INTEGER NOT NULL DEFAULT 0 CHECK (level >= 0),
    messages           INTEGER NOT NULL DEFAULT 0 CHECK (messages >= 0),
    voice_seconds      INTEGER NOT NULL DEFAULT 0 CHECK (voice_seconds >= 0),
    reactions_received INTEGER NOT NULL DEFAULT 0 CHECK (reactions_received >= 0),
    last_message_at    INTEGER,
    voice_channel_id   INTEGER,
    voice_eligible     INTEGER NOT NULL DEFAULT 0 CHECK (voice_eligible IN (0, 1)),
    voice_since        INTEGER NOT NULL DEFAULT 0,
    voice_carry_ms     INTEGER NOT NULL DEFAULT 0 CHECK (voice_carry_ms BETWEEN 0 AND 59999),
    voice_percent      INTEGER NOT NULL DEFAULT 100 CHECK (voice_percent >= 0),
    voice_session_at   INTEGER NOT NULL DEFAULT 0,
    voice_run          TEXT NOT NULL DEFAULT '',
    pending_xp         INTEGER NOT NULL DEFAULT 0 CHECK (pending_xp BETWEEN 0 AND {MAX_XP}),
    pending_channel_id INTEGER,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;
CREATE INDEX {MEMBERS}_by_xp ON {MEMBERS} (guild_id, xp DESC, user_id);
CREATE INDEX {MEMBERS}_in_voice ON {MEMBERS} (voice_channel_id) WHERE voice_channel_id IS NOT NULL;
CREATE INDEX {MEMBERS}_pending ON {MEMBERS} (pending_xp) WHERE pending_xp > 0;

CREATE TABLE {LOG} (
    guild_id       INTEGER NOT NULL,
    reference      TEXT NOT NULL CHECK (length(reference) BETWEEN 1 AND 200),
    user_id        INTEGER NOT NULL,
    source         TEXT NOT NULL CHECK (source IN ({", ".join(f"'{s}'" for s in SOURCES)})),
    xp             INTEGER NOT NULL DEFAULT 0 CHECK (xp BETWEEN -{MAX_XP} AND {MAX_XP}),
    messages       INTEGER NOT NULL DEFAULT 0,
    voice_seconds  INTEGER NOT NULL DEFAULT 0,
    reactions      INTEGER NOT NULL DEFAULT 0,
    acting_user_id INTEGER,
    reason         TEXT NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (guild_id, reference)
) WITHOUT ROWID;
CREATE INDEX {LOG}_by_member ON {LOG} (guild_id, user_id);

CREATE TABLE {REWARDS} (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    reward_key TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('points', 'item')),
    level      INTEGER NOT NULL CHECK (level >= 1),
    points     INTEGER NOT NULL DEFAULT 0 CHECK (points >= 0),
    item       TEXT NOT NULL DEFAULT '',
    quantity   INTEGER NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    status     TEXT NOT NULL CHECK (status IN ('paid', 'due', 'delivered')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id, reward_key)
) WITHOUT ROWID;
CREATE INDEX {REWARDS}_due ON {REWARDS} (guild_id, status) WHERE status = 'due';

CREATE TABLE {NOTICES} (
    guild_id INTEGER NOT NULL,
    problem  TEXT NOT NULL,
    role_id  INTEGER NOT NULL DEFAULT 0,
    at       INTEGER NOT NULL,
    PRIMARY KEY (guild_id, problem, role_id)
) WITHOUT ROWID;
"""

MIGRATIONS = (Migration("levels.0001", _V1),)
