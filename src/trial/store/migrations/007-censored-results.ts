/**
 * Schema version 7: a censored result's comparator, as the laboratory reports it ("<0.2" mg/L below the assay's
 * detection limit, ">1000" above its range): `<` or `>` beside the limit in `value` (labs) or `baseline_crp_value`
 * (the baseline hs-CRP). NULL is a measured value, as every result entered before this migration is. One SQL text for
 * SQLite and PostgreSQL.
 */
export const sql = `
ALTER TABLE labs ADD COLUMN comparator TEXT;
ALTER TABLE participants ADD COLUMN baseline_crp_comparator TEXT;
`;
