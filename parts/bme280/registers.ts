/**
 * Bosch BME280 register map and timing, shared by the driver and the simulator model (constants only: the model
 * must not reuse the driver's compensation or trimming parser).
 * Source: Bosch Sensortec BST-BME280-DS002 (rev. 1.6, 2018): §5.3 memory map, §5.4 registers, §6.2 I²C,
 * §9.1 measurement time; cross-checked against boschsensortec/BME280_SensorAPI (bme280_defs.h, bme280.c v3.5.0).
 */

export const BME280_DEFAULT_ADDRESS = 0x76; // SDO to GND; 0x77 with SDO to VDDIO

/**
 * Bosch's weather-monitoring setting (datasheet §3.5.1): forced mode, ×1 everywhere, filter off. The driver starts
 * from it and the part declaration (part.ts) states it as the options' defaults.
 */
export const BME280_DEFAULTS = Object.freeze({ temperatureOversampling: 1, pressureOversampling: 1, humidityOversampling: 1, filter: 0 } as const);

export const REG_CALIB00 = 0x88; // calib00…calib25: 0x88…0xA1 (dig_T1…dig_P9, 0xA0 unused, dig_H1 at 0xA1)
export const CALIB_TP_LENGTH = 26;
export const REG_ID = 0xd0;
export const REG_RESET = 0xe0;
export const REG_CALIB26 = 0xe1; // dig_H2…dig_H6: 0xE1…0xE7 (calib26…calib41 spans 0xE1…0xF0)
export const CALIB_H_LENGTH = 7;
export const REG_CTRL_HUM = 0xf2;
export const REG_STATUS = 0xf3;
export const REG_CTRL_MEAS = 0xf4;
export const REG_CONFIG = 0xf5;
export const REG_PRESS_MSB = 0xf7; // press 0xF7…0xF9, temp 0xFA…0xFC, hum 0xFD…0xFE

export const CHIP_ID = 0x60; // BMP280 reads 0x56/0x57 (samples) or 0x58
export const RESET_WORD = 0xb6;

export const STATUS_MEASURING = 0x08;
export const STATUS_IM_UPDATE = 0x01;

export const MODE_SLEEP = 0b00;
export const MODE_FORCED = 0b01; // 0b10 is forced mode too
export const MODE_NORMAL = 0b11;

/** Output of a skipped channel (and the reset value of the data registers). */
export const SKIPPED_20BIT = 0x80000;
export const SKIPPED_16BIT = 0x8000;

/** osrs_x code → oversampling factor (0 = skipped; codes 101…111 all mean ×16). */
export function oversamplingFactor(code: number): number {
  const c = code & 7;
  return c === 0 ? 0 : c >= 5 ? 16 : 1 << (c - 1);
}

/** Oversampling factor → osrs_x code; throws on anything but 0, 1, 2, 4, 8, 16. */
export function oversamplingCode(factor: number): number {
  switch (factor) {
    case 0: return 0;
    case 1: return 1;
    case 2: return 2;
    case 4: return 3;
    case 8: return 4;
    case 16: return 5;
  }
  throw new RangeError(`BME280: oversampling must be 0, 1, 2, 4, 8 or 16, got ${String(factor)}`);
}

/** filter code → IIR coefficient (0 = off; codes 100…111 all mean 16). */
export function filterCoefficient(code: number): number {
  const c = code & 7;
  return c === 0 ? 0 : c >= 4 ? 16 : 1 << c;
}

export function filterCode(coefficient: number): number {
  switch (coefficient) {
    case 0: return 0;
    case 2: return 1;
    case 4: return 2;
    case 8: return 3;
    case 16: return 4;
  }
  throw new RangeError(`BME280: filter coefficient must be 0, 2, 4, 8 or 16, got ${String(coefficient)}`);
}

/** t_sb code → standby time in normal mode, µs (BME280 values; the BMP280 differs for codes 6 and 7). */
export const STANDBY_US: readonly number[] = Object.freeze([500, 62_500, 125_000, 250_000, 500_000, 1_000_000, 10_000, 20_000]);

/**
 * Measurement time in µs from oversampling factors (datasheet §9.1). A channel's bracketed term counts only when
 * the channel is enabled: the datasheet's own example (T ×1, P ×4, humidity skipped) gives 11.5 ms typical.
 * Note that BME280_SensorAPI's `bme280_cal_meas_delay` adds both 0.575 ms offsets even for skipped channels.
 */
export function measureTypUs(t: number, p: number, h: number): number {
  return 1000 + 2000 * t + (p ? 2000 * p + 500 : 0) + (h ? 2000 * h + 500 : 0);
}

export function measureMaxUs(t: number, p: number, h: number): number {
  return 1250 + 2300 * t + (p ? 2300 * p + 575 : 0) + (h ? 2300 * h + 575 : 0);
}

/** The 18 trimming words, as the datasheet names them (§4.2.2, Table 16). */
export interface BME280Trim {
  T1: number; // u16
  T2: number; // s16
  T3: number; // s16
  P1: number; // u16
  P2: number; // s16
  P3: number; // s16
  P4: number; // s16
  P5: number; // s16
  P6: number; // s16
  P7: number; // s16
  P8: number; // s16
  P9: number; // s16
  H1: number; // u8
  H2: number; // s16
  H3: number; // u8
  H4: number; // s12
  H5: number; // s12
  H6: number; // s8
}
