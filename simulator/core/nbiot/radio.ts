/**
 * NB-IoT radio access as the simulator models it: coverage-enhancement (CE) levels, their repetitions, and what
 * they do to air time, connection set-up, attach time and loss. Shared by the modem model (UE side: how long it
 * transmits and receives, so its current) and the core stand-in (network side: attach, loss).
 *
 * The model and where its numbers come from:
 * - CE level by maximum coupling loss (MCL): 3GPP TR 45.820's coverage classes, 144 dB (normal, as GPRS),
 *   154 dB (robust) and 164 dB (extreme, the NB-IoT design target); beyond 164 dB there is no service.
 * - Peak rates of a BC95-G: uplink 54 kbit/s multi-tone, downlink 25.2 kbit/s (Quectel BC95-G NB-IoT
 *   Specification); single-tone uplink 15.625 kbit/s (Cat-NB1 module data, e.g. M5Stack's NB-IoT module page).
 *   CE0 sends multi-tone; CE1 and CE2 single-tone, which packs the UE's power into 15 kHz.
 * - Repetitions: NPUSCH and NPDSCH repetition numbers and NPRACH repetitions are 3GPP TS 36.211/36.213 values
 *   ({1,2,4,…,128}; NPRACH up to 128); which ones a network configures per CE level is the operator's choice.
 *   The table below is a plausible configuration, not a published one: UL ×1/×4/×32, DL ×1/×8/×64, NPRACH
 *   ×2/×8/×32, and an NPDCCH scheduling gap per exchange growing with the search-space repetitions. With it a
 *   105-byte report at 164 dB takes about 2 s on the air, inside TR 45.820's 10 s latency target.
 * - An NPRACH preamble (format 0) lasts 5.6 ms: 4 symbol groups of 1.4 ms (TS 36.211 §10.1.6).
 * - Loss: a datagram's residual loss after HARQ, 0.2 % / 1 % / 5 % per CE level, rising linearly to 30 % over the
 *   last 3 dB before the level's MCL limit (where link adaptation has run out of margin). These are assumptions
 *   of this model, chosen so deep coverage loses visibly more; no measurement is behind them.
 * - Attach: cell search (NPSS/NSSS accumulation: 1 s, 3 s, 10 s), a random-access connection set-up, then four
 *   NAS exchanges (attach request, authentication, security mode, attach accept/complete) of about 60 bytes each
 *   way, each with 30 ms of core-network processing. About 1.5 s in CE0, 5 s in CE1, 20 s in CE2.
 *
 * Portable: integer microseconds out, detmath for logarithms.
 */
import { log10, pow } from "../../../runtime/detmath.js";

export type CeLevel = 0 | 1 | 2;

export interface CeParams {
  readonly level: CeLevel;
  /** Highest MCL this level serves, dB. */
  readonly maxMclDb: number;
  readonly ulBitsPerSecond: number;
  readonly ulRepetitions: number;
  readonly dlBitsPerSecond: number;
  readonly dlRepetitions: number;
  readonly prachRepetitions: number;
  /** NPDCCH search space and scheduling delay before each transmission, µs. */
  readonly schedulingGapUs: number;
  /** Residual datagram loss well inside the level. */
  readonly loss: number;
  /** Time to find and synchronise to the cell before attaching, µs. */
  readonly cellSearchUs: number;
}

export const CE_LEVELS: readonly CeParams[] = Object.freeze([
  Object.freeze({ level: 0, maxMclDb: 144, ulBitsPerSecond: 54_000, ulRepetitions: 1, dlBitsPerSecond: 25_200, dlRepetitions: 1, prachRepetitions: 2, schedulingGapUs: 12_000, loss: 0.002, cellSearchUs: 1_000_000 } as const),
  Object.freeze({ level: 1, maxMclDb: 154, ulBitsPerSecond: 15_625, ulRepetitions: 4, dlBitsPerSecond: 25_200, dlRepetitions: 8, prachRepetitions: 8, schedulingGapUs: 50_000, loss: 0.01, cellSearchUs: 3_000_000 } as const),
  Object.freeze({ level: 2, maxMclDb: 164, ulBitsPerSecond: 15_625, ulRepetitions: 32, dlBitsPerSecond: 25_200, dlRepetitions: 64, prachRepetitions: 32, schedulingGapUs: 200_000, loss: 0.05, cellSearchUs: 10_000_000 } as const),
]);

/** IPv4 (20) + UDP (8) headers: what a datagram costs on the air beyond its payload (no header compression). */
export const IP_UDP_BYTES = 28;
export const NPRACH_PREAMBLE_US = 5_600;
/** Core-network processing per NAS exchange, µs. */
export const NAS_PROCESSING_US = 30_000;
const NAS_EXCHANGES = 4;
const NAS_MESSAGE_BYTES = 60;
/** Loss right at a level's MCL limit, and the margin over which it rises to that, dB. */
const EDGE_LOSS = 0.3;
const EDGE_MARGIN_DB = 3;

