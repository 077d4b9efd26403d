/**
 * Semtech SX1262 command set, registers and timing, shared by the driver and the simulator model (constants and
 * encodings only: the model decodes what the driver encodes without reusing its sequencing).
 *
 * Source: Semtech DS.SX1261-2.W.APP (SX1261/2 datasheet, rev 2.1/2.2): §8.3 BUSY and Table 8-2 switching times,
 * §8.5 Table 8-4 IRQ bits, §11 command tables, §12 register map, §13 command descriptions, §15 known limitations;
 * cross-checked against Semtech's reference driver Lora-net/sx126x_driver (sx126x.c, sx126x_regs.h).
 */

// ---------------------------------------------------------------- opcodes (§11, Tables 11-1 … 11-5)
export const OP_SET_SLEEP = 0x84;
export const OP_SET_STANDBY = 0x80;
export const OP_SET_FS = 0xc1;
export const OP_SET_TX = 0x83;
export const OP_SET_RX = 0x82;
export const OP_SET_REGULATOR_MODE = 0x96;
export const OP_CALIBRATE = 0x89;
export const OP_CALIBRATE_IMAGE = 0x98;
export const OP_SET_PA_CONFIG = 0x95;
export const OP_SET_RX_TX_FALLBACK_MODE = 0x93;
export const OP_WRITE_REGISTER = 0x0d;
export const OP_READ_REGISTER = 0x1d;
export const OP_WRITE_BUFFER = 0x0e;
export const OP_READ_BUFFER = 0x1e;
export const OP_SET_DIO_IRQ_PARAMS = 0x08;
export const OP_GET_IRQ_STATUS = 0x12;
export const OP_CLEAR_IRQ_STATUS = 0x02;
export const OP_SET_DIO2_AS_RF_SWITCH_CTRL = 0x9d;
export const OP_SET_DIO3_AS_TCXO_CTRL = 0x97;
export const OP_SET_RF_FREQUENCY = 0x86;
export const OP_SET_PACKET_TYPE = 0x8a;
export const OP_GET_PACKET_TYPE = 0x11;
export const OP_SET_TX_PARAMS = 0x8e;
export const OP_SET_MODULATION_PARAMS = 0x8b;
export const OP_SET_PACKET_PARAMS = 0x8c;
export const OP_SET_BUFFER_BASE_ADDRESS = 0x8f;
export const OP_SET_LORA_SYMB_NUM_TIMEOUT = 0xa0;
export const OP_GET_STATUS = 0xc0;
export const OP_GET_RX_BUFFER_STATUS = 0x13;
export const OP_GET_PACKET_STATUS = 0x14;
export const OP_GET_RSSI_INST = 0x15;
export const OP_GET_DEVICE_ERRORS = 0x17;
export const OP_CLEAR_DEVICE_ERRORS = 0x07;

/**
 * "Read" commands (§8.3.1): answered without the internal state machine, so they never raise BUSY. Every other
 * command is a "write" command and raises BUSY while it is processed.
 */
export function isReadCommand(opcode: number): boolean {
  switch (opcode) {
    case OP_READ_REGISTER:
    case OP_READ_BUFFER:
    case OP_GET_IRQ_STATUS:
    case OP_GET_PACKET_TYPE:
    case OP_GET_STATUS:
    case OP_GET_RX_BUFFER_STATUS:
    case OP_GET_PACKET_STATUS:
    case OP_GET_RSSI_INST:
    case OP_GET_DEVICE_ERRORS:
      return true;
  }
  return false;
}

// ---------------------------------------------------------------- parameters
export const STDBY_RC = 0x00;
export const STDBY_XOSC = 0x01;
/** SetSleep sleepConfig bits (§13.1.1): bit 2 warm start (configuration retained), bit 0 wake on RTC. */
export const SLEEP_WARM = 0x04;
export const SLEEP_RTC = 0x01;
export const PACKET_TYPE_GFSK = 0x00;
export const PACKET_TYPE_LORA = 0x01;
export const REGULATOR_LDO = 0x00;
export const REGULATOR_DCDC = 0x01;
/** Calibrate(0x7F): RC64k, RC13M, PLL, ADC pulse, ADC bulk N/P and image (§13.1.12). */
export const CALIBRATE_ALL = 0x7f;
export const HEADER_EXPLICIT = 0x00;
export const HEADER_IMPLICIT = 0x01;
/** SetRx timeout values (§13.1.5): 0 single mode without timeout, 0xFFFFFF continuous. */
export const RX_SINGLE = 0x000000;
export const RX_CONTINUOUS = 0xffffff;
/** SetRxTxFallbackMode values (§13.1.15). */
export const FALLBACK_FS = 0x40;
export const FALLBACK_STDBY_XOSC = 0x30;
export const FALLBACK_STDBY_RC = 0x20;

