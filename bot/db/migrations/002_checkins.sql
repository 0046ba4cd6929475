-- Daily check-ins: one row per member per local day, pauses, and reminder settings.
-- Every table is keyed by guild_id first, so a member's data can be found or deleted per group.

-- local_date is the member's own calendar day (YYYY-MM-DD), decided when they check in, so a
-- later timezone change neither creates nor erases days. The primary key is also the index
-- that serves one member's streak and history (guild_id, user_id, local_date range).
CREATE TABLE checkins (
    guild_id   BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    local_date TEXT NOT NULL,
    mood       INTEGER NOT NULL CHECK (mood BETWEEN 1 AND 5),
    emotions   TEXT NOT NULL DEFAULT '',
    note       TEXT,
    shared     INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id, local_date)
);
-- The facilitator pulse reads a group's days across members.
CREATE INDEX checkins_by_day ON checkins (guild_id, local_date);

-- Inclusive ranges of local days a member paused (holidays): not a miss, not a check-in.
CREATE TABLE checkin_pauses (
    guild_id   BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    first_day  TEXT NOT NULL,
    last_day   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id, first_day)
);

-- A member's daily reminder: local time, and the last local day one was sent (at most one a day).
CREATE TABLE checkin_reminders (
    guild_id        BIGINT NOT NULL,
    user_id         BIGINT NOT NULL,
    local_time      TEXT NOT NULL,
    last_sent_day   TEXT,
    snoozed_day     TEXT,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
