/**
 * Schema version 6: the baseline hs-CRP as entered, its value and UCUM unit (a value typed from a report in mg/dL is
 * a tenth of the mg/L the strata are cut in). `baseline_crp` stays the value in mg/L. Enrolments made before this
 * migration have no unit: they are read as mg/L, the unit the field was documented in, and flagged as such. One SQL
 * text for SQLite and PostgreSQL.
 */
export const sql = `
ALTER TABLE participants ADD COLUMN baseline_crp_value DOUBLE PRECISION;
ALTER TABLE participants ADD COLUMN baseline_crp_unit TEXT;
`;
