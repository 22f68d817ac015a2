/**
 * Schema version 5: each site's time zone (IANA, given at `trd trial init --site-time-zones`) and the site's calendar
 * date of each randomization. The instant (`randomized_at`) is UTC; its UTC date is the wrong day for a site far from
 * UTC near midnight (randomized at 09:00 in Sydney is the previous day in UTC). Randomizations made before this
 * migration keep their UTC date. One SQL text for SQLite and PostgreSQL.
 */
export const sql = `
ALTER TABLE trial_meta ADD COLUMN site_time_zones_json TEXT;
ALTER TABLE allocations ADD COLUMN randomized_on TEXT;
UPDATE allocations SET randomized_on = substr(randomized_at, 1, 10);
`;
