-- 群众诉求台账 import (issue #18 point 6): the number a township's register gives a request
-- (编号), kept so that the register imported again finds the requests it already brought
-- in; NULL for a request recorded on the form or imported without one.
ALTER TABLE mass_request ADD COLUMN register_no TEXT;
CREATE INDEX mass_request_register ON mass_request (register_no);
