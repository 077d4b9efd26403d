/**
 * ST LIS3MDL register map, encodings and figures, shared by the driver and the simulator model (constants and pure
 * encoders only). Sources, each checked with the search tool:
 * - ST's own register driver, STMicroelectronics/lis3mdl-pid (lis3mdl_reg.h, lis3mdl_reg.c): addresses, bit
 *   fields, I2C addresses, WHO_AM_I, the OM/DO/FAST_ODR codes with their rates, FS codes and LSB/gauss, the
 *   temperature conversion.
 * - Datasheet DocID024204 (front page, as served by ST and distributors): ±4/8/12/16 G, continuous and
 *   single-conversion modes, I2C standard and fast mode (100/400 kHz).
 * - ST's answers on its community forum: TEMP_OUT is 8 LSB/°C with 0 at 25 °C (AN4602 p. 20); an auto-incremented
 *   read of the output registers wraps from OUT_Z_H (0x2D) back to OUT_X_L (0x28), "standard behavior".
 * - The datasheet as cited by Zephyr's LIS3MDL emulator: a multi-byte access needs the sub-address MSB set (§5.1.1);
 *   CTRL_REG1 resets to 0x10 and CTRL_REG3 to 0x03; MD 10 and 11 are both power-down (Table 28).
 */

/** 7-bit I2C addresses by the SA1 pin: low 0x1C, high 0x1E (ST: 8-bit 0x39/0x3D). */
export const LIS3MDL_ADDRESSES: readonly number[] = Object.freeze([0x1c, 0x1e]);
export const LIS3MDL_DEFAULT_ADDRESS = 0x1c;

export const REG_WHO_AM_I = 0x0f;
export const REG_CTRL1 = 0x20;
export const REG_CTRL2 = 0x21;
export const REG_CTRL3 = 0x22;
export const REG_CTRL4 = 0x23;
export const REG_CTRL5 = 0x24;
export const REG_STATUS = 0x27;
export const REG_OUT_X_L = 0x28; // X, Y, Z: L then H, 0x28…0x2D
export const REG_OUT_Z_H = 0x2d;
export const REG_TEMP_OUT_L = 0x2e; // 0x2E L, 0x2F H
export const REG_INT_CFG = 0x30;
export const REG_INT_SRC = 0x31;
export const REG_INT_THS_L = 0x32;
export const REG_INT_THS_H = 0x33;
/** Sub-address bit 7: advance the register address after each byte (datasheet §5.1.1). */
export const AUTO_INCREMENT = 0x80;

export const WHO_AM_I = 0x3d;

// CTRL_REG1
export const CTRL1_TEMP_EN = 0x80;
export const CTRL1_FAST_ODR = 0x02;
export const CTRL1_ST = 0x01;
// CTRL_REG2
export const CTRL2_REBOOT = 0x08;
export const CTRL2_SOFT_RST = 0x04;
// CTRL_REG3
export const CTRL3_LP = 0x20;
export const CTRL3_SIM = 0x04;
export const MD_CONTINUOUS = 0b00;
export const MD_SINGLE = 0b01;
export const MD_POWER_DOWN = 0b11; // 0b10 is power-down too
// CTRL_REG4
export const CTRL4_BLE = 0x02;
// CTRL_REG5
export const CTRL5_FAST_READ = 0x80;
export const CTRL5_BDU = 0x40;
// STATUS_REG
export const STATUS_ZYXOR = 0x80;
export const STATUS_ZOR = 0x40;
export const STATUS_YOR = 0x20;
export const STATUS_XOR = 0x10;
export const STATUS_ZYXDA = 0x08;
export const STATUS_ZDA = 0x04;
export const STATUS_YDA = 0x02;
export const STATUS_XDA = 0x01;
// INT_SRC
/** Internal measurement range overflow on a magnetic value. */
export const INT_SRC_MROI = 0x02;

/** Reset values of the writable registers (datasheet as cited above; INT_CFG's 0xE8 is from memory, unverified). */
export const RESET_VALUES: Readonly<Record<number, number>> = Object.freeze({
  [REG_CTRL1]: 0x10,
  [REG_CTRL2]: 0x00,
  [REG_CTRL3]: 0x03,
  [REG_CTRL4]: 0x00,
  [REG_CTRL5]: 0x00,
  [REG_INT_CFG]: 0xe8,
});

export type LisRange = 4 | 8 | 12 | 16;
/** Operating mode (OM for X/Y in CTRL_REG1, OMZ for Z in CTRL_REG4), codes 00…11. */
export type LisMode = "low-power" | "medium" | "high" | "ultra-high";

/** FS codes 00…11 (CTRL_REG2[6:5]) and their sensitivity, LSB/gauss. */
export const RANGE_G: readonly LisRange[] = Object.freeze([4, 8, 12, 16] as const);
export const LSB_PER_GAUSS: readonly number[] = Object.freeze([6842, 3421, 2281, 1711]);
export const MODES: readonly LisMode[] = Object.freeze(["low-power", "medium", "high", "ultra-high"] as const);
/** FAST_ODR rate by mode, Hz (ST: LP 1 kHz, MP 560 Hz, HP 300 Hz, UHP 155 Hz). */
export const FAST_ODR_HZ: readonly number[] = Object.freeze([1000, 560, 300, 155]);
/** DO codes 000…111 (CTRL_REG1[4:2]), Hz. */
export const DO_HZ: readonly number[] = Object.freeze([0.625, 1.25, 2.5, 5, 10, 20, 40, 80]);

/** TEMP_OUT: 8 LSB/°C, 0 at 25 °C. */
export const TEMP_LSB_PER_C = 8;
export const TEMP_ZERO_C = 25;

/**
 * How long one conversion takes in a mode, µs: the period of the mode's FAST_ODR rate, the fastest the part can
 * convert in it. The datasheet gives no single-conversion duration; this is the inference the driver and the model
 * share, stated once.
 */
export function conversionUs(mode: number): number {
  return 1_000_000 / FAST_ODR_HZ[mode & 3]!;
}

export function lsbPerGauss(range: LisRange): number {
  return LSB_PER_GAUSS[rangeCode(range)]!;
}

export function rangeCode(range: number): number {
  const c = RANGE_G.indexOf(range as LisRange);
  if (c < 0) throw new RangeError(`LIS3MDL: range must be 4, 8, 12 or 16 (gauss), got ${String(range)}`);
  return c;
}

export function modeCode(mode: string): number {
  const c = MODES.indexOf(mode as LisMode);
  if (c < 0) throw new RangeError(`LIS3MDL: mode must be "low-power", "medium", "high" or "ultra-high", got ${String(mode)}`);
  return c;
}

/** The driver's defaults, stated once: the manifest schema (part.ts) shows the same object. */
export const LIS3MDL_DEFAULTS: Readonly<{ range: LisRange; mode: LisMode }> = Object.freeze({
  // ±4 G: the finest scale holds Earth's ~0.5 G and a car's disturbance with room to spare.
  range: 4,
  // The least noise; a conversion is then 6.5 ms, once per reading.
  mode: "ultra-high",
});
