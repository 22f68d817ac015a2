/**
 * Calendar arithmetic on FHIR date strings, in whole UTC days. The pathway counts days ("42 days", "90-day window"),
 * so times of day and zones are dropped: a dateTime counts on its own calendar date as written.
 * Partial dates take their earliest day ("2024-03" is 2024-03-01) for starts and their latest day for ends
 * (see `toDayNumber`'s `bound`), so an imprecise date never widens a window in a patient's favour silently.
 */
const MS_PER_DAY = 86_400_000;

/**
 * Days since 1970-01-01 of a proleptic Gregorian date, years taken literally (0045 is the year 45, not 1945), by
 * H. Hinnant's days_from_civil: integer arithmetic, no Date object, because every date of every record goes
 * through here.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthFromMarch = (month + 9) % 12;
  const dayOfYear = Math.floor((153 * monthFromMarch + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** [year, month 1-12, day] of a day number (civil_from_days, the inverse of daysFromCivil). */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

const isLeap = (year: number): boolean => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysInMonth = (year: number, month: number): number =>
  month === 2 && isLeap(year) ? 29 : (MONTH_DAYS[month - 1] ?? 0);

/** The two-digit number at `at`, or -1. */
function twoDigits(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48;
  const b = s.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * Days since 1970-01-01 for a FHIR date/dateTime/instant (read from its leading YYYY, YYYY-MM or YYYY-MM-DD), or
 * undefined if it is not one.
 */
export function toDayNumber(value: string | undefined, bound: 'start' | 'end' = 'start'): number | undefined {
  if (value === undefined) return undefined;
  const first = value.charCodeAt(0);
  const s = first >= 48 && first <= 57 ? value : value.trim();
  const hi = twoDigits(s, 0);
  const lo = twoDigits(s, 2);
  if (hi < 0 || lo < 0) return undefined;
  const year = hi * 100 + lo;
  const month = s.charCodeAt(4) === 45 ? twoDigits(s, 5) : -1;
  if (month < 0) return bound === 'start' ? daysFromCivil(year, 1, 1) : daysFromCivil(year, 12, 31);
  if (month < 1 || month > 12) return undefined;
  const day = s.charCodeAt(7) === 45 ? twoDigits(s, 8) : -1;
  if (day < 0) return daysFromCivil(year, month, bound === 'start' ? 1 : daysInMonth(year, month));
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  return daysFromCivil(year, month, day);
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

/** YYYY-MM-DD for a day number. */
export function fromDayNumber(day: number): string {
  if (!Number.isInteger(day)) return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
  const [y, m, d] = civilFromDays(day);
  if (y < 0 || y > 9999) return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
  const century = TWO_DIGITS[Math.floor(y / 100)] as string;
  return `${century}${TWO_DIGITS[y % 100] as string}-${TWO_DIGITS[m] as string}-${TWO_DIGITS[d] as string}`;
}

/** True for a strict calendar date YYYY-MM-DD that exists. */
export function isIsoDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && toDayNumber(value) !== undefined;
}

/** Whole years between a birth date and a day, as clinicians count age. */
export function ageInYears(birthDate: string | undefined, onDay: number): number | undefined {
  const birth = toDayNumber(birthDate);
  if (birth === undefined) return undefined;
  const [by, bm, bd] = civilFromDays(birth);
  const [y, m, d] = civilFromDays(onDay);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}
