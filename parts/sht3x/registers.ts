/**
 * Sensirion SHT3x-DIS (SHT30/31/35) command set and timing, shared by the driver and the simulator model.
 * Source: Sensirion "Datasheet SHT3x-DIS", version 5 (May 2018): Table 9 (single shot), Table 10 (periodic),
 * Tables 11–18 (fetch, ART, break, soft reset, heater, status), Table 20 (CRC), §4.13 (conversion).
 * Commands are 16 bit, sent MSB first, without a CRC (their low bits already carry a 3-bit check).
 */

export const SHT3X_DEFAULT_ADDRESS = 0x44; // ADDR pin low; 0x45 with ADDR high

export type Repeatability = "high" | "medium" | "low";

/** What the driver starts with and the part declaration (part.ts) states as the options' defaults. */
export const SHT3X_DEFAULTS: Readonly<{ repeatability: Repeatability; heater: boolean }> = Object.freeze({ repeatability: "high", heater: false });

/** Single shot, clock stretching disabled (the sensor NACKs a read header until the result is ready). */
export const CMD_SINGLE_SHOT: Readonly<Record<Repeatability, number>> = Object.freeze({ high: 0x2400, medium: 0x240b, low: 0x2416 });
/** Single shot, clock stretching enabled (the sensor holds SCL low until the result is ready). */
export const CMD_SINGLE_SHOT_STRETCH: Readonly<Record<Repeatability, number>> = Object.freeze({ high: 0x2c06, medium: 0x2c0d, low: 0x2c10 });

export const CMD_FETCH_DATA = 0xe000;
export const CMD_ART = 0x2b32;
export const CMD_BREAK = 0x3093;
export const CMD_SOFT_RESET = 0x30a2;
export const CMD_HEATER_ON = 0x306d;
export const CMD_HEATER_OFF = 0x3066;
export const CMD_READ_STATUS = 0xf32d;
export const CMD_CLEAR_STATUS = 0x3041;

/** Periodic mode commands: measurements per second → repeatability → command (datasheet Table 10). */
export const CMD_PERIODIC: ReadonlyArray<readonly [mps: number, high: number, medium: number, low: number]> = Object.freeze([
  Object.freeze([0.5, 0x2032, 0x2024, 0x202f] as const),
  Object.freeze([1, 0x2130, 0x2126, 0x212d] as const),
  Object.freeze([2, 0x2236, 0x2220, 0x222b] as const),
  Object.freeze([4, 0x2334, 0x2322, 0x2329] as const),
  Object.freeze([10, 0x2737, 0x2721, 0x272a] as const),
]);

/** Status register bits (datasheet Table 17). */
export const STATUS_ALERT_PENDING = 1 << 15;
export const STATUS_HEATER_ON = 1 << 13;
export const STATUS_RH_ALERT = 1 << 11;
export const STATUS_T_ALERT = 1 << 10;
export const STATUS_RESET_DETECTED = 1 << 4;
export const STATUS_COMMAND_FAILED = 1 << 1;
export const STATUS_WRITE_CRC_FAILED = 1 << 0;

/**
 * Measurement duration in µs by repeatability (datasheet v5 Table 4, t_MEAS: typical 12.5 / 4.5 / 2.5 ms,
 * maximum 15 / 6 / 4 ms). The table itself could not be re-read from the primary PDF when this was written; later
 * datasheet editions are reported (unverified) to give a 0.5 ms larger maximum. If that is confirmed, change the
 * maxima here: the driver waits MEASURE_MAX_US and the model's "max" timing uses the same table.
 */
export const MEASURE_TYP_US: Readonly<Record<Repeatability, number>> = Object.freeze({ high: 12_500, medium: 4_500, low: 2_500 });
export const MEASURE_MAX_US: Readonly<Record<Repeatability, number>> = Object.freeze({ high: 15_000, medium: 6_000, low: 4_000 });

/** Soft reset time, maximum (datasheet v5 Table 4, t_SR). */
export const SOFT_RESET_MAX_US = 1_500;