/** SetTxParams ramp time codes (§13.4.4): 10, 20, 40, 80, 200, 800, 1700, 3400 µs. */
export const RAMP_US: readonly number[] = Object.freeze([10, 20, 40, 80, 200, 800, 1700, 3400]);
export const RAMP_40_US = 0x02;

/** SetTxParams power range with the SX1262's high-power PA (§13.4.4): −9 … +22 dBm. */
export const TX_POWER_MIN_DBM = -9;
export const TX_POWER_MAX_DBM = 22;

/**
 * SetPaConfig "optimal settings" for the SX1262 (§13.1.14, Table 13-21), each used with SetTxParams power +22 dBm:
 * the PA's size (hpMax) and duty cycle set the maximum, and lower requested powers come off it.
 */
export interface PaSetting {
  readonly maxDbm: 14 | 17 | 20 | 22;
  readonly paDutyCycle: number;
  readonly hpMax: number;
}
export const PA_SETTINGS: readonly PaSetting[] = Object.freeze([
  Object.freeze({ maxDbm: 22, paDutyCycle: 0x04, hpMax: 0x07 }),
  Object.freeze({ maxDbm: 20, paDutyCycle: 0x03, hpMax: 0x05 }),
  Object.freeze({ maxDbm: 17, paDutyCycle: 0x02, hpMax: 0x03 }),
  Object.freeze({ maxDbm: 14, paDutyCycle: 0x02, hpMax: 0x02 }),
] as const);
/** SetPaConfig deviceSel: 0 selects the SX1262's high-power PA; paLut is always 1. */
export const PA_DEVICE_SX1262 = 0x00;
export const PA_LUT = 0x01;

export function paSetting(maxDbm: number): PaSetting {
  for (const p of PA_SETTINGS) if (p.maxDbm === maxDbm) return p;
  throw new RangeError(`sx1262: maxPowerDbm must be 14, 17, 20 or 22 (Table 13-21 PA settings), got ${String(maxDbm)}`);
}

/** SetDIO3AsTcxoCtrl voltage codes (§13.3.6): 1.6, 1.7, 1.8, 2.2, 2.4, 2.7, 3.0, 3.3 V. */
export const TCXO_VOLTS: readonly number[] = Object.freeze([1.6, 1.7, 1.8, 2.2, 2.4, 2.7, 3.0, 3.3]);

export function tcxoCode(volts: number): number {
  const i = TCXO_VOLTS.indexOf(volts);
  if (i < 0) throw new RangeError(`sx1262: tcxoVolts must be one of ${TCXO_VOLTS.join(", ")} V (SetDIO3AsTcxoCtrl), got ${String(volts)}`);
  return i;
}

/** The RTC step of every SX126x timeout (SetTx, SetRx, TCXO delay): 1/64 kHz = 15.625 µs (§13.1.4). */
export const RTC_STEP_NS = 15_625;

/** LoRa bandwidth codes of SetModulationParams (§13.4.5.2) and their bandwidths, Hz (exact fractions of 500 kHz). */
export const LORA_BW: readonly (readonly [code: number, hz: number])[] = Object.freeze([
  Object.freeze([0x00, 7812.5] as const),
  Object.freeze([0x08, 125_000 / 12] as const),
  Object.freeze([0x01, 15_625] as const),
  Object.freeze([0x09, 125_000 / 6] as const),
  Object.freeze([0x02, 31_250] as const),
  Object.freeze([0x0a, 125_000 / 3] as const),
  Object.freeze([0x03, 62_500] as const),
  Object.freeze([0x04, 125_000] as const),
  Object.freeze([0x05, 250_000] as const),
  Object.freeze([0x06, 500_000] as const),
]);

export function bandwidthCode(hz: number): number {
  for (const [code, bw] of LORA_BW) if (bw === hz) return code;
  throw new RangeError(`sx1262: LoRa bandwidth must be one of ${LORA_BW.map(([, bw]) => Math.round(bw)).join(", ")} Hz, got ${String(hz)}`);
}

