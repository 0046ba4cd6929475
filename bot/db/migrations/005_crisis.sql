-- Crisis replies (issue 6). Nothing of a member's message is stored here: only who, where,
-- the verdict level, when, and what the bot did. guild_id 0 means "a DM to the bot".

CREATE TABLE crisis_events (
    event_id   INTEGER PRIMARY KEY,
    guild_id   BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    level      TEXT NOT NULL CHECK (level IN ('concern', 'urgent')),
    -- What the member got: a DM, the short channel pointer, or nothing (limited / opted out).
    outcome    TEXT NOT NULL CHECK (outcome IN ('dm', 'pointer', 'limited', 'opted_out', 'failed')),
    created_at TEXT NOT NULL
);
CREATE INDEX crisis_events_user ON crisis_events (user_id, created_at);
CREATE INDEX crisis_events_guild ON crisis_events (guild_id, user_id);

-- One facilitator alert per event (when the group has alerts on). The source channel and
-- message ids make the jump link; they are ids, never text.
CREATE TABLE crisis_alerts (
    alert_id          INTEGER PRIMARY KEY,
    guild_id          BIGINT NOT NULL,
    user_id           BIGINT NOT NULL,
    event_id          BIGINT,
    level             TEXT NOT NULL CHECK (level IN ('concern', 'urgent')),
    source_channel_id BIGINT NOT NULL,
    source_message_id BIGINT NOT NULL,
    alert_channel_id  BIGINT,
    alert_message_id  BIGINT,
    state             TEXT NOT NULL DEFAULT 'open'
                      CHECK (state IN ('open', 'claimed', 'resolved', 'false_alarm')),
    claimed_by        BIGINT,
    closed_by         BIGINT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX crisis_alerts_member ON crisis_alerts (guild_id, user_id, created_at);
CREATE INDEX crisis_alerts_state ON crisis_alerts (guild_id, state);

-- Per-group settings; no row means the defaults (alerts on, no role ping).
CREATE TABLE crisis_settings (
    guild_id     BIGINT PRIMARY KEY,
    alerts       INTEGER NOT NULL DEFAULT 1,
    ping_urgent  INTEGER NOT NULL DEFAULT 0,
    updated_at   TEXT NOT NULL
);

-- "Turn off automatic replies", kept even for people who never agreed to the group agreement:
-- it is a safety preference they asked for, so only the ids and the time are stored.
CREATE TABLE crisis_optouts (
    guild_id   BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX crisis_optouts_user ON crisis_optouts (user_id);

-- A personal safety plan belongs to a person, not a group: keyed by user id only.
-- sections is a JSON object {section_key: text}; encrypted at rest once the privacy issue lands.
CREATE TABLE safety_plans (
    user_id    BIGINT PRIMARY KEY,
    sections   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
