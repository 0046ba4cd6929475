-- Sessions as Discord scheduled events (issue 18): which guild scheduled event stands for which
-- session. Keyed by guild and the session's local date, so the next two weeks' events are
-- created once however often the bot restarts. No member data: who marked "Interested" is read
-- from Discord when it is counted, never stored.
CREATE TABLE community_session_events (
    guild_id     BIGINT NOT NULL,
    session_date TEXT NOT NULL,
    -- Discord's id for the event.
    event_id     BIGINT NOT NULL,
    -- When the session (and its event) starts, UTC: once it has, the event is left alone.
    starts_at    TEXT NOT NULL,
    -- scheduled: it stands for an upcoming session; cancelled: it no longer does (the bot
    -- cancelled it for a skip or a move, or it was deleted and could not be made again).
    status       TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (guild_id, session_date)
);
CREATE INDEX community_session_events_by_event ON community_session_events (event_id);
