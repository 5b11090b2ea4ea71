-- Existing licences (存量证照) imported by an administrator from the columns
-- of up_lic_data: `origin` is 'imported' for them (signed at import by the
-- issuing department's key over what was imported, not over an original
-- file) and 'issued' for a licence issued here on a grant.
ALTER TABLE licenses ADD COLUMN origin TEXT NOT NULL DEFAULT 'issued';
