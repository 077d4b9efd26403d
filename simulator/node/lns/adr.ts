/**
 * The network side of adaptive data rate, after ChirpStack's default algorithm: from the best SNR of the recent
 * uplinks, the margin above the demodulator floor of the current data rate (less an installation margin) is spent
 * in 3 dB steps, first on a faster data rate, then on lower transmit power; a negative margin raises power back.
 * A decision needs a full history, so one lucky frame cannot push a node to a rate it cannot hold.
 */
import { REQUIRED_SNR_DB } from "./region.js";
import type { NetworkRegion } from "./region.js";

export const ADR_HISTORY = 20;
/** dB kept in reserve (ChirpStack's default `installation_margin`). */
export const INSTALLATION_MARGIN_DB = 10;

export interface AdrState {
  dr: number;
  txPowerIndex: number;
  nbTrans: number;
}

export function adrDecision(region: NetworkRegion, current: AdrState, snrHistory: readonly number[]): AdrState {
  if (snrHistory.length < ADR_HISTORY) return current;
  let snrMax = -Infinity;
  for (let i = snrHistory.length - ADR_HISTORY; i < snrHistory.length; i++) snrMax = Math.max(snrMax, snrHistory[i]!);
  const required = REQUIRED_SNR_DB[region.dataRate(current.dr).sf]!;
  let steps = Math.floor((snrMax - required - INSTALLATION_MARGIN_DB) / 3);
  let { dr, txPowerIndex } = current;
  while (steps > 0 && dr < region.maxDr) {
    dr++;
    steps--;
  }
  while (steps > 0 && txPowerIndex < region.maxTxPowerIndex) {
    txPowerIndex++;
    steps--;
  }
  while (steps < 0 && txPowerIndex > 0) {
    txPowerIndex--;
    steps++;
  }
  return { dr, txPowerIndex, nbTrans: current.nbTrans };
}
