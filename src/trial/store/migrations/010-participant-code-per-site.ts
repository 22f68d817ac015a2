/**
 * Schema version 10: a participant code is unique within its site, no longer across the trial. Codes are the sites'
 * own (each site numbers its participants), and a code unique trial-wide made an enrolment at one site refused (409)
 * for a code another site had used, which told that site the code exists elsewhere. SDTM identifies a subject across
 * the trial by STUDYID-SITEID-SUBJID (src/trial/exports/sdtm.ts), so the site and code stay unique together. An
 * existing database's codes are unique trial-wide already: the migration only relaxes the constraint.
 *
 * SQLite cannot drop a column's UNIQUE constraint: the table is rebuilt as SQLite's ALTER TABLE page prescribes
 * (new table, copy, drop, rename; `migrate` runs SQLite migrations with foreign keys off and checks them before the
 * commit), with its columns in their present order. PostgreSQL drops the column's constraint (its default name).
 */
export const sqlite = `
CREATE TABLE participants_new (
  id TEXT PRIMARY KEY,
  participant_code TEXT NOT NULL,
  screening_id TEXT NOT NULL UNIQUE REFERENCES screening (id),
  site TEXT NOT NULL,
  strata_json TEXT NOT NULL,
  stratum TEXT NOT NULL,
  baseline_crp DOUBLE PRECISION,
  enrolled_on TEXT NOT NULL,
  status TEXT NOT NULL,
  kit_code TEXT,
  randomization_number INTEGER UNIQUE,
  emergency_unblinded INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 1,
  baseline_crp_value DOUBLE PRECISION,
  baseline_crp_unit TEXT,
  baseline_crp_comparator TEXT,
  sex TEXT,
  birth_date TEXT,
  age_at_consent INTEGER,
  UNIQUE (site, participant_code)
);
INSERT INTO participants_new (id, participant_code, screening_id, site, strata_json, stratum, baseline_crp, enrolled_on, status, kit_code, randomization_number, emergency_unblinded, version, baseline_crp_value, baseline_crp_unit, baseline_crp_comparator, sex, birth_date, age_at_consent)
  SELECT id, participant_code, screening_id, site, strata_json, stratum, baseline_crp, enrolled_on, status, kit_code, randomization_number, emergency_unblinded, version, baseline_crp_value, baseline_crp_unit, baseline_crp_comparator, sex, birth_date, age_at_consent FROM participants;
DROP TABLE participants;
ALTER TABLE participants_new RENAME TO participants;
CREATE INDEX participants_site ON participants (site);
`;

export const postgres = `
ALTER TABLE participants DROP CONSTRAINT participants_participant_code_key;
ALTER TABLE participants ADD CONSTRAINT participants_site_participant_code_key UNIQUE (site, participant_code);
`;
