/**
 * Schema version 3: sign-in attempts per client address, counted in the database so that every server process of
 * `trd serve --workers N` shares one rate limit (src/server/trial/sign-in-limit.ts). Not trial data and not audited;
 * a row lives one rate-limit window. One SQL text for SQLite and PostgreSQL (BIGINT: epoch milliseconds).
 */
export const sql = `
-- Sign-in attempts per client address within the current rate-limit window (epoch milliseconds).
CREATE TABLE sign_in_attempts (
  client_key TEXT PRIMARY KEY,
  window_start_ms BIGINT NOT NULL,
  attempts INTEGER NOT NULL
);
CREATE INDEX sign_in_attempts_window ON sign_in_attempts (window_start_ms);
`;
