/**
 * Schema version 2: the database itself refuses UPDATE and DELETE on the audit trail (a trigger in each dialect).
 */
export const sqlite = `
-- The audit trail is append-only: updates and deletes are refused by the database itself.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
`;

export const postgres = `
-- The audit trail is append-only: updates and deletes are refused by the database itself.
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit trail is append-only';
END;
$$;
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only();
`;
