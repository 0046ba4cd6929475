-- Community: facilitator prompts, group sessions (RSVPs, skips), goals and shared wins.
-- Every table is keyed by guild_id first, so a member's data can be found or deleted per group.
-- When things fire lives in `schedules` (kinds prompt:post, prompt:deferred, session:reminder,
-- session:digest); these tables hold only what the features need besides.

-- One row per group: quiet hours for prompts and the session plan.
CREATE TABLE community_settings (
    guild_id            BIGINT PRIMARY KEY,
    quiet_start         TEXT,
    quiet_end           TEXT,
    session_weekday     INTEGER,
    session_time        TEXT,
    session_every_weeks INTEGER NOT NULL DEFAULT 1,
    session_anchor      TEXT,
    session_where       TEXT,
    reminder_hours      TEXT NOT NULL DEFAULT '24,1',
    digest_hours        INTEGER NOT NULL DEFAULT 3,
    session_cover       TEXT,
    updated_at          TEXT NOT NULL
);

-- A facilitator's prompt (free text or a library id); its timing is its schedule row.
CREATE TABLE community_prompts (
    prompt_id   INTEGER PRIMARY KEY,
    guild_id    BIGINT NOT NULL,
    text        TEXT,
    library_id  TEXT,
    channel_id  BIGINT,
    thread      INTEGER NOT NULL DEFAULT 0,
    paused      INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
);
CREATE INDEX community_prompts_by_guild ON community_prompts (guild_id, prompt_id);

CREATE TABLE community_session_skips (
    guild_id     BIGINT NOT NULL,
    session_date TEXT NOT NULL,
    PRIMARY KEY (guild_id, session_date)
);

-- Going / can't make it, per member per session (local date of the session).
CREATE TABLE community_rsvps (
    guild_id     BIGINT NOT NULL,
    session_date TEXT NOT NULL,
    user_id      BIGINT NOT NULL,
    going        INTEGER NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (guild_id, session_date, user_id)
);

-- Members who asked for a DM reminder before sessions.
CREATE TABLE community_session_dms (
    guild_id   BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

CREATE TABLE community_goals (
    goal_id    INTEGER PRIMARY KEY,
    guild_id   BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    text       TEXT NOT NULL,
    due_date   TEXT,
    share      TEXT NOT NULL DEFAULT 'private' CHECK (share IN ('private', 'partner', 'group')),
    status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dropped')),
    percent    INTEGER,
    note       TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    done_at    TEXT
);
CREATE INDEX community_goals_by_member ON community_goals (guild_id, user_id, status);
CREATE INDEX community_goals_done ON community_goals (guild_id, done_at);

-- Wins shared publicly by choice (a public celebration or a group goal done).
CREATE TABLE community_wins (
    win_id     INTEGER PRIMARY KEY,
    guild_id   BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    what       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX community_wins_by_time ON community_wins (guild_id, created_at);
