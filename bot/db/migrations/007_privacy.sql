-- Privacy (issue 8): each group's own agreement text and retention, and the audit log.
-- Every table is keyed by guild_id first.

-- No row means the defaults: the shipped agreement, 30 days' grace after leaving, notes kept
-- 180 days.
CREATE TABLE privacy_settings (
    guild_id        BIGINT PRIMARY KEY,
    agreement_title TEXT,
    agreement_body  TEXT,
    leave_days      INTEGER NOT NULL DEFAULT 30 CHECK (leave_days >= 0),
    notes_days      INTEGER NOT NULL DEFAULT 180 CHECK (notes_days >= 1),
    updated_by      BIGINT,
    updated_at      TEXT NOT NULL
);

-- Facilitator and admin actions. detail never holds anything a member wrote.
CREATE TABLE privacy_audit (
    audit_id   INTEGER PRIMARY KEY,
    guild_id   BIGINT NOT NULL,
    actor_id   BIGINT NOT NULL,
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX privacy_audit_by_time ON privacy_audit (guild_id, created_at);
