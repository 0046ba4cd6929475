-- Skill of the day: per-group rotation state and overrides, posts, practice log and toolkits.
-- Every table is keyed by guild_id so a member's data can be found and deleted per group.

-- One row per group that uses skills: the rotation seed, the current theme and queue.
CREATE TABLE skill_groups (
    guild_id     BIGINT PRIMARY KEY,
    seed         BIGINT NOT NULL,
    theme        TEXT,
    theme_until  TEXT,
    queue        TEXT NOT NULL DEFAULT '[]',
    thread_on    INTEGER NOT NULL DEFAULT 0,
    updated_at   TEXT NOT NULL
);

-- Shipped or group-written skills a facilitator switched off for this group.
CREATE TABLE skill_disabled (
    guild_id BIGINT NOT NULL,
    skill_id TEXT NOT NULL,
    PRIMARY KEY (guild_id, skill_id)
);

-- Skills a facilitator wrote for this group, stored as validated JSON (same schema as the files).
CREATE TABLE skill_custom (
    guild_id   BIGINT NOT NULL,
    skill_id   TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_by BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, skill_id)
);

-- Every daily card posted; the rotation reads the skills posted in the current cycle.
CREATE TABLE skill_posts (
    post_id      INTEGER PRIMARY KEY,
    guild_id     BIGINT NOT NULL,
    skill_id     TEXT NOT NULL,
    cycle        INTEGER NOT NULL,
    local_date   TEXT NOT NULL,
    channel_id   BIGINT NOT NULL,
    message_id   BIGINT,
    status       TEXT NOT NULL DEFAULT 'posted' CHECK (status IN ('posted', 'skipped')),
    shown_count  INTEGER NOT NULL DEFAULT 0,
    last_edit_at TEXT,
    edit_pending INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL
);
CREATE INDEX skill_posts_guild ON skill_posts (guild_id, cycle, post_id);

-- One row per member per skill per local day; written only after consent.
CREATE TABLE skill_practice (
    guild_id     BIGINT NOT NULL,
    user_id      BIGINT NOT NULL,
    skill_id     TEXT NOT NULL,
    local_date   TEXT NOT NULL,
    post_id      BIGINT,
    practised_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id, skill_id, local_date)
);
CREATE INDEX skill_practice_post ON skill_practice (guild_id, post_id);

-- A member's saved skills.
CREATE TABLE skill_toolkit (
    guild_id BIGINT NOT NULL,
    user_id  BIGINT NOT NULL,
    skill_id TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id, skill_id)
);
