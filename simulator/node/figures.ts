/** Figures as the CLI and the benchmarks print them. */

/** A count rounded to an integer, with thousands separators: 1,234,567. */
export function int(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Virtual µs as hours to the millisecond-ish: "2.033 h". */
export function hoursOf(us: number): string {
  return `${(us / 3.6e9).toFixed(3)} h`;
}
