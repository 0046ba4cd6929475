-- The durable outbox: every scheduled or fanned-out message is a row here before it is sent.
-- A row is written in the same transaction that decides the send; the worker drains rows by
-- priority (crisis replies and alerts first), then due time. A crash at any point leaves the
-- row pending (or 'sending', reset at start-up) and the retry carries the same Discord nonce.
CREATE TABLE outbox (
    outbox_id        INTEGER PRIMARY KEY,
    guild_id         BIGINT NOT NULL,
    kind             TEXT NOT NULL,
    dedupe_key       TEXT NOT NULL UNIQUE,
    nonce            TEXT NOT NULL,
    priority         INTEGER NOT NULL DEFAULT 50,
    channel_id       BIGINT,
    user_id          BIGINT,
    payload          TEXT NOT NULL,
    ref              TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'skipped', 'failed')),
    due_at           TEXT NOT NULL,
    next_attempt_at  TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    first_failure_at TEXT,
    last_error       TEXT,
    message_id       BIGINT,
    created_at       TEXT NOT NULL,
    settled_at       TEXT
);
CREATE INDEX outbox_next ON outbox (status, priority, next_attempt_at, outbox_id);
CREATE INDEX outbox_guild ON outbox (guild_id);
CREATE INDEX outbox_settled ON outbox (status, settled_at);
