/**
 * Schema version 8: what was done about a safety alert, recorded when it is acknowledged (`action_taken`, the
 * acknowledger's words: "infusion withheld, repeat ANC in 48 h"). Alerts acknowledged before this migration keep a
 * null action: none was asked for then. One SQL text for SQLite and PostgreSQL.
 */
export const sql = `
ALTER TABLE alerts ADD COLUMN action_taken TEXT;
`;
