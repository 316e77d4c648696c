"""The shop's tables: the item catalogue, members' inventories and the item records behind
them, shop listings with their stock and sales, per-member purchase counts, purchases,
active multipliers, the rewards catalogue and redemptions.

Every quantity is checked twice: by the writer's plan (``Add`` bounds) and again here by a
CHECK (invariant 3). Derived counters each have their source rows, so the audit can compare
them (``checks.py``): an inventory quantity is the sum of its item records
(``shop_item_moves``), a listing's ``sold`` and a member's purchase count are sums of
``shop_purchases``, a limited listing's ``stock`` is ``supplied - sold``.
"""

from __future__ import annotations

from vouchy.store.schema import Migration

_V1 = """
CREATE TABLE shop_items (
    guild_id    INTEGER NOT NULL,
    item        TEXT NOT NULL CHECK (length(item) BETWEEN 1 AND 32),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 300),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, item)
) WITHOUT ROWID;

CREATE TABLE shop_inventory (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    item     TEXT NOT NULL,
    quantity INTEGER NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    version  INTEGER NOT NULL DEFAULT 0,  -- +1 on every change: what a Use button was shown
    PRIMARY KEY (guild_id, user_id, item)
) WITHOUT ROWID;

CREATE TABLE shop_item_moves (
    guild_id   INTEGER NOT NULL,
    id         INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    item       TEXT NOT NULL,
    delta      INTEGER NOT NULL CHECK (delta != 0),
    kind       TEXT NOT NULL CHECK (kind IN ('purchase', 'give', 'take', 'use', 'grant',
        'import')),
    reference  TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    acting_user_id INTEGER,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, id)
) WITHOUT ROWID;
CREATE INDEX shop_item_moves_by_member ON shop_item_moves (guild_id, user_id, item);

CREATE TABLE shop_listings (
    guild_id         INTEGER NOT NULL,
    item             TEXT NOT NULL,
    listing_id       INTEGER NOT NULL UNIQUE,
    price            INTEGER NOT NULL CHECK (price >= 0),
    stock            INTEGER CHECK (stock >= 0),
    supplied         INTEGER CHECK (supplied >= 0),
    sold             INTEGER NOT NULL DEFAULT 0 CHECK (sold >= 0),
    role_id          INTEGER,
    required_role_id INTEGER,
    member_limit     INTEGER CHECK (member_limit >= 1),
    ends_at          INTEGER,
    revision         INTEGER NOT NULL DEFAULT 1,
    created_by       INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    CHECK ((stock IS NULL) = (supplied IS NULL)),
    PRIMARY KEY (guild_id, item)
) WITHOUT ROWID;

CREATE TABLE shop_purchase_counts (
    guild_id   INTEGER NOT NULL,
    listing_id INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    bought     INTEGER NOT NULL DEFAULT 0 CHECK (bought >= 0),
    PRIMARY KEY (guild_id, listing_id, user_id)
) WITHOUT ROWID;

CREATE TABLE shop_purchases (
    guild_id   INTEGER NOT NULL,
    reference  TEXT NOT NULL,
    listing_id INTEGER NOT NULL,
    item       TEXT NOT NULL,
    user_id    INTEGER NOT NULL,
    quantity   INTEGER NOT NULL CHECK (quantity >= 1),
    price      INTEGER NOT NULL CHECK (price >= 0),
    total      INTEGER NOT NULL CHECK (total >= 0),
    role_id    INTEGER,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, reference)
) WITHOUT ROWID;
CREATE INDEX shop_purchases_by_listing ON shop_purchases (guild_id, listing_id, user_id);

CREATE TABLE shop_multipliers (
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    item         TEXT NOT NULL,
    factor       INTEGER NOT NULL CHECK (factor >= 2),
    games_left   INTEGER NOT NULL DEFAULT 0 CHECK (games_left >= 0),
    games_total  INTEGER NOT NULL CHECK (games_total >= 1),
    activated_at INTEGER NOT NULL,
    reference    TEXT NOT NULL DEFAULT '',
    CHECK (games_left <= games_total),
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;

CREATE TABLE shop_rewards (
    guild_id    INTEGER NOT NULL,
    reward      TEXT NOT NULL CHECK (length(reward) BETWEEN 1 AND 32),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 300),
    cost        INTEGER NOT NULL CHECK (cost >= 0),
    valid_days  INTEGER CHECK (valid_days >= 1),
    revision    INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, reward)
) WITHOUT ROWID;

CREATE TABLE shop_redemptions (
    guild_id    INTEGER NOT NULL,
    code        TEXT NOT NULL,
    user_id     INTEGER NOT NULL,
    reward      TEXT NOT NULL,
    name        TEXT NOT NULL,
    cost        INTEGER NOT NULL CHECK (cost >= 0),
    status      TEXT NOT NULL DEFAULT 'issued'
        CHECK (status IN ('issued', 'used', 'refunded')),
    refundable  INTEGER NOT NULL DEFAULT 0 CHECK (refundable IN (0, 1)),
    reference   TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    used_by     INTEGER,
    refunded_at INTEGER,
    PRIMARY KEY (guild_id, code)
) WITHOUT ROWID;
CREATE INDEX shop_redemptions_by_member ON shop_redemptions (guild_id, user_id, created_at);
CREATE INDEX shop_redemptions_due ON shop_redemptions (status, refundable, expires_at);
"""

MIGRATIONS = (Migration("shop.0001", _V1),)
