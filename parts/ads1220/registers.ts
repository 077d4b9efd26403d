/**
 * TI ADS1220 command set, configuration registers, data format and timing, shared by the driver and the simulator
 * model (constants and encodings only: the model decodes what the driver encodes without reusing its sequencing).
 *
 * Sources, checked: TI SBAS501 (ADS1220) §8.3.2 (gains, FSR ±VREF/gain), front page (90 nV RMS at 20 SPS); TI SBAS683
 * (ADS1120-Q1, the 16-bit device with the ADS1220's interface, register map and timing): Table 10 commands
 * (RESET 0000 011x, START/SYNC 0000 100x, POWERDOWN 0000 001x, RDATA 0001 xxxx, RREG 0010 rrnn, WREG 0100 rrnn),
 * configuration registers 0 and 2 bit by bit, §8.5.1.3 DRDY, §8.4.2.2 continuous mode, §8.5.3 sending commands, SPI
 * timing (SCLK period ≥ 150 ns, SPI timeout 14000·t(MOD)), the pseudo-code (SPI mode 1, 50 µs power-up, RESET then
 * 50 µs + 32·t(CLK)), the temperature-sensor table and its examples; register 1 and 3 layouts as in
 * ../shared/reference/sensors-and-protocols.md §3.3 and Zephyr's ti,ads1220 driver (IDAC 001 = 10 µA on the ADS1220,
 * "not used" on the ADS1120); conversion times from TI SBAS752/SBAS751 (ADS122U04/ADS122C04) Table 12, see below.
 */

// ---------------------------------------------------------------- commands (ADS1120-Q1 Table 10; x bits are don't-care)
export const CMD_RESET = 0x06;
export const CMD_START_SYNC = 0x08;
export const CMD_POWERDOWN = 0x02;
export const CMD_RDATA = 0x10;
export const CMD_RREG = 0x20;
export const CMD_WREG = 0x40;

export const REGISTER_COUNT = 4;

/** RREG rr = first register, nn = count − 1. */
export function rreg(first: number, count: number): number {
  return CMD_RREG | ((first & 3) << 2) | ((count - 1) & 3);
}

/** WREG rr = first register, nn = count − 1. */
export function wreg(first: number, count: number): number {
  return CMD_WREG | ((first & 3) << 2) | ((count - 1) & 3);
}

export type CommandKind = "reset" | "start" | "powerdown" | "rdata" | "rreg" | "wreg" | "none";

/** What a command byte means to the chip (the low "x" bits are ignored); anything else is no command. */
export function commandOf(byte: number): CommandKind {
  if ((byte & 0xfe) === CMD_RESET) return "reset";
  if ((byte & 0xfe) === CMD_START_SYNC) return "start";
  if ((byte & 0xfe) === CMD_POWERDOWN) return "powerdown";
  switch (byte & 0xf0) {
    case CMD_RDATA:
      return "rdata";
    case CMD_RREG:
      return "rreg";
    case CMD_WREG:
      return "wreg";
  }
  return "none";
}

// ---------------------------------------------------------------- register 0: MUX[7:4], GAIN[3:1], PGA_BYPASS[0]
/** MUX[3:0] codes 0…14 (15 is not used): AINP–AINN pairs, single-ended to AVSS, the monitors, inputs shorted. */
export const MUX_SETTINGS = Object.freeze([
  "AIN0-AIN1",
  "AIN0-AIN2",
  "AIN0-AIN3",
  "AIN1-AIN2",
  "AIN1-AIN3",
  "AIN2-AIN3",
  "AIN1-AIN0",
  "AIN3-AIN2",
  "AIN0-AVSS",
  "AIN1-AVSS",
  "AIN2-AVSS",
  "AIN3-AVSS",
  "REF/4",
  "AVDD/4",
  "SHORTED",
] as const);
export type MuxSetting = (typeof MUX_SETTINGS)[number];
/** The differential pairs (MUX 0000–0111), where a bridge's output can be wired. */
export type DifferentialInputs = "AIN0-AIN1" | "AIN0-AIN2" | "AIN0-AIN3" | "AIN1-AIN2" | "AIN1-AIN3" | "AIN2-AIN3" | "AIN1-AIN0" | "AIN3-AIN2";
export const DIFFERENTIAL_INPUTS: readonly DifferentialInputs[] = Object.freeze(MUX_SETTINGS.slice(0, 8) as DifferentialInputs[]);
/** [AINP, AINN] analog pin numbers of MUX codes 0…11 (−1: AVSS). */
export const MUX_PINS: readonly (readonly [number, number])[] = Object.freeze(
  [
    [0, 1],
    [0, 2],
    [0, 3],
    [1, 2],
    [1, 3],
    [2, 3],
    [1, 0],
    [3, 2],
    [0, -1],
    [1, -1],
    [2, -1],
    [3, -1],
  ].map((p) => Object.freeze(p as [number, number])),
);
export const MUX_REF_MONITOR = 12;
export const MUX_AVDD_MONITOR = 13;
export const MUX_SHORTED = 14;