/** Bandwidth in Hz for a SetModulationParams code, or undefined for a reserved code. */
export function bandwidthHz(code: number): number | undefined {
  for (const [c, bw] of LORA_BW) if (c === code) return bw;
  return undefined;
}

/**
 * RF frequency ↔ PLL steps (SetRfFrequency): RFfreq = steps · 32 MHz / 2^25. Integer arithmetic as Semtech's driver does it
 * (sx126x_convert_freq_in_hz_to_pll_step): a double cannot hold f · 2^25 exactly.
 */
export function frequencyToSteps(hz: number): number {
  const stepScaled = 15_625; // 32 MHz / 2^11: the PLL step with 14 bits of fraction
  const whole = Math.floor(hz / stepScaled);
  const rest = hz - whole * stepScaled;
  return whole * 16_384 + Math.floor((rest * 16_384 + 7_812) / stepScaled);
}

export function stepsToFrequency(steps: number): number {
  return (steps * 15_625) / 16_384;
}

/**
 * CalibrateImage bands (§13.1.13): the frequency pair (in 4 MHz units) for each band the datasheet lists.
 * Every LoRaWAN region's channels fall in one of them.
 */
export const IMAGE_BANDS: Readonly<Record<ImageBand, readonly [lowMHz: number, highMHz: number, freq1: number, freq2: number]>> = Object.freeze({
  "430-440": Object.freeze([430, 440, 0x6b, 0x6f] as const),
  "470-510": Object.freeze([470, 510, 0x75, 0x81] as const),
  "779-787": Object.freeze([779, 787, 0xc1, 0xc5] as const),
  "863-870": Object.freeze([863, 870, 0xd7, 0xdb] as const),
  "902-928": Object.freeze([902, 928, 0xe1, 0xe9] as const),
});
export type ImageBand = "430-440" | "470-510" | "779-787" | "863-870" | "902-928";

// ---------------------------------------------------------------- IRQ bits (§8.5, Table 8-4)
export const IRQ_TX_DONE = 1 << 0;
export const IRQ_RX_DONE = 1 << 1;
export const IRQ_PREAMBLE_DETECTED = 1 << 2;
export const IRQ_SYNC_WORD_VALID = 1 << 3;
export const IRQ_HEADER_VALID = 1 << 4;
export const IRQ_HEADER_ERR = 1 << 5;
export const IRQ_CRC_ERR = 1 << 6;
export const IRQ_CAD_DONE = 1 << 7;
export const IRQ_CAD_DETECTED = 1 << 8;
export const IRQ_TIMEOUT = 1 << 9;
export const IRQ_ALL = 0x03ff;

// ---------------------------------------------------------------- status byte (§13.5.1)
/** Chip mode, bits 6:4 of the status byte. */
export const CHIP_MODE_STDBY_RC = 2;
export const CHIP_MODE_STDBY_XOSC = 3;
export const CHIP_MODE_FS = 4;
export const CHIP_MODE_RX = 5;
export const CHIP_MODE_TX = 6;
/** Command status, bits 3:1 of the status byte. */
export const CMD_STATUS_DATA_AVAILABLE = 2;
export const CMD_STATUS_TIMEOUT = 3;
export const CMD_STATUS_PROCESSING_ERROR = 4;
export const CMD_STATUS_EXEC_FAILURE = 5;
export const CMD_STATUS_TX_DONE = 6;

export function statusByte(chipMode: number, cmdStatus: number): number {
  return ((chipMode & 7) << 4) | ((cmdStatus & 7) << 1);
}
export function chipModeOf(status: number): number {
  return (status >> 4) & 7;
}
export function cmdStatusOf(status: number): number {
  return (status >> 1) & 7;
}

/** GetDeviceErrors bit 5, XOSC_START_ERR: the 32 MHz reference did not start (GetDeviceErrors, §13.3.6). */
export const DEVICE_ERROR_XOSC_START = 1 << 5;

