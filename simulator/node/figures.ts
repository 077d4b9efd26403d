/** Figures as the CLI and the benchmarks print them. */

/** A count rounded to an integer, with thousands separators: 1,234,567. */
export function int(n: number): string {
  const r = Math.round(n);
  // By hand for the usual case: the first toLocaleString of a process loads ICU's number formats (about 15 ms of
  // every CLI run). The rest (−0, non-finite, beyond 2^53) goes to ICU, whose output this copies.
  if (!Number.isSafeInteger(r) || Object.is(r, -0)) return r.toLocaleString("en-US");
  const digits = String(r < 0 ? -r : r);
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += "," + digits.slice(i, i + 3);
  return r < 0 ? "-" + out : out;
}

/** Virtual µs as hours to the millisecond-ish: "2.033 h". */
export function hoursOf(us: number): string {
  return `${(us / 3.6e9).toFixed(3)} h`;
}
