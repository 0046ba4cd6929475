-- Crisis follow-through (issue 15): who a message was about, the follow-up check-in a day after a
-- reply, how fast facilitators claim alerts, and a group's sensitivity. Still ids, states and
-- times only: never a word of anyone's message.

-- 'self': the writer may be at risk (the crisis DM); 'other': they are worried about someone
-- else (a DM on how to help). Harassment never gets a reply to its writer, so no event.
ALTER TABLE crisis_events ADD COLUMN about TEXT NOT NULL DEFAULT 'self' CHECK (about IN ('self', 'other'));
-- The check-in about 24 hours after a reply: pending (scheduled), sent, skipped (replies turned
-- off, left the group), superseded (a later reply's follow-up replaces it), then the member's
-- answer: ok or talk (asked to talk with a facilitator).
ALTER TABLE crisis_events ADD COLUMN followup_state TEXT
    CHECK (followup_state IN ('pending', 'sent', 'skipped', 'superseded', 'ok', 'talk'));
ALTER TABLE crisis_events ADD COLUMN followup_at TEXT;
ALTER TABLE crisis_events ADD COLUMN answered_at TEXT;
CREATE INDEX crisis_events_followup ON crisis_events (user_id, followup_state);

-- Which reader the alert is about, the member a harassing message was aimed at (an id, when one
-- could be found), how many alerts about this member the group had in the 30 days up to and
-- including this one (counted when it was raised), and when a facilitator first took it.
ALTER TABLE crisis_alerts ADD COLUMN reader TEXT NOT NULL DEFAULT 'self'
    CHECK (reader IN ('self', 'other', 'harassment'));
ALTER TABLE crisis_alerts ADD COLUMN target_id BIGINT;
ALTER TABLE crisis_alerts ADD COLUMN recent_alerts INTEGER NOT NULL DEFAULT 1;
ALTER TABLE crisis_alerts ADD COLUMN claimed_at TEXT;
CREATE INDEX crisis_alerts_created ON crisis_alerts (guild_id, created_at);

-- standard, or cautious: answers more messages at the cost of more false alarms.
ALTER TABLE crisis_settings ADD COLUMN sensitivity TEXT NOT NULL DEFAULT 'standard'
    CHECK (sensitivity IN ('standard', 'cautious'));