// ---------------------------------------------------------------- registers (§12, Table 12-1; §15)
export const REG_LORA_SYNC_WORD = 0x0740; // MSB at 0x0740, LSB at 0x0741
export const SYNC_WORD_PUBLIC = 0x3444; // LoRaWAN public networks
export const SYNC_WORD_PRIVATE = 0x1424; // the reset value
/** §15.4: bit 2 must be 0 with inverted IQ and 1 with standard IQ, or longer packets get lost. */
export const REG_IQ_POLARITY = 0x0736;
/** §15.1: bit 2 must be 0 for LoRa at 500 kHz and 1 at any other bandwidth, before every transmission. */
export const REG_TX_MODULATION = 0x0889;
/** §15.2 (SX1262): TxClampConfig bits 4:1 set to 1111 after POR and every cold start (reset value 0100). */
export const REG_TX_CLAMP_CONFIG = 0x08d8;
export const TX_CLAMP_MASK = 0x1e;
/** RX gain (Table 12-1): 0x94 power saving (the reset value), 0x96 boosted. */
export const REG_RX_GAIN = 0x08ac;
export const RX_GAIN_POWER_SAVING = 0x94;
export const RX_GAIN_BOOSTED = 0x96;
/**
 * LoRa symbol timeout as the modem holds it: mantissa·2^(2·exponent + 1) symbols, mantissa in bits 7:3 and exponent
 * in bits 2:0. SetLoRaSymbNumTimeout alone does not always reach it, so Semtech's reference driver
 * (sx126x_set_lora_symb_nb_timeout) sends the rounded count and writes this register too.
 */
export const REG_LORA_SYNCH_TIMEOUT = 0x0706;
/** The largest count the encoding reaches: mantissa 31, exponent 1. */
export const MAX_SYMBOL_TIMEOUT = 248;

/** The register value for a timeout of at least `symbols` (rounded up as the reference driver rounds), and its count. */
export function symbolTimeoutCode(symbols: number): { register: number; symbols: number } {
  let mantissa = (Math.min(symbols, MAX_SYMBOL_TIMEOUT) + 1) >> 1;
  let exponent = 0;
  while (mantissa > 31) {
    mantissa = (mantissa + 3) >> 2;
    exponent++;
  }
  return { register: (mantissa << 3) | exponent, symbols: mantissa << (2 * exponent + 1) };
}

/** Symbols a REG_LORA_SYNCH_TIMEOUT value stands for. */
export function symbolTimeoutSymbols(register: number): number {
  return (register >> 3) << (2 * (register & 7) + 1);
}

/** Over-current protection, 2.5 mA steps: 0x18 (60 mA) at POR, 0x38 (140 mA) once SetPaConfig selects the SX1262. */
export const REG_OCP = 0x08e7;

// ---------------------------------------------------------------- timing (§8.3.1, Table 8-2; §13.1.12)
/**
 * Switching times, NSS rising to BUSY falling, µs (Table 8-2). A TCXO driven from DIO3 adds its start-up delay to
 * every transition that starts the 32 MHz reference from STDBY_RC (§13.3.6).
 */
export const WAKE_COLD_US = 3500; // SLEEP → STDBY_RC, cold start; also the start-up after NRESET
export const WAKE_WARM_US = 340; // SLEEP → STDBY_RC, warm start (configuration retained)
export const RC_TO_XOSC_US = 31;
export const RC_TO_FS_US = 50;
export const RC_TO_RX_US = 83;
export const RC_TO_TX_US = 126;
export const XOSC_TO_FS_US = 40;
export const XOSC_TO_RX_US = 62;
export const XOSC_TO_TX_US = 105;
export const FS_TO_RX_US = 41;
export const FS_TO_TX_US = 76;
export const RX_TO_FS_US = 15;
export const RX_TO_TX_US = 92;
/** Calibrate with every block enabled (§13.1.12): "the total calibration time if all blocks are calibrated is 3.5 ms". */
export const CALIBRATE_ALL_US = 3500;
/** NRESET must be held low "typically 100 µs for the Reset to happen" (§8.1). */
export const RESET_PULSE_US = 100;
/**
 * BUSY for a command that changes no mode. The datasheet bounds only the delay before BUSY rises (T_SW ≤ 600 ns,
 * §8.3.1) and tabulates mode changes (Table 8-2), not the processing of a configuration command; this figure is the
 * model's assumption, of the order a logic analyser shows on the related SX1280 (about 16 µs for SetPacketParams,
 * ExpressLRS PR #1478). The driver counts it in its RX set-up estimate.
 */
export const COMMAND_BUSY_US = 15;
