const DAY = 86_400_000;

/** Daily rollup rows of `[from, to)` added (`sign` 1) or taken away (-1) from the month `period`. */
export interface DailyPart {
  from: string;
  to: string;
  sign: 1 | -1;
  period: string;
}

/** How a month-bucket report reads a range: whole month rows, plus or minus some daily rows. */
export interface MonthPlan {
  /** First days of the months whose `spend_monthly_dims` rows are read. */
  months: string[];
  daily: DailyPart[];
}

/**
 * Splits the days `[from, to)` (UTC, `YYYY-MM-DD`) into months. A month inside the range is its month
 * row. A month the range cuts (only the first and the last can be) is either its daily rows inside
 * the range, or its month row minus its daily rows outside the range, whichever reads fewer rows:
 * "the last 30 days" on the 1st is one month row less one day, plus one day, instead of 30 days.
 * Days after `now` plus a day hold no rows (settlement dates by the database clock), so they cost
 * nothing here; a wrong guess only changes which rows are read, never the result.
 */
export function planMonths(from: string, to: string, now: number = Date.now()): MonthPlan {
  const horizon = dayString(now + 2 * DAY);
  const cost = (lo: string, hi: string) => Math.max(0, days(lo, hi < horizon ? hi : horizon));
  const plan: MonthPlan = { months: [], daily: [] };
  for (let month = monthStart(from); month < to; month = nextMonth(month)) {
    const end = nextMonth(month);
    const lo = from > month ? from : month;
    const hi = to < end ? to : end;
    if (lo === month && hi === end) {
      plan.months.push(month);
    } else if (1 + cost(month, lo) + cost(hi, end) < cost(lo, hi)) {
      plan.months.push(month);
      if (month < lo) plan.daily.push({ from: month, to: lo, sign: -1, period: month });
      if (hi < end) plan.daily.push({ from: hi, to: end, sign: -1, period: month });
    } else {
      plan.daily.push({ from: lo, to: hi, sign: 1, period: month });
    }
  }
  return plan;
}

function monthStart(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

function nextMonth(month: string): string {
  const d = new Date(`${month}T00:00:00Z`);
  return dayString(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
}

function days(lo: string, hi: string): number {
  return (Date.parse(`${hi}T00:00:00Z`) - Date.parse(`${lo}T00:00:00Z`)) / DAY;
}

function dayString(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
