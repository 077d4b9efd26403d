/** Figures as the CLI and the benchmarks print them. */

/** A count rounded to an integer, with thousands separators: 1,234,567. */
export function int(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
