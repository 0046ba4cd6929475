-- A member's own country (ISO 3166-1 alpha-2, set with /country), for the helplines the bot
-- offers them. NULL means: use the group's country. It lives on the member row, so privacy
-- export and erasure already cover it.
ALTER TABLE members ADD COLUMN country TEXT;
