CREATE INDEX ix_accounts_region ON accounts (region);
