/**
 * Schema version 1: one SQL text for SQLite and PostgreSQL (TEXT for ISO dates, timestamps and JSON; INTEGER for
 * counts and 0/1 flags; DOUBLE PRECISION for measurements). One trial per database. Kept as a TypeScript module so
 * the build carries it with the code.
 */
export const sql = `
-- Trial store schema, version 1. One file for SQLite and PostgreSQL: TEXT (ISO dates and timestamps, JSON),
-- INTEGER (counts, 0/1 flags), DOUBLE PRECISION (measurements). One trial per database.

CREATE TABLE trial_meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  protocol_id TEXT NOT NULL,
  protocol_version TEXT NOT NULL,
  protocol_json TEXT NOT NULL,
  plan_json TEXT NOT NULL,
  initialised_at TEXT NOT NULL,
  locked_at TEXT,
  next_randomization INTEGER NOT NULL,
  minimisation_json TEXT
);

CREATE TABLE allocation_list (
  stratum TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  block INTEGER NOT NULL,
  block_size INTEGER NOT NULL,
  arm TEXT NOT NULL,
  participant_id TEXT,
  PRIMARY KEY (stratum, sequence)
);

CREATE TABLE screening (
  id TEXT PRIMARY KEY,
  site TEXT NOT NULL,
  screening_code TEXT NOT NULL,
  screened_on TEXT NOT NULL,
  criteria_json TEXT NOT NULL,
  verdict TEXT NOT NULL,
  failed_json TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  UNIQUE (site, screening_code)
);

CREATE TABLE consents (
  id TEXT PRIMARY KEY,
  screening_id TEXT NOT NULL UNIQUE REFERENCES screening (id),
  consented_on TEXT NOT NULL,
  form_version TEXT NOT NULL,
  taken_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);

CREATE TABLE participants (
  id TEXT PRIMARY KEY,
  participant_code TEXT NOT NULL UNIQUE,
  screening_id TEXT NOT NULL UNIQUE REFERENCES screening (id),
  site TEXT NOT NULL,
  strata_json TEXT NOT NULL,
  stratum TEXT NOT NULL,
  baseline_crp DOUBLE PRECISION,
  enrolled_on TEXT NOT NULL,
  status TEXT NOT NULL,
  kit_code TEXT,
  randomization_number INTEGER UNIQUE,
  emergency_unblinded INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX participants_site ON participants (site);

CREATE TABLE kits (
  kit_code TEXT PRIMARY KEY,
  arm TEXT NOT NULL,
  participant_id TEXT UNIQUE REFERENCES participants (id),
  added_at TEXT NOT NULL
);
CREATE INDEX kits_free ON kits (arm, participant_id);

CREATE TABLE allocations (
  participant_id TEXT PRIMARY KEY REFERENCES participants (id),
  randomization_number INTEGER NOT NULL UNIQUE,
  stratum TEXT NOT NULL,
  stratum_sequence INTEGER NOT NULL,
  arm TEXT NOT NULL,
  kit_code TEXT NOT NULL UNIQUE,
  randomized_at TEXT NOT NULL,
  UNIQUE (stratum, stratum_sequence)
);

CREATE TABLE doses (
  id TEXT PRIMARY KEY,
  participant_id TEXT NOT NULL REFERENCES participants (id),
  visit TEXT NOT NULL,
  kit_code TEXT NOT NULL,
  administered_on TEXT NOT NULL,
  dose_mg DOUBLE PRECISION,
  body_weight_kg DOUBLE PRECISION,
  recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);

CREATE TABLE dispositions (
  id TEXT PRIMARY KEY,
  participant_id TEXT NOT NULL REFERENCES participants (id),
  event TEXT NOT NULL,
  on_date TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);

CREATE TABLE forms (
  id TEXT PRIMARY KEY,
  participant_id TEXT NOT NULL REFERENCES participants (id),
  visit TEXT NOT NULL,
  instrument TEXT NOT NULL,
  scoring TEXT,
  answers_json TEXT NOT NULL,
  completed_on TEXT NOT NULL,
  score_json TEXT NOT NULL,
  status TEXT NOT NULL,
  signature_json TEXT,
  version INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (participant_id, visit, instrument)
);

CREATE TABLE form_corrections (
  id TEXT PRIMARY KEY,
  form_id TEXT NOT NULL REFERENCES forms (id),
  item TEXT NOT NULL,
  old_value_json TEXT NOT NULL,
  new_value_json TEXT NOT NULL,
  user_id TEXT NOT NULL,
  at TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX form_corrections_form ON form_corrections (form_id);

CREATE TABLE labs (
  id TEXT PRIMARY KEY,
  participant_id TEXT NOT NULL REFERENCES participants (id),
  site TEXT NOT NULL,
  visit TEXT NOT NULL,
  analyte TEXT NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  unit TEXT NOT NULL,
  uln DOUBLE PRECISION,
  lln DOUBLE PRECISION,
  collected_on TEXT NOT NULL,
  assessment_json TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);
CREATE INDEX labs_participant ON labs (participant_id);

CREATE TABLE adverse_events (
  id TEXT PRIMARY KEY,
  participant_id TEXT NOT NULL REFERENCES participants (id),
  site TEXT NOT NULL,
  term TEXT NOT NULL,
  onset_on TEXT NOT NULL,
  grade INTEGER NOT NULL,
  serious_criteria_json TEXT NOT NULL,
  serious INTEGER NOT NULL,
  relatedness TEXT NOT NULL,
  expectedness TEXT NOT NULL,
  outcome TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);

CREATE TABLE alerts (
  id TEXT PRIMARY KEY,
  participant_id TEXT NOT NULL REFERENCES participants (id),
  site TEXT NOT NULL,
  kind TEXT NOT NULL,
  message TEXT NOT NULL,
  source_type TEXT NOT NULL,
  source_id TEXT NOT NULL,
  raised_at TEXT NOT NULL,
  acknowledged_by TEXT,
  acknowledged_at TEXT
);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL,
  site TEXT,
  password_hash TEXT NOT NULL,
  active INTEGER NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id),
  csrf_secret TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE audit (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  user_id TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT,
  reason TEXT NOT NULL,
  before_json TEXT NOT NULL,
  after_json TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);

-- The chain's head, updated in the same transaction as each append; a truncated trail no longer matches it.
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
`;
