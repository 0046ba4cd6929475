-- Each person's DM channel with the bot (issue 16): Discord's id for it never changes, so a
-- reminder is one request (send) instead of two (open the channel, then send). Keyed by the
-- person, not a group: the same channel serves every group they are in. The bot opens the
-- channel again only when Discord answers that it is gone (10003). A per-person identifier:
-- privacy export shows it and erasure deletes it.
CREATE TABLE dm_channels (
    user_id    BIGINT PRIMARY KEY,
    channel_id BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
