-- Accountability of accounts (docs/access.md, "Accounts"): an admin's reset
-- withdraws the password ('!' in password_hash never verifies) and leaves a
-- one-time activation code (only its SHA-256, with an expiry) with which the
-- owner sets a new password. The facts (reset, set, tokens issued and
-- revoked) are events of the officer's chain; these columns hold secrets only.
ALTER TABLE accounts ADD COLUMN activation_hash text;
ALTER TABLE accounts ADD COLUMN activation_expires text;
