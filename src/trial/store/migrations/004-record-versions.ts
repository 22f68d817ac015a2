/**
 * Schema version 4: a version on every record a correction changes (screening entries, consents, enrolments, lab
 * results, adverse events, infusions, dispositions), as forms have had since version 1. A correction may name the version it was made on; one made on a
 * version someone has corrected since is refused instead of written over theirs (src/trial/store/sql-store.ts,
 * assertVersion). Rows entered before this migration start at version 1. One SQL text for SQLite and PostgreSQL.
 */
export const sql = `
ALTER TABLE labs ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE adverse_events ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE doses ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE dispositions ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE screening ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE consents ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE participants ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
`;
