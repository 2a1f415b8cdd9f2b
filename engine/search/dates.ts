/**
 * Strict calendar dates for filters. ES parses date fields with `strict_date_optional_time` and
 * refuses what JavaScript's Date.parse rolls over (`2024-02-30` → March 1), so every date is
 * checked here, before it reaches ES, and a bad one becomes INVALID_INPUT instead of a 502.
 */

/** yyyy-MM-dd, then optionally T or space, HH:mm, :ss, .fraction (1–9 digits), Z or ±HH[[:]mm]. */
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2})(?::?(\d{2}))?)?)?$/;

/** Whether `text` has the shape of an ISO date (it may still be no calendar date). */
export const hasIsoDateShape = (text: string): boolean => ISO_DATE.test(text);

/** The widest epoch-millisecond value a date can hold in both JavaScript and ES (±100,000,000 days). */
export const MAX_EPOCH_MILLIS = 8.64e15;

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const isLeapYear = (year: number): boolean =>
  (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Why `text` is not a date ES accepts, or null when it is. The reasons are written for the user:
 * `February has 28 days in 2023`, `hour 25 is not 0–23`.
 */
export function isoDateProblem(text: string): string | null {
  const match = ISO_DATE.exec(text);
  if (match === null) {
    return 'use an ISO date such as "2024-01-31" or "2024-01-31T08:00:00Z"';
  }
  const [, y, mo, d, h, mi, s, , offsetHours, offsetMinutes] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12) return `month ${mo} is not 01–12`;
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) {
    return `${MONTHS[month - 1]} has ${days} days${month === 2 ? ` in ${year}` : ''}, not ${d}`;
  }
  if (h !== undefined && Number(h) > 23) return `hour ${h} is not 00–23`;
  if (mi !== undefined && Number(mi) > 59) return `minute ${mi} is not 00–59`;
  if (s !== undefined && Number(s) > 59) return `second ${s} is not 00–59`;
  if (offsetHours !== undefined) {
    const minutes = Number(offsetMinutes ?? '0');
    if (minutes > 59 || Number(offsetHours) * 60 + minutes > 18 * 60) {
      return 'the time zone offset must be within ±18:00';
    }
  }
  return null;
}

/** ES wants `T` between date and time; a space is accepted here for people typing dates. */
export function normalizeIsoDate(text: string): string {
  return text.length > 10 && text[10] === ' ' ? `${text.slice(0, 10)}T${text.slice(11)}` : text;
}

/** Why `value` is not an epoch-millisecond date ES accepts, or null. */
export function epochMillisProblem(value: number): string | null {
  return Number.isFinite(value) && Math.abs(value) <= MAX_EPOCH_MILLIS
    ? null
    : `epoch milliseconds must be within ±${MAX_EPOCH_MILLIS}`;
}