/** GAIN[2:0] code → gain. */
export const GAINS = Object.freeze([1, 2, 4, 8, 16, 32, 64, 128] as const);
export type Gain = (typeof GAINS)[number];

// ---------------------------------------------------------------- register 1: DR[7:5], MODE[4:3], CM[2], TS[1], BCS[0]
export type OperatingMode = "normal" | "duty-cycle" | "turbo";
/** MODE[1:0] code → mode (11 is reserved). */
export const MODES: readonly OperatingMode[] = Object.freeze(["normal", "duty-cycle", "turbo"] as OperatingMode[]);
/** Nominal data rates (SPS) by DR[2:0] code, per mode (SBAS501 §8.3.7; reference §3.3: duty-cycle ÷4, turbo ×2). */
export const DATA_RATES: Readonly<Record<OperatingMode, readonly number[]>> = Object.freeze({
  normal: Object.freeze([20, 45, 90, 175, 330, 600, 1000]),
  "duty-cycle": Object.freeze([5, 11.25, 22.5, 44, 82.5, 150, 250]),
  turbo: Object.freeze([40, 90, 180, 350, 660, 1200, 2000]),
});

// ---------------------------------------------------------------- register 2: VREF[7:6], 50/60[5:4], PSW[3], IDAC[2:0]
export type ReferenceSource = "internal" | "refp0" | "refp1" | "avdd";
/** VREF[1:0]: 00 internal 2.048 V, 01 REFP0/REFN0, 10 AIN0/REFP1 and AIN3/REFN1, 11 AVDD − AVSS. */
export const REFERENCES: readonly ReferenceSource[] = Object.freeze(["internal", "refp0", "refp1", "avdd"] as ReferenceSource[]);
export const INTERNAL_REFERENCE_VOLTS = 2.048;
export type Rejection = "off" | "50-60" | "50" | "60";
/** 50/60[1:0]: 00 none, 01 50 and 60 Hz, 10 50 Hz, 11 60 Hz; only with 20 SPS normal or 5 SPS duty-cycle mode. */
export const REJECTIONS: readonly Rejection[] = Object.freeze(["off", "50-60", "50", "60"] as Rejection[]);
/** IDAC[2:0] code → current of IDAC1 and IDAC2, µA. */
export const IDAC_MICROAMPS = Object.freeze([0, 10, 50, 100, 250, 500, 1000, 1500] as const);

// ---------------------------------------------------------------- register 3: I1MUX[7:5], I2MUX[4:2], DRDYM[1], 0
/** I1MUX/I2MUX code → where the IDAC is routed (111 is reserved). */
export const IDAC_ROUTES = Object.freeze(["off", "AIN0/REFP1", "AIN1", "AIN2", "AIN3/REFN1", "REFP0", "REFN0"] as const);

/** Every field of the four configuration registers, by code or meaning. All registers reset to 00h. */
export interface RegisterFields {
  mux: number;
  gain: Gain;
  pgaBypass: boolean;
  dataRate: number;
  mode: OperatingMode;
  continuous: boolean;
  temperatureSensor: boolean;
  burnout: boolean;
  reference: ReferenceSource;
  rejection: Rejection;
  lowSideSwitch: boolean;
  idacMicroamps: (typeof IDAC_MICROAMPS)[number];
  idac1: number;
  idac2: number;
  drdyOnDout: boolean;
}

