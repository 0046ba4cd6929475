-- Accountability pairs: opt-ins, confidential avoid lists, facilitator constraints, rounds,
-- their groups and members, follow-up answers. Nothing here is written before consent.

-- A member who opted in; goal is the one line shown to their partner.
CREATE TABLE pair_optins (
    guild_id     BIGINT NOT NULL,
    user_id      BIGINT NOT NULL,
    goal         TEXT,
    paused_until TEXT,
    joined_at    TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- Confidential do-not-pair list: never shown to the avoided member or to facilitators.
CREATE TABLE pair_avoid (
    guild_id   BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    avoided_id BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id, avoided_id)
);

-- Facilitator constraints: 'separate' lasts until cleared; 'pin' applies to the next round.
CREATE TABLE pair_constraints (
    guild_id   BIGINT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('separate', 'pin')),
    member_a   BIGINT NOT NULL,
    member_b   BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, kind, member_a, member_b)
);

-- Per-group pairing settings and the "told the facilitators about threads" flag.
CREATE TABLE pair_settings (
    guild_id          BIGINT PRIMARY KEY,
    round_weeks       INTEGER NOT NULL DEFAULT 1,
    threads_warned_at TEXT
);

CREATE TABLE pair_rounds (
    round_id   INTEGER PRIMARY KEY,
    guild_id   BIGINT NOT NULL,
    started_at TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('active', 'ended')),
    seed       BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX pair_rounds_guild ON pair_rounds (guild_id, status, started_at);

-- Opted-in members who could not be placed in a round (they get priority next time).
CREATE TABLE pair_sat_out (
    round_id BIGINT NOT NULL REFERENCES pair_rounds (round_id) ON DELETE CASCADE,
    guild_id BIGINT NOT NULL,
    user_id  BIGINT NOT NULL,
    PRIMARY KEY (round_id, user_id)
);

CREATE TABLE pair_groups (
    group_id   INTEGER PRIMARY KEY,
    round_id   BIGINT NOT NULL REFERENCES pair_rounds (round_id) ON DELETE CASCADE,
    guild_id   BIGINT NOT NULL,
    thread_id  BIGINT,
    delivery   TEXT NOT NULL DEFAULT 'thread' CHECK (delivery IN ('thread', 'dm')),
    created_at TEXT NOT NULL
);
CREATE INDEX pair_groups_round ON pair_groups (round_id);

-- left_at: the member left the group mid-round (left the server, opted out, or re-paired).
CREATE TABLE pair_group_members (
    group_id BIGINT NOT NULL REFERENCES pair_groups (group_id) ON DELETE CASCADE,
    guild_id BIGINT NOT NULL,
    user_id  BIGINT NOT NULL,
    left_at  TEXT,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX pair_group_members_user ON pair_group_members (guild_id, user_id);

-- Follow-up answers: only which button, never any message text.
CREATE TABLE pair_answers (
    group_id    BIGINT NOT NULL REFERENCES pair_groups (group_id) ON DELETE CASCADE,
    guild_id    BIGINT NOT NULL,
    user_id     BIGINT NOT NULL,
    answer      TEXT NOT NULL CHECK (answer IN ('connected', 'not_yet', 'new_partner')),
    answered_at TEXT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);

-- Members waiting mid-round for a new partner, longest waiting first.
CREATE TABLE pair_waiting (
    round_id BIGINT NOT NULL REFERENCES pair_rounds (round_id) ON DELETE CASCADE,
    guild_id BIGINT NOT NULL,
    user_id  BIGINT NOT NULL,
    since    TEXT NOT NULL,
    PRIMARY KEY (round_id, user_id)
);
