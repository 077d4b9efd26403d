/**
 * The last reading of a 3-axis magnetometer driver (QMC5883L, LIS3MDL), kept as numbers so that taking one makes
 * no object: `sample(into)` fills the caller's object (ECMA-419 allows a reused one), `sample()` makes a new one.
 * Both drivers hand out the same shape, so a device can use either part.
 */

export interface MagnetometerSample {
  /** Flux density along the part's axes, µT (ECMA-419 Magnetometer). */
  magnetometer: { x: number; y: number; z: number };
  /** Die temperature, °C (relative only on parts that do not calibrate its offset). */
  temperature: number;
}

export class MagnetometerReading {
  /** x, y, z and temperature codes as the part gave them. */
  readonly raw = new Int16Array(4);
  #valid = false;
  #x = 0;
  #y = 0;
  #z = 0;
  #temperature = 0;
  #repeats = 0;

  get valid(): boolean {
    return this.#valid;
  }

  /** Consecutive readings identical to the one before in all three axes: real readings carry noise, a stuck part not. */
  get repeats(): number {
    return this.#repeats;
  }

  /** A new reading from the part's codes: field = code·100/(LSB per gauss) µT, and the temperature it decoded. */
  update(x: number, y: number, z: number, temperatureCode: number, lsbPerGauss: number, celsius: number): void {
    const raw = this.raw;
    if (this.#valid && x === raw[0] && y === raw[1] && z === raw[2]) this.#repeats++;
    else this.#repeats = 0;
    raw[0] = x;
    raw[1] = y;
    raw[2] = z;
    raw[3] = temperatureCode;
    this.#x = (x * 100) / lsbPerGauss; // 1 G = 100 µT; one rounding, exact for whole multiples
    this.#y = (y * 100) / lsbPerGauss;
    this.#z = (z * 100) / lsbPerGauss;
    this.#temperature = celsius;
    this.#valid = true;
  }

  /** The last attempt failed: no reading until the next one succeeds. */
  invalidate(): void {
    this.#valid = false;
  }

  sample(into?: MagnetometerSample): MagnetometerSample | undefined {
    if (!this.#valid) return undefined;
    if (into) {
      const m = into.magnetometer;
      m.x = this.#x;
      m.y = this.#y;
      m.z = this.#z;
      into.temperature = this.#temperature;
      return into;
    }
    return { magnetometer: { x: this.#x, y: this.#y, z: this.#z }, temperature: this.#temperature };
  }
}

/** A little-endian pair of bytes as a signed 16-bit value. */
export function int16(lsb: number, msb: number): number {
  return (((msb << 8) | lsb) << 16) >> 16;
}
