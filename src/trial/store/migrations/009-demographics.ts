/**
 * Schema version 9: the demographics SDTM DM needs (SDTMIG 3.3: SEX and COUNTRY Required, AGE Expected). Each
 * enrolment's sex (CDISC SEX), birth date or age at consent, and each site's country (ISO 3166-1 alpha-3). Enrolments
 * and trials stored before this migration have none: the columns stay null and DM leaves SEX, AGE and COUNTRY empty,
 * with a note, until the enrolment is corrected or the sites' countries are set. One SQL text for SQLite and
 * PostgreSQL.
 */
export const sql = `
ALTER TABLE participants ADD COLUMN sex TEXT;
ALTER TABLE participants ADD COLUMN birth_date TEXT;
ALTER TABLE participants ADD COLUMN age_at_consent INTEGER;
ALTER TABLE trial_meta ADD COLUMN site_countries_json TEXT;
`;
