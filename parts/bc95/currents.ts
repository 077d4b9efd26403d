/**
 * BC95-G supply currents at 3.6 V the model draws in each state, mA, with where each figure comes from.
 *
 * The BC95-G Hardware Design's current table could not be read while this was written; the figures are the
 * class's (Hi2115-based Cat-NB1 modules), each marked with its source, and are what an energy estimate must
 * call approximate:
 * - PSM 3 µA: Quectel's BC95-G product figure, and the project reference (§6.1: "BC95 PSM about 3–5 µA").
 * - Idle between paging occasions (light sleep) 30 µA, plus each paging occasion's wake (9 ms at the receive
 *   current): together 0.4 mA at a 1.28 s DRX cycle, the figure M5Stack's Cat-NB1 module page gives for
 *   "idle mode (DRX = 1.28 s)"; the split between floor and wake is this model's assumption.
 * - Receive 54 mA and transmit at 23 dBm: M5Stack's page gives 54 mA RX and 167 mA TX (23 dBm, single tone);
 *   the project reference gives 200–300 mA peaks for BC95-class modules at 23 dBm. The model uses 220 mA.
 * - RRC connected between transmissions (monitoring the downlink control channel) 6 mA: the reference's
 *   5–10 mA, unverified.
 * - Awake with the radio off (booting, woken by the UART in PSM, AT+CFUN=0) 1 mA and cell search (receiver on
 *   about a quarter of the time) 14 mA: assumptions of this model.
 */
export const BC95_CURRENTS: Readonly<Record<"off" | "psm" | "awake" | "search" | "connected" | "rx" | "tx", number>> = Object.freeze({
  off: 0,
  psm: 0.003,
  awake: 1,
  search: 14,
  connected: 6,
  rx: 54,
  tx: 220,
});

/** Idle (DRX/eDRX): the light-sleep floor, mA, and how long each paging occasion keeps the receiver on, ms. */
export const BC95_IDLE = Object.freeze({ floorMilliamps: 0.03, pagingWakeMs: 9 });

/** Mean idle current for a paging cycle (DRX or eDRX), mA: the light-sleep floor plus one wake per cycle. */
export function idleMilliamps(cycleS: number): number {
  return BC95_IDLE.floorMilliamps + (BC95_CURRENTS.rx * BC95_IDLE.pagingWakeMs) / 1000 / cycleS;
}
