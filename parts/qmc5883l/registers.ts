/**
 * QST QMC5883L register map, encodings and figures, shared by the driver and the simulator model (constants and
 * pure encoders only). Sources, each checked with the search tool:
 * - QMC5883L datasheet §9 (register map Table 13, output data §9.2.1/Table 14, status §9.2.2/Table 15,
 *   temperature §9.2.3/Table 17, control registers §9.2.4/Tables 18–19, SET/RESET period §9.2.5/Table 20), read
 *   as quoted in full in Tasmota's xsns_33_qmc5883l.ino.
 * - QMC5883L datasheet Rev B, as cited by Linux drivers/iio/magnetometer/qmc5883l.c: chip id 0x0D = 0xFF (the
 *   register was "reserved" in rev 1.0), POR completion time 350 µs (Table 7), sensitivity as the IIO scale
 *   1/12000 G (±2 G) and 1/3000 G (±8 G) per LSB.
 */

/** The 7-bit I2C address; the part has no address pin. */
export const QMC5883L_ADDRESS = 0x0d;

export const REG_X_LSB = 0x00; // X, Y, Z: LSB then MSB, 0x00…0x05 (§9.2.1)
export const REG_STATUS = 0x06;
export const REG_TOUT_LSB = 0x07; // TOUT: 0x07 LSB, 0x08 MSB (§9.2.3)
export const REG_CTRL1 = 0x09;
export const REG_CTRL2 = 0x0a;
export const REG_SET_RESET = 0x0b; // FBR[7:0], SET/RESET period (§9.2.5)
export const REG_STATUS2 = 0x0c; // "two status registers located in 06H and 0CH" (§9.2.2); Table 13: reserved
export const REG_CHIP_ID = 0x0d;
/** The last register the map defines. */
export const REG_LAST = 0x0d;

/** Chip id register 0x0D reads 0xFF (datasheet Rev B; rev 1.0 documented the register as reserved). */
export const CHIP_ID = 0xff;

/** Status register 1 (0x06), Table 15. DRDY and DOR clear when any data register 0x00–0x05 is read. */
export const STATUS_DRDY = 0x01;
/** An axis left the int16 output range (the data saturate at −32768/32767); clears when a measurement is back in. */
export const STATUS_OVL = 0x02;
/** A whole measurement was skipped: new data replaced data nobody read (continuous mode). */
export const STATUS_DOR = 0x04;

/** Control register 2 (0x0A), Table 19. */
export const CTRL2_SOFT_RST = 0x80;
/** I2C read pointer rolls over 0x00…0x06 when the read starts there. */
export const CTRL2_ROL_PNT = 0x40;
/** INT_ENB: "0" enables the DRDY pin, "1" disables it (§9.2.4). */
export const CTRL2_INT_ENB = 0x01;

/** §9.2.5: "it is recommended that the register 0BH is written by 0x01". */
export const SET_RESET_PERIOD = 0x01;

/** MODE[1:0] (Table 18): 00 standby, 01 continuous; 10 and 11 are reserved. There is no single-measurement mode. */
export const MODE_STANDBY = 0b00;
export const MODE_CONTINUOUS = 0b01;

export type QmcRange = 2 | 8;
export type QmcOdr = 10 | 50 | 100 | 200;
export type QmcOsr = 512 | 256 | 128 | 64;

/** Table 18, by code 00, 01, 10, 11. */
export const ODR_HZ: readonly QmcOdr[] = Object.freeze([10, 50, 100, 200] as const);
export const OSR: readonly QmcOsr[] = Object.freeze([512, 256, 128, 64] as const);
/** RNG codes 00 (±2 G) and 01 (±8 G); 10 and 11 are reserved. */
export const RANGE_G: readonly QmcRange[] = Object.freeze([2, 8] as const);

/** Sensitivity, LSB per gauss, by range (datasheet Table 2): 12 000 at ±2 G, 3 000 at ±8 G. */
export function lsbPerGauss(range: QmcRange): number {
  return range === 2 ? 12_000 : 3_000;
}

/** Temperature coefficient of TOUT, LSB/°C; "about" (§9.2.3). Its offset is not compensated: relative only. */
export const TEMP_LSB_PER_C = 100;

/** POR completion time, µs (datasheet Rev B Table 7, per the Linux driver). The driver waits it after a soft reset. */
export const POR_US = 350;

/** The driver's defaults, stated once: the manifest schema (part.ts) shows the same object. */
export const QMC5883L_DEFAULTS: Readonly<{ range: QmcRange; odr: QmcOdr; osr: QmcOsr }> = Object.freeze({
  // ±8 G: 3000 LSB/G is 0.33 mG per count, far below the noise, and a car's steel close above a flush-mounted
  // sensor cannot push Earth's ~0.5 G out of range the way it can at ±2 G.
  range: 8,
  // 200 Hz: the part is awake one period per reading, so the fastest rate is the cheapest per reading.
  odr: 200,
  // 512: the most filtering, the least noise (§9.2.4).
  osr: 512,
});

/** Control register 1 (0x09): OSR[7:6] RNG[5:4] ODR[3:2] MODE[1:0]; throws on a value Table 18 does not list. */
export function encodeCtrl1(osr: number, range: number, odr: number, mode: number): number {
  const o = OSR.indexOf(osr as QmcOsr);
  const r = RANGE_G.indexOf(range as QmcRange);
  const d = ODR_HZ.indexOf(odr as QmcOdr);
  if (o < 0) throw new RangeError(`QMC5883L: OSR must be 512, 256, 128 or 64, got ${String(osr)}`);
  if (r < 0) throw new RangeError(`QMC5883L: range must be 2 or 8 (gauss), got ${String(range)}`);
  if (d < 0) throw new RangeError(`QMC5883L: ODR must be 10, 50, 100 or 200 (Hz), got ${String(odr)}`);
  if (mode !== MODE_STANDBY && mode !== MODE_CONTINUOUS) throw new RangeError(`QMC5883L: mode must be 0 (standby) or 1 (continuous), got ${String(mode)}`);
  return (o << 6) | (r << 4) | (d << 2) | mode;
}