export function ceParams(level: CeLevel): CeParams {
  return CE_LEVELS[level]!;
}

/** The CE level serving a coupling loss, or undefined beyond 164 dB (no service). */
export function ceLevelFor(mclDb: number): CeLevel | undefined {
  for (const p of CE_LEVELS) if (mclDb <= p.maxMclDb) return p.level;
  return undefined;
}

/** Air time of `bytes` uplink at a CE level, µs (`ip`: add the IP/UDP headers). */
export function uplinkAirUs(bytes: number, level: CeLevel, ip = true): number {
  const p = ceParams(level);
  return Math.ceil((((bytes + (ip ? IP_UDP_BYTES : 0)) * 8) / p.ulBitsPerSecond) * p.ulRepetitions * 1e6);
}

export function downlinkAirUs(bytes: number, level: CeLevel, ip = true): number {
  const p = ceParams(level);
  return Math.ceil((((bytes + (ip ? IP_UDP_BYTES : 0)) * 8) / p.dlBitsPerSecond) * p.dlRepetitions * 1e6);
}

/**
 * Random access and RRC connection set-up, µs: NPRACH repetitions, then Msg2 (RAR, ~10 B), Msg3 (~11 B),
 * Msg4/RRCConnectionSetup (~20 B) and RRCConnectionSetupComplete (~20 B), each after a scheduling gap.
 */
export function connectionSetupUs(level: CeLevel): number {
  const p = ceParams(level);
  return p.prachRepetitions * NPRACH_PREAMBLE_US + downlinkAirUs(10, level, false) + uplinkAirUs(11, level, false) + downlinkAirUs(20, level, false) + uplinkAirUs(20, level, false) + 4 * p.schedulingGapUs;
}

/** Attach duration without jitter, µs: cell search, connection set-up, NAS exchanges. */
export function attachUs(level: CeLevel): number {
  const p = ceParams(level);
  const exchange = uplinkAirUs(NAS_MESSAGE_BYTES, level, false) + downlinkAirUs(NAS_MESSAGE_BYTES, level, false) + 2 * p.schedulingGapUs + NAS_PROCESSING_US;
  return p.cellSearchUs + connectionSetupUs(level) + NAS_EXCHANGES * exchange;
}

/** Residual loss of one datagram at coupling loss `mclDb` (undefined coverage: certain loss). */
export function datagramLoss(mclDb: number): number {
  const level = ceLevelFor(mclDb);
  if (level === undefined) return 1;
  const p = ceParams(level);
  const margin = p.maxMclDb - mclDb;
  if (margin >= EDGE_MARGIN_DB) return p.loss;
  return p.loss + ((EDGE_LOSS - p.loss) * (EDGE_MARGIN_DB - margin)) / EDGE_MARGIN_DB;
}

/** What a UE measures from a cell at a given coupling loss. */
export interface RadioMeasurement {
  /** Reference signal received power per resource element, dBm. */
  readonly rsrpDbm: number;
  /** Total power in the 180 kHz carrier with noise, dBm (what AT+CSQ reports). */
  readonly rssiDbm: number;
  /** RSRP over the noise in one 15 kHz resource element, dB. */
  readonly snrDb: number;
}

/**
 * From the cell's total transmit power over the 180 kHz carrier (standalone NB-IoT: up to 43 dBm, spread over
 * 12 subcarriers) and the UE's noise figure: thermal noise −174 dBm/Hz.
 */
export function measure(mclDb: number, cellPowerDbm = 43, noiseFigureDb = 5): RadioMeasurement {
  const perRe = cellPowerDbm - 10 * log10(12);
  const rsrp = perRe - mclDb;
  const noiseRe = -174 + 10 * log10(15_000) + noiseFigureDb;
  const noiseCarrier = -174 + 10 * log10(180_000) + noiseFigureDb;
  const signal = cellPowerDbm - mclDb;
  const rssi = 10 * log10(pow(10, signal / 10) + pow(10, noiseCarrier / 10));
  const r = (x: number) => Math.round(x * 10) / 10;
  return { rsrpDbm: r(rsrp), rssiDbm: r(rssi), snrDb: r(rsrp - noiseRe) };
}

/** AT+CSQ's <rssi>: 0 for ≤ −113 dBm … 31 for ≥ −51 dBm in 2 dB steps (3GPP TS 27.007 §8.5). */
export function csqRssi(rssiDbm: number | undefined): number {
  if (rssiDbm === undefined) return 99;
  return Math.max(0, Math.min(31, Math.floor((rssiDbm + 113) / 2)));
}
