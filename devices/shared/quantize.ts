/**
 * Report values rounded to what the sensor resolves, and sent in the fewest CBOR bytes that hold them: a value is
 * rounded to its resolution, then the float32 neighbour is taken when it lies within a tenth of the resolution
 * (5 bytes instead of 9), so every device's reports stay small without losing a digit the sensor gave.
 */
export function quantize(x: number, resolution: number): number {
  if (x !== x) return x;
  const r = Math.round(x / resolution) * resolution;
  const f = Math.fround(r);
  return Math.abs(f - r) <= resolution / 10 ? f : r;
}
