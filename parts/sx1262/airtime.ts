/**
 * LoRa time on air, as the SX1261/2 datasheet gives it (§6.1.4; the same formula as Semtech's AN1200.13 and
 * Lora-net/sx126x_driver `sx126x_get_lora_time_on_air_numerator`):
 *
 *   SF7…12:  N = Npreamble + 4.25 + 8 + ⌈max(8·PL + 16·CRC − 4·SF + 8 + 20·H, 0) / (4·(SF − 2·LDRO))⌉ · (CR + 4)
 *   SF5, 6:  N = Npreamble + 6.25 + 8 + ⌈max(8·PL + 16·CRC − 4·SF + 20·H, 0) / (4·SF)⌉ · (CR + 4)
 *   ToA = N · 2^SF / BW
 *
 * with H = 1 for an explicit header, CR = 1…4 for 4/5…4/8. Counted in quarter symbols, the preamble's .25 stays an
 * integer, and at 125/250/500 kHz the result is a whole number of microseconds; other bandwidths round to the µs.
 */

export interface LoraAirParams {
  /** Spreading factor 5…12. */
  sf: number;
  bandwidthHz: number;
  /** Coding rate denominator 5…8 (4/5 … 4/8). */
  codingRate: number;
  preamble: number;
  explicitHeader: boolean;
  crc: boolean;
  lowDataRateOptimize: boolean;
  /** Payload bytes, 0…255. */
  payloadLength: number;
}

/** Symbol time, µs (not rounded). */
export function symbolUs(sf: number, bandwidthHz: number): number {
  return ((1 << sf) * 1_000_000) / bandwidthHz;
}

/**
 * Whether low-data-rate optimisation is mandated: at symbol times of 16.38 ms and more (SF11 and SF12 at 125 kHz,
 * SF12 at 250 kHz), as the datasheet requires with SetModulationParams (§13.4.5) and LoRaWAN regional parameters
 * assume for DR0/DR1 at 125 kHz.
 */
export function lowDataRateOptimize(sf: number, bandwidthHz: number): boolean {
  return (1 << sf) * 1000 >= 16.38 * bandwidthHz; // Tsym ≥ 16.38 ms, without a division
}

/** Payload symbols: the ⌈…⌉·(CR + 4) term plus the 8 symbols every packet has after the preamble. */
export function payloadSymbols(p: LoraAirParams): number {
  const cr = p.codingRate - 4;
  let numerator = 8 * p.payloadLength + (p.crc ? 16 : 0) - 4 * p.sf + (p.explicitHeader ? 20 : 0);
  let denominator: number;
  if (p.sf <= 6) {
    denominator = 4 * p.sf;
  } else {
    numerator += 8;
    denominator = 4 * (p.lowDataRateOptimize ? p.sf - 2 : p.sf);
  }
  if (numerator < 0) numerator = 0;
  return 8 + Math.ceil(numerator / denominator) * (cr + 4);
}

/** Whole symbols times four from the start of the preamble to the end of the packet. */
export function packetQuarterSymbols(p: LoraAirParams): number {
  return 4 * p.preamble + (p.sf <= 6 ? 25 : 17) + 4 * payloadSymbols(p);
}

/** Quarter symbols from the start of the preamble to the end of the explicit header (the 8 symbols after it). */
export function headerQuarterSymbols(p: Pick<LoraAirParams, "sf" | "preamble">): number {
  return 4 * p.preamble + (p.sf <= 6 ? 25 : 17) + 32;
}

/** Microseconds for `quarters` quarter symbols, rounded to the µs (exact at 125/250/500 kHz). */
export function quarterSymbolsUs(quarters: number, sf: number, bandwidthHz: number): number {
  return Math.round((quarters * (1 << sf) * 250_000) / bandwidthHz);
}

/** Time on air of one packet, µs. */
export function timeOnAirUs(p: LoraAirParams): number {
  return quarterSymbolsUs(packetQuarterSymbols(p), p.sf, p.bandwidthHz);
}