/** The four register bytes for `f`, into `out` (no allocation). Throws a RangeError naming a field that has no code. */
export function encodeRegisters(f: RegisterFields, out: Uint8Array): Uint8Array {
  const gain = GAINS.indexOf(f.gain);
  const mode = MODES.indexOf(f.mode);
  const dr = mode < 0 ? -1 : DATA_RATES[f.mode].indexOf(f.dataRate);
  const vref = REFERENCES.indexOf(f.reference);
  const fir = REJECTIONS.indexOf(f.rejection);
  const idac = IDAC_MICROAMPS.indexOf(f.idacMicroamps);
  if (!(Number.isInteger(f.mux) && f.mux >= 0 && f.mux <= 14)) throw new RangeError(`ads1220: mux code must be 0…14, got ${String(f.mux)}`);
  if (gain < 0) throw new RangeError(`ads1220: gain must be one of ${GAINS.join(", ")}, got ${String(f.gain)}`);
  if (mode < 0) throw new RangeError(`ads1220: mode must be one of ${MODES.join(", ")}, got ${String(f.mode)}`);
  if (dr < 0) throw new RangeError(`ads1220: dataRate must be one of ${DATA_RATES[f.mode].join(", ")} SPS in ${f.mode} mode, got ${String(f.dataRate)}`);
  if (vref < 0) throw new RangeError(`ads1220: reference must be one of ${REFERENCES.join(", ")}, got ${String(f.reference)}`);
  if (fir < 0) throw new RangeError(`ads1220: rejection must be one of ${REJECTIONS.join(", ")}, got ${String(f.rejection)}`);
  if (idac < 0) throw new RangeError(`ads1220: idacMicroamps must be one of ${IDAC_MICROAMPS.join(", ")}, got ${String(f.idacMicroamps)}`);
  for (const key of ["idac1", "idac2"] as const) {
    if (!(Number.isInteger(f[key]) && f[key] >= 0 && f[key] <= 6)) throw new RangeError(`ads1220: ${key} routing code must be 0…6, got ${String(f[key])}`);
  }
  out[0] = (f.mux << 4) | (gain << 1) | (f.pgaBypass ? 1 : 0);
  out[1] = (dr << 5) | (mode << 3) | (f.continuous ? 4 : 0) | (f.temperatureSensor ? 2 : 0) | (f.burnout ? 1 : 0);
  out[2] = (vref << 6) | (fir << 4) | (f.lowSideSwitch ? 8 : 0) | idac;
  out[3] = (f.idac1 << 5) | (f.idac2 << 2) | (f.drdyOnDout ? 2 : 0);
  return out;
}

/** The fields of four register bytes. Reserved codes (MUX 1111, MODE 11, DR 111, I1MUX/I2MUX 111) decode as given. */
export function decodeRegisters(r: ArrayLike<number>): RegisterFields & { modeCode: number; dataRateCode: number } {
  const modeCode = (r[1]! >> 3) & 3;
  const mode = MODES[modeCode] ?? "normal";
  const dataRateCode = r[1]! >> 5;
  return {
    mux: r[0]! >> 4,
    gain: GAINS[(r[0]! >> 1) & 7]!,
    pgaBypass: (r[0]! & 1) === 1,
    dataRate: DATA_RATES[mode][dataRateCode] ?? NaN,
    dataRateCode,
    mode,
    modeCode,
    continuous: (r[1]! & 4) !== 0,
    temperatureSensor: (r[1]! & 2) !== 0,
    burnout: (r[1]! & 1) !== 0,
    reference: REFERENCES[r[2]! >> 6]!,
    rejection: REJECTIONS[(r[2]! >> 4) & 3]!,
    lowSideSwitch: (r[2]! & 8) !== 0,
    idacMicroamps: IDAC_MICROAMPS[r[2]! & 7]!,
    idac1: r[3]! >> 5,
    idac2: (r[3]! >> 2) & 7,
    drdyOnDout: (r[3]! & 2) !== 0,
  };
}

// ---------------------------------------------------------------- data format
/** Codes are 24-bit two's complement, MSB first; ±FS = ±VREF/gain maps to 800000h and 7FFFFFh, where they clip. */
export const CODE_MAX = 0x7fffff;
export const CODE_MIN = -0x800000;
const TWO23 = 8388608;

/** The signed code of three data bytes, MSB first. */
export function codeFromBytes(b0: number, b1: number, b2: number): number {
  return ((b0 << 24) | (b1 << 16) | (b2 << 8)) >> 8;
}

/** Vin/VREF of a code at `gain`: code/(gain·2^23), the ideal output code table read backwards. */
export function ratioFromCode(code: number, gain: number): number {
  return code / (gain * TWO23);
}

/** The ideal code for Vin/VREF at `gain`, rounded and clipped at full scale. */
export function codeFromRatio(ratio: number, gain: number): number {
  const c = Math.round(ratio * gain * TWO23);
  return c > CODE_MAX ? CODE_MAX : c < CODE_MIN ? CODE_MIN : c;
}

/** One 14-bit temperature LSB, °C; the result is left-justified in the 24-bit word. */
export const TEMPERATURE_LSB = 0.03125;

