-- Phones are protected like ID numbers: the ciphertext (under the database's crypto suite)
-- and a masked copy for display. Clear phones already stored are encrypted by the app at
-- its first start with the key (app::privacy::check_key → protect_phones), which then
-- drops the clear column `phone` in the same transaction.
ALTER TABLE member ADD COLUMN phone_cipher TEXT;
ALTER TABLE member ADD COLUMN phone_masked TEXT;
