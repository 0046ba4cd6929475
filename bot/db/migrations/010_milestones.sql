-- Community: milestones already celebrated, and goals already shared with a partner.
-- Both are keyed by guild_id and user_id, so privacy export and erasure find them.

-- One row per milestone a member was celebrated for (kind: skills, goals, pairs), so the daily
-- milestone job posts each card once.
CREATE TABLE community_milestones (
    guild_id      BIGINT NOT NULL,
    user_id       BIGINT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('skills', 'goals', 'pairs')),
    threshold     INTEGER NOT NULL,
    celebrated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id, kind, threshold)
);

-- A goal shared with an accountability partner: which partner heard about it, and for which
-- event ('set' or 'done'), so a goal set before a partner existed is shared once they have one.
CREATE TABLE community_goal_shares (
    guild_id   BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    goal_id    BIGINT NOT NULL,
    partner_id BIGINT NOT NULL,
    event      TEXT NOT NULL CHECK (event IN ('set', 'done')),
    shared_at  TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id, goal_id, partner_id, event)
);
