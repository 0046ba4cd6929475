-- Weekly check-in recap: a member's opt-in, the weekday they chose, the last local day one went out.
-- Keyed by guild_id and user_id, so privacy export and erasure find it like every member table.
CREATE TABLE checkin_recaps (
    guild_id      BIGINT NOT NULL,
    user_id       BIGINT NOT NULL,
    weekday       INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    last_sent_day TEXT,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
