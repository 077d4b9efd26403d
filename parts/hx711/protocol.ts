/**
 * Avia HX711 two-wire interface and data format, shared by the driver and the simulator model.
 *
 * Source: Avia Semiconductor HX711 datasheet — "Serial Interface": DOUT high means not ready (PD_SCK kept low);
 * DOUT low means ready; each PD_SCK pulse shifts out one bit, MSB first, 24 bits; the 25th pulse pulls DOUT back
 * high; 25, 26 or 27 pulses in all select channel A gain 128, channel B gain 32, channel A gain 64 for the next
 * conversion (Table 3), and fewer than 25 or more than 27 in one conversion period are a serial communication error.
 * Fig. 2 timing: PD_SCK high 0.2–50 µs (T3), low ≥ 0.2 µs (T4). Fig. 3: PD_SCK high for more than 60 µs powers the
 * chip down; taking it low resets it, to channel A gain 128. Output rate 10 SPS (RATE low) or 80 SPS (RATE high) on
 * the internal oscillator; full scale ±0.5·AVDD/gain in 24-bit two's complement (800000h…7FFFFFh, where it
 * saturates). Settling after power-up, reset or a channel or gain change: 400 ms at 10 SPS, 50 ms at 80 SPS — four
 * conversions (reference §3.2; the SparkFun OpenScale guide quotes the same 400 ms, and 50 / 90 nV input noise).
 */

export type HX711Input = "A128" | "B32" | "A64";
export const HX711_INPUTS: readonly HX711Input[] = Object.freeze(["A128", "B32", "A64"] as HX711Input[]);

/** PD_SCK pulses per read that select each input for the next conversion (Table 3). */
export const PULSES: Readonly<Record<HX711Input, 25 | 26 | 27>> = Object.freeze({ A128: 25, B32: 26, A64: 27 });
export const GAIN: Readonly<Record<HX711Input, 128 | 32 | 64>> = Object.freeze({ A128: 128, B32: 32, A64: 64 });

/** The input a complete read of `pulses` selects, or undefined outside 25…27 (a communication error). */
export function inputOfPulses(pulses: number): HX711Input | undefined {
  return pulses === 25 ? "A128" : pulses === 26 ? "B32" : pulses === 27 ? "A64" : undefined;
}

export type HX711Rate = 10 | 80;
export const RATES: readonly HX711Rate[] = Object.freeze([10, 80] as HX711Rate[]);

/** Longest PD_SCK high time in a read, µs (T3 max). */
export const HIGH_MAX_US = 50;
/** PD_SCK high longer than this powers the chip down, µs. */
export const POWER_DOWN_US = 60;
/** Conversions the digital filter needs after power-up, reset or an input change. */
export const SETTLING_CONVERSIONS = 4;
/** Settling time, ms (400 ms at 10 SPS, 50 ms at 80 SPS). */
export const SETTLING_MS: Readonly<Record<HX711Rate, number>> = Object.freeze({ 10: 400, 80: 50 });
/** Input noise, V RMS, at gain 128 (50 nV at 10 SPS, 90 nV at 80 SPS). */
export const NOISE_VOLTS_RMS: Readonly<Record<HX711Rate, number>> = Object.freeze({ 10: 50e-9, 80: 90e-9 });

/** Supply current, mA: at most 1.5 mA converting, 1 µA powered down (the datasheet's bounds; reference §3.4). */
export const ACTIVE_MILLIAMPS = 1.5;
export const POWER_DOWN_MILLIAMPS = 0.001;

export const CODE_MAX = 0x7fffff;
export const CODE_MIN = -0x800000;

/** Sign-extend a 24-bit two's-complement value. */
export function signed24(v: number): number {
  return (v << 8) >> 8;
}

/** Vin/AVDD of a code at `gain`: full scale ±0.5·AVDD/gain is ±2^23 codes, so code/(gain·2^24). */
export function ratioFromCode(code: number, gain: number): number {
  return code / (gain * 16777216);
}

/** The ideal code for Vin/AVDD at `gain`, rounded and saturated. */
export function codeFromRatio(ratio: number, gain: number): number {
  const c = Math.round(ratio * gain * 16777216);
  return c > CODE_MAX ? CODE_MAX : c < CODE_MIN ? CODE_MIN : c;
}
