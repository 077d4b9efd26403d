import { atan2, cos, sin } from "../detmath.js";
import { isValue } from "./common.js";

const RAD_PER_DEG = Math.PI / 180;
const DEG_PER_RAD = 180 / Math.PI;
/** Below this mean resultant length the directions cancel out and there is no mean direction. */
const MIN_RESULTANT = 1e-9;

/**
 * Mean wind direction as the direction of the mean unit vector (WMO-No. 8: average direction as a vector), safe
 * across the 0/360° wrap: 350° and 10° average to 0°, not 180°. `push(deg, weight)` with the wind speed as the
 * weight gives the speed-weighted mean (the direction of the mean wind vector); the default weight is 1.
 *
 * Directions are degrees the wind comes from, any real number (reduced modulo 360). Samples with a NaN direction,
 * or a NaN or negative weight, are skipped and counted in `missing`; a weight of 0 (calm) counts as a sample but
 * does not pull the mean. `mean` is in [0, 360), and NaN when there is nothing to average or the vectors cancel
 * out (resultant below 1e-9). Trigonometry comes from runtime/detmath, so the result is bit-identical on V8 and XS.
 */
export class VectorMean {
  #sumSin = 0;
  #sumCos = 0;
  #sumWeight = 0;
  #count = 0;
  #missing = 0;

  push(deg: number, weight = 1): void {
    if (!isValue(deg) || !isValue(weight) || weight < 0) {
      this.#missing++;
      return;
    }
    this.#count++;
    if (weight === 0) return;
    // Reduce to (-180, 180] first so that mirror-image directions (350° and 10°) give exactly opposite sines.
    let d = deg % 360;
    if (d > 180) d -= 360;
    else if (d <= -180) d += 360;
    const r = d * RAD_PER_DEG;
    this.#sumSin += weight * sin(r);
    this.#sumCos += weight * cos(r);
    this.#sumWeight += weight;
  }

  /** Mean direction in degrees, [0, 360); NaN if there is none. */
  get mean(): number {
    const w = this.#sumWeight;
    if (w === 0 || this.#magnitude() < MIN_RESULTANT * w) return NaN;
    let deg = atan2(this.#sumSin, this.#sumCos) * DEG_PER_RAD;
    if (deg < 0) deg += 360;
    if (deg >= 360) deg -= 360;
    return deg;
  }

  /**
   * Mean resultant length in [0, 1]: 1 when every sample pointed the same way, near 0 when they cancel out (a
   * measure of how steady the direction was). NaN with nothing to average.
   */
  get resultant(): number {
    const w = this.#sumWeight;
    return w === 0 ? NaN : this.#magnitude() / w;
  }

  /** Samples taken (including calm ones of weight 0). */
  get count(): number {
    return this.#count;
  }
  /** Samples skipped for a NaN direction or an invalid weight. */
  get missing(): number {
    return this.#missing;
  }

  reset(): void {
    this.#sumSin = 0;
    this.#sumCos = 0;
    this.#sumWeight = 0;
    this.#count = 0;
    this.#missing = 0;
  }

  #magnitude(): number {
    const s = this.#sumSin;
    const c = this.#sumCos;
    return Math.sqrt(s * s + c * c); // IEEE 754 square root is correctly rounded: the same on every engine
  }
}
