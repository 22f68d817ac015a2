/**
 * Calendar arithmetic on FHIR date strings, in whole UTC days. The pathway counts days ("42 days", "90-day window"),
 * so times of day and zones are dropped: a dateTime counts on its own calendar date as written.
 * Partial dates take their earliest day ("2024-03" is 2024-03-01) for starts and their latest day for ends
 * (see `toDayNumber`'s `bound`), so an imprecise date never widens a window in a patient's favour silently.
 */
const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/;
const MS_PER_DAY = 86_400_000;

/**
 * Milliseconds since 1970 for a UTC calendar date with the year taken literally: Date.UTC maps years 0-99 to
 * 1900-1999, so a record dated 0045 would read as 1945 (plausible, and silently wrong). Month and day may overflow as
 * in Date.UTC.
 */
function utc(year: number, month: number, day: number): number {
  if (year >= 100) return Date.UTC(year, month, day);
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  return date.getTime();
}

/** Days since 1970-01-01 for a FHIR date/dateTime/instant, or undefined if it is not one. */
export function toDayNumber(value: string | undefined, bound: 'start' | 'end' = 'start'): number | undefined {
  if (value === undefined) return undefined;
  const m = DATE.exec(value.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  if (m[2] === undefined) {
    return bound === 'start' ? utc(year, 0, 1) / MS_PER_DAY : utc(year, 11, 31) / MS_PER_DAY;
  }
  const month = Number(m[2]) - 1;
  if (month < 0 || month > 11) return undefined;
  if (m[3] === undefined) {
    return bound === 'start' ? utc(year, month, 1) / MS_PER_DAY : utc(year, month + 1, 0) / MS_PER_DAY;
  }
  const day = Number(m[3]);
  const ms = utc(year, month, day);
  if (new Date(ms).getUTCDate() !== day) return undefined;
  return ms / MS_PER_DAY;
}

/** YYYY-MM-DD for a day number. */
export function fromDayNumber(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** True for a strict calendar date YYYY-MM-DD that exists. */
export function isIsoDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && toDayNumber(value) !== undefined;
}

/** Whole years between a birth date and a day, as clinicians count age. */
export function ageInYears(birthDate: string | undefined, onDay: number): number | undefined {
  const birth = toDayNumber(birthDate);
  if (birth === undefined || birthDate === undefined) return undefined;
  const b = new Date(birth * MS_PER_DAY);
  const d = new Date(onDay * MS_PER_DAY);
  let age = d.getUTCFullYear() - b.getUTCFullYear();
  if (d.getUTCMonth() < b.getUTCMonth() || (d.getUTCMonth() === b.getUTCMonth() && d.getUTCDate() < b.getUTCDate())) {
    age -= 1;
  }
  return age;
}