/** °C of a temperature-sensor conversion (TS = 1): the 14 MSBs of the 24-bit code, two's complement. */
export function temperatureFromCode(code: number): number {
  return (code >> 10) * TEMPERATURE_LSB;
}

/** The 24-bit code (signed) the temperature sensor gives for `celsius`, clipped to the 14-bit range. */
export function codeFromTemperature(celsius: number): number {
  let t = Math.round(celsius / TEMPERATURE_LSB);
  if (t > 0x1fff) t = 0x1fff;
  if (t < -0x2000) t = -0x2000;
  return t * 1024;
}

// ---------------------------------------------------------------- timing
/** Internal oscillator f(CLK) = 4.096 MHz; t(CLK) in µs. */
export const T_CLK_US = 1 / 4.096;
/** Power-up to first command (pseudo-code: minimum 50 µs). */
export const POWER_UP_US = 50;
/** RESET command to next command: 50 µs + 32·t(CLK). */
export const RESET_US = 50 + 32 * T_CLK_US;
/** Highest SCLK: period ≥ 150 ns. */
export const MAX_SCLK_HZ = 6_666_666;
export const SPI_MODE = 1;
/** Modulator clock: f(CLK)/16 = 256 kHz in normal and duty-cycle mode, f(CLK)/8 = 512 kHz in turbo mode. */
export function modulatorPeriodUs(mode: OperatingMode): number {
  return mode === "turbo" ? 16 * T_CLK_US * 0.5 : 16 * T_CLK_US;
}
/** Unread data in continuous mode: DRDY pulses high for 2·t(MOD) before the next falling edge (§8.5.1.3). */
export const DRDY_PULSE_MOD = 2;
/** The burn-out current sources (BCS = 1): 10 µA out of AINP and into AINN. */
export const BURNOUT_AMPS = 10e-6;

/*
 * Conversion times, µs. The ADS1220 table itself (SBAS501 Table 11) was not among the sources read; its siblings
 * ADS122C04 and ADS122U04 share the modulator (256 kHz normal, 512 kHz turbo) and the FIR filter, and their Table 12
 * gives every rate in their own t(CLK): continuous mode DRDY to DRDY, and single-shot START to DRDY (the first
 * conversion, which takes longer). Their 20-SPS single-shot figure, 51213 t(CLK) at 1.024 MHz = 50.01 ms, matches the
 * one ADS1220 figure found (204850 t(CLK) at 4.096 MHz = 50.01 ms, TI's answer on E2E thread 928519 quoting Table 11)
 * to 0.5 µs. Duty-cycle mode converts at the normal rate of the same DR code and powers down for the rest of a period
 * four times as long (SBAS501 §8.4.3.2).
 */
const CONTINUOUS_COUNTS = Object.freeze([51192, 22780, 11532, 5916, 3116, 1724, 1036]);
const SINGLE_NORMAL_COUNTS = Object.freeze([51213, 22805, 11557, 5941, 3141, 1749, 1061]);
const SINGLE_TURBO_COUNTS = Object.freeze([51217, 22809, 11561, 5945, 3145, 1753, 1065]);
/** −3 dB bandwidth, Hz, by DR code (same table): normal (and duty-cycle) and turbo. */
export const BANDWIDTH_HZ: Readonly<Record<OperatingMode, readonly number[]>> = Object.freeze({
  normal: Object.freeze([13.1, 20.0, 39.6, 77.8, 150.1, 279.0, 483.8]),
  "duty-cycle": Object.freeze([13.1, 20.0, 39.6, 77.8, 150.1, 279.0, 483.8]),
  turbo: Object.freeze([17.1, 39.9, 79.2, 155.6, 300.3, 558.1, 967.6]),
});

/**
 * Conversion time, µs (not rounded): `first` is single-shot mode and the first conversion after START/SYNC or a
 * register write in continuous mode; otherwise the DRDY period in continuous mode.
 */
export function conversionUs(mode: OperatingMode, dataRateCode: number, first: boolean): number {
  const dr = dataRateCode < 7 ? dataRateCode : 6;
  if (mode === "turbo") return (first ? SINGLE_TURBO_COUNTS[dr]! : CONTINUOUS_COUNTS[dr]!) / 2.048;
  if (first) return SINGLE_NORMAL_COUNTS[dr]! / 1.024;
  return mode === "duty-cycle" ? (4 * CONTINUOUS_COUNTS[dr]!) / 1.024 : CONTINUOUS_COUNTS[dr]! / 1.024;
}
