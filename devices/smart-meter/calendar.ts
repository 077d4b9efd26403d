/**
 * Civil dates on the meter's clock without `Date` (device code): China Standard Time is UTC+8 all year (no daylight
 * saving since 1991), so local midnight is a fixed offset from UTC. Day ↔ date conversion is Howard Hinnant's
 * days_from_civil / civil_from_days (proleptic Gregorian), integer arithmetic only, exact on every engine.
 */

/** UTC+8, ms. */
export const LOCAL_OFFSET_MS = 8 * 3_600_000;
export const DAY_MS = 86_400_000;

/** Local day number (days since 1970-01-01 in UTC+8) of Unix time `ms`. */
export function localDay(ms: number): number {
  return Math.floor((ms + LOCAL_OFFSET_MS) / DAY_MS);
}

/** Unix ms of 00:00 local on local day `day`. */
export function localMidnight(day: number): number {
  return day * DAY_MS - LOCAL_OFFSET_MS;
}

/** Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1…12, d 1…31). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The date of day number `z` (days since 1970-01-01), packed as y·10000 + m·100 + d. */
export function civilFromDays(z: number): number {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return y * 10000 + m * 100 + d;
}

/**
 * Unix ms of the latest settlement instant at or before `ms`: 00:00 local on day `billingDay` (1…28) of the month,
 * as DL/T 645-2007 meters freeze their settlement-day (结算日) registers.
 */
export function lastBillingBoundary(ms: number, billingDay: number): number {
  const day = localDay(ms);
  const ymd = civilFromDays(day);
  let y = Math.floor(ymd / 10000);
  let m = Math.floor(ymd / 100) % 100;
  const d = ymd % 100;
  if (d < billingDay) {
    m--;
    if (m === 0) {
      m = 12;
      y--;
    }
  }
  return localMidnight(daysFromCivil(y, m, billingDay));
}
