-- Activation codes after an admin's reset: see migrations/postgres/0007_account_activation.sql.
ALTER TABLE accounts ADD COLUMN activation_hash TEXT;
ALTER TABLE accounts ADD COLUMN activation_expires TEXT;
