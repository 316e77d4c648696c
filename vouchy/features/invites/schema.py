"""Invite attribution's tables, as one numbered migration (never edited once released).

- ``invite_joins``: one row per recorded join, keyed by its join id (the idempotency
  reference), with how it was attributed; ``event_no`` orders a guild's joins, leaves and
  bonuses as they were recorded (the counts are a fold over them in that order).
- ``invite_leaves``, ``invite_bonuses``: the other source rows of the counts.
- ``invite_counts``: per inviter, regular, left, fake and bonus (derived, audited).
- ``invite_members``: per member, their standing (who is credited for them, whether they are
  present, whether their leave counts): derived too, audited with the counts.
- ``invite_codes``: each invite code's uses when Vouchy first saw it (what ``/invites sync``
  expects Discord's count to have grown from).
- ``invite_staff``: an invite code or an inviter mapped to a staff member.
- ``invite_guilds``: per guild, the number of events recorded and whether the admins were
  told that Vouchy cannot list invites.
"""

from __future__ import annotations

from vouchy.store.schema import Migration

CAUSES_SQL = "'code', 'vanished', 'vanity', 'ambiguous', 'no_permission', 'unknown'"

V1 = f"""
CREATE TABLE invite_guilds (
    guild_id        INTEGER NOT NULL PRIMARY KEY,
    events          INTEGER NOT NULL DEFAULT 0 CHECK (events >= 0),
    permission_told INTEGER NOT NULL DEFAULT 0 CHECK (permission_told IN (0, 1))
) WITHOUT ROWID;

CREATE TABLE invite_joins (
    guild_id        INTEGER NOT NULL,
    join_id         TEXT NOT NULL CHECK (length(join_id) BETWEEN 1 AND 200),
    event_no        INTEGER NOT NULL CHECK (event_no > 0),
    member_id       INTEGER NOT NULL CHECK (member_id > 0),
    member_name     TEXT NOT NULL,
    display_name    TEXT,
    joined_at       INTEGER NOT NULL,
    account_created INTEGER,
    cause           TEXT NOT NULL CHECK (cause IN ({CAUSES_SQL})),
    code            TEXT,
    inviter_id      INTEGER CHECK (inviter_id > 0),
    inviter_name    TEXT,
    staff_id        INTEGER CHECK (staff_id > 0),
    staff_name      TEXT,
    uses_before     INTEGER CHECK (uses_before >= 0),
    uses_after      INTEGER CHECK (uses_after >= 0),
    how             TEXT NOT NULL,
    how_params      TEXT NOT NULL DEFAULT '{{}}',
    candidates      TEXT NOT NULL DEFAULT '[]',
    fake_days       INTEGER NOT NULL CHECK (fake_days >= 0),
    source          TEXT NOT NULL DEFAULT 'live' CHECK (source IN ('live', 'log', 'seed')),
    recorded_at     INTEGER NOT NULL,
    CHECK (cause NOT IN ('code', 'vanished', 'vanity') OR code IS NOT NULL),
    PRIMARY KEY (guild_id, join_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX invite_joins_in_order ON invite_joins (guild_id, event_no);
CREATE INDEX invite_joins_by_member ON invite_joins (guild_id, member_id, event_no);
CREATE INDEX invite_joins_by_code ON invite_joins (guild_id, code);
CREATE INDEX invite_joins_by_time ON invite_joins (guild_id, joined_at);

CREATE TABLE invite_leaves (
    guild_id  INTEGER NOT NULL,
    leave_id  TEXT NOT NULL CHECK (length(leave_id) BETWEEN 1 AND 200),
    event_no  INTEGER NOT NULL CHECK (event_no > 0),
    member_id INTEGER NOT NULL CHECK (member_id > 0),
    left_at   INTEGER NOT NULL,
    window_ms INTEGER CHECK (window_ms >= 0),
    PRIMARY KEY (guild_id, leave_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX invite_leaves_in_order ON invite_leaves (guild_id, event_no);

CREATE TABLE invite_bonuses (
    guild_id   INTEGER NOT NULL,
    bonus_id   TEXT NOT NULL CHECK (length(bonus_id) BETWEEN 1 AND 200),
    event_no   INTEGER NOT NULL CHECK (event_no > 0),
    inviter_id INTEGER NOT NULL CHECK (inviter_id > 0),
    amount     INTEGER NOT NULL CHECK (amount != 0 AND amount BETWEEN -100000 AND 100000),
    reason     TEXT NOT NULL DEFAULT '',
    by_id      INTEGER,
    at         INTEGER NOT NULL,
    PRIMARY KEY (guild_id, bonus_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX invite_bonuses_in_order ON invite_bonuses (guild_id, event_no);

CREATE TABLE invite_counts (
    guild_id   INTEGER NOT NULL,
    inviter_id INTEGER NOT NULL CHECK (inviter_id > 0),
    regular    INTEGER NOT NULL DEFAULT 0,
    left_count INTEGER NOT NULL DEFAULT 0,
    fake       INTEGER NOT NULL DEFAULT 0,
    bonus      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, inviter_id)
) WITHOUT ROWID;

CREATE TABLE invite_members (
    guild_id         INTEGER NOT NULL,
    member_id        INTEGER NOT NULL CHECK (member_id > 0),
    credited_inviter INTEGER,
    credited_join_id TEXT,
    fake             INTEGER NOT NULL DEFAULT 0 CHECK (fake IN (0, 1)),
    present          INTEGER NOT NULL DEFAULT 0 CHECK (present IN (0, 1)),
    left_counted     INTEGER NOT NULL DEFAULT 0 CHECK (left_counted IN (0, 1)),
    last_join_at     INTEGER,
    PRIMARY KEY (guild_id, member_id)
) WITHOUT ROWID;

CREATE TABLE invite_codes (
    guild_id   INTEGER NOT NULL,
    code       TEXT NOT NULL,
    first_uses INTEGER NOT NULL CHECK (first_uses >= 0),
    first_seen INTEGER NOT NULL,
    PRIMARY KEY (guild_id, code)
) WITHOUT ROWID;

CREATE TABLE invite_staff (
    guild_id      INTEGER NOT NULL,
    key           TEXT NOT NULL,
    code          TEXT,
    inviter_id    INTEGER CHECK (inviter_id > 0),
    staff_id      INTEGER NOT NULL CHECK (staff_id > 0),
    staff_name    TEXT,
    referral_link TEXT,
    referral_code TEXT,
    set_by        INTEGER,
    set_at        INTEGER NOT NULL,
    CHECK ((code IS NULL) != (inviter_id IS NULL)),
    PRIMARY KEY (guild_id, key)
) WITHOUT ROWID;
"""

MIGRATIONS = (Migration("invites.0001", V1),)
