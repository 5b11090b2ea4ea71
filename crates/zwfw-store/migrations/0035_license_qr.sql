-- The compact signed payload each licence version's QR code carries
-- (zwfw_domain::licenses::qr): base64url text, empty for the versions
-- issued before QR codes were printed.
ALTER TABLE licenses ADD COLUMN qr_payload TEXT NOT NULL DEFAULT '';
