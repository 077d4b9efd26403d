/**
 * LoRa time on air (Semtech SX1261/2 datasheet DS.SX1261-2 §6.1.4 "LoRa Time-on-Air"; the same formula as
 * AN1200.13 for the SX127x):
 *
 *   Tsym = 2^SF / BW
 *   Tpreamble = (Npreamble + 4.25) · Tsym
 *   Npayload = 8 + max(ceil((8·PL − 4·SF + 28 + 16·CRC − 20·IH) / (4·(SF − 2·DE))) · (CR + 4), 0)
 *   ToA = Tpreamble + Npayload · Tsym
 *
 * with PL the payload bytes, IH 1 for an implicit header, DE 1 when low-data-rate optimisation is on (mandated for
 * SF11 and SF12 at 125 kHz, where Tsym ≥ 16.38 ms), CR 1…4 for 4/5…4/8. Integer microseconds, rounded up, so every
 * engine and substrate agrees to the microsecond.
 */

export interface AirtimeParams {
  sf: number;
  bandwidthHz: number;
  /** 4/5 … 4/8 as the denominator 5…8. */
  codingRate: number;
  preamble: number;
  payloadBytes: number;
  explicitHeader: boolean;
  crc: boolean;
  /** Default: on when the symbol time is 16 ms or more (SF11/SF12 at 125 kHz). */
  lowDataRateOptimize?: boolean;
}

/** Symbol time in µs (exact for the LoRa bandwidths: 2^SF·10^6 / BW). */
export function symbolMicros(sf: number, bandwidthHz: number): number {
  return ((1 << sf) * 1_000_000) / bandwidthHz;
}

export function lowDataRateOptimizeNeeded(sf: number, bandwidthHz: number): boolean {
  return symbolMicros(sf, bandwidthHz) >= 16_000;
}

/** Payload symbols after the preamble (header included). */
export function payloadSymbols(p: AirtimeParams): number {
  const de = (p.lowDataRateOptimize ?? lowDataRateOptimizeNeeded(p.sf, p.bandwidthHz)) ? 1 : 0;
  const ih = p.explicitHeader ? 0 : 1;
  const num = 8 * p.payloadBytes - 4 * p.sf + 28 + 16 * (p.crc ? 1 : 0) - 20 * ih;
  const den = 4 * (p.sf - 2 * de);
  return 8 + Math.max(Math.ceil(num / den) * p.codingRate, 0);
}

/** Time on air, µs, rounded up to the next whole microsecond. */
export function airtimeMicros(p: AirtimeParams): number {
  const tsym = symbolMicros(p.sf, p.bandwidthHz);
  // (Npreamble + 4.25 + Npayload) · Tsym, computed on quarter symbols to stay in exact integers where possible.
  const quarters = 4 * p.preamble + 17 + 4 * payloadSymbols(p);
  return Math.ceil((quarters * tsym) / 4);
}
