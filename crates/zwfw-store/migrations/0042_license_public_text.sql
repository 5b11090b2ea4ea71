-- The public encoding of a licence version's signed text (zwfw-license/2):
-- the holder's details are signed as SM3 digests of a random salt and the
-- value. holder_salt is that salt (32 hex digits; empty for versions signed
-- in zwfw-license/1), shown to the holder only. hidden_fields holds, as a
-- JSON object, the template fields the public text gives as digests only
-- (a natural person's), so that 换发 and 变更 can carry them on ('' when
-- there are none).
ALTER TABLE licenses ADD COLUMN holder_salt TEXT NOT NULL DEFAULT '';

ALTER TABLE licenses ADD COLUMN hidden_fields TEXT NOT NULL DEFAULT '';
