-- Core schema: groups (one Discord server each), their channels, members, schedules and the
-- send ledger. Timestamps are ISO-8601 UTC text; SQL stays portable (PostgreSQL will follow).

CREATE TABLE guilds (
    guild_id            BIGINT PRIMARY KEY,
    timezone            TEXT,
    country             TEXT,
    facilitator_role_id BIGINT,
    checkin_time        TEXT,
    skill_time          TEXT,
    agreement_version   INTEGER NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);

CREATE TABLE guild_channels (
    guild_id   BIGINT NOT NULL REFERENCES guilds (guild_id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    channel_id BIGINT NOT NULL,
    PRIMARY KEY (guild_id, purpose)
);

-- One row per member per group; nothing is written here before the member consents.
CREATE TABLE members (
    guild_id            BIGINT NOT NULL,
    user_id             BIGINT NOT NULL,
    timezone            TEXT,
    consented_version   INTEGER NOT NULL,
    consented_at        TEXT NOT NULL,
    share_checkins      TEXT NOT NULL DEFAULT 'private'
                        CHECK (share_checkins IN ('private', 'aggregate', 'named')),
    public_celebrations INTEGER NOT NULL DEFAULT 0,
    facilitator_followup INTEGER NOT NULL DEFAULT 0,
    crisis_replies      INTEGER NOT NULL DEFAULT 1,
    dm_closed_at        TEXT,
    dm_closed_told      INTEGER NOT NULL DEFAULT 0,
    left_at             TEXT,
    created_at          TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- Every schedule is a row; APScheduler is only the alarm clock that wakes the bot at next_due.
CREATE TABLE schedules (
    schedule_id  INTEGER PRIMARY KEY,
    guild_id     BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    skey         TEXT NOT NULL DEFAULT '',
    rule         TEXT NOT NULL CHECK (rule IN ('daily', 'weekly', 'once')),
    local_time   TEXT,
    weekdays     TEXT NOT NULL DEFAULT '',
    every_weeks  INTEGER NOT NULL DEFAULT 1,
    anchor_date  TEXT,
    at_utc       TEXT,
    timezone     TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '{}',
    enabled      INTEGER NOT NULL DEFAULT 1,
    next_due     TEXT,
    created_at   TEXT NOT NULL,
    UNIQUE (guild_id, kind, skey)
);
CREATE INDEX schedules_due ON schedules (next_due) WHERE enabled = 1;

-- One row per (schedule, occurrence): what makes a scheduled send happen at most once.
CREATE TABLE send_ledger (
    schedule_id BIGINT NOT NULL REFERENCES schedules (schedule_id) ON DELETE CASCADE,
    occurrence  TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'skipped', 'failed')),
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (schedule_id, occurrence)
);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
