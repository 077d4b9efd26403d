/**
 * What single radio events cost, from the project's own models: the charge of one LoRaWAN uplink (unconfirmed, or
 * confirmed with its ACK), of a join attempt that gets no answer (a join retry), and of a day the NB-IoT modem spends
 * without coverage. Printed by `npm run bench` beside the battery years, so a reader can weigh a design choice
 * (confirmed reports, a gateway out of reach, a basement meter) against the node's daily budget.
 *
 * LoRaWAN: time on air from the Semtech formula (runtime/link/lorawan/airtime.ts, CN470 data rates and 8-symbol
 * preamble), each receive window for as long as the MAC programs it (runtime/link/lorawan/rx-window.ts: the symbol
 * timeout for the node's timing error) when no downlink comes, and the SX1262's datasheet currents
 * (parts/sx1262/model.ts SX1262_CURRENTS: TX at +17 dBm on the +22 dBm PA row, RX with the DC-DC regulator, the
 * board defaults of parts/sx1262/config.ts). An ACK is an empty downlink (MHDR, FHDR, MIC: 12 bytes) received in RX1,
 * so RX2 does not open. Left out: the 20 ms wake and standby before each window (STDBY_RC at 0.6 mA), the TCXO and RF
 * switch, the MCU. NB-IoT: the BC95 model's cell-search current for 24 h (parts/bc95/currents.ts; the model searches
 * without back-off until a cell is back, as its notes say, which a real module's search schedule may soften).
 */
import { BC95_CURRENTS } from "../../parts/bc95/currents.js";
import { SX1262_DEFAULTS } from "../../parts/sx1262/config.js";
import { fullPaTxMilliamps, SX1262_CURRENTS } from "../../parts/sx1262/model.js";
import { airtimeMicros, symbolMicros } from "../../runtime/link/lorawan/airtime.js";
import { CN470, CN470_DATA_RATES, rx1DataRate } from "../../runtime/link/lorawan/region-cn470.js";
import { rxWindowPlan } from "../../runtime/link/lorawan/rx-window.js";

/** MHDR 1 + FHDR 7 (DevAddr, FCtrl, FCnt) + FPort 1 + MIC 4: a data frame's bytes around its FRMPayload. */
export const DATA_FRAME_OVERHEAD = 13;
/** An empty ACK downlink: MHDR 1 + FHDR 7 + MIC 4. */
export const ACK_FRAME_BYTES = 12;
/** A Join-Request: MHDR 1 + JoinEUI 8 + DevEUI 8 + DevNonce 2 + MIC 4 (TS001-1.0.4 §6.2.5). */
export const JOIN_REQUEST_BYTES = 23;

/** TX current at `dbm` on the +22 dBm PA row, mA, as the model charges it. */
export const txMilliamps = fullPaTxMilliamps;

/** RX current with the board defaults' regulator and gain, mA. */
export const RX_MA = SX1262_DEFAULTS.rxBoosted ? SX1262_CURRENTS.rxBoosted[SX1262_DEFAULTS.regulator] : SX1262_CURRENTS.rx[SX1262_DEFAULTS.regulator];

function uplinkAirtimeUs(dr: number, phyBytes: number): number {
  const d = CN470_DATA_RATES[dr]!;
  return airtimeMicros({ sf: d.sf, bandwidthHz: d.bandwidthHz, codingRate: CN470.codingRate, preamble: CN470.preambleSymbols, payloadBytes: phyBytes, explicitHeader: true, crc: true });
}

function downlinkAirtimeUs(dr: number, phyBytes: number): number {
  const d = CN470_DATA_RATES[dr]!;
  return airtimeMicros({ sf: d.sf, bandwidthHz: d.bandwidthHz, codingRate: CN470.codingRate, preamble: CN470.preambleSymbols, payloadBytes: phyBytes, explicitHeader: true, crc: false });
}

/** A window at `dr` that hears nothing: open for its symbol timeout. */
function emptyWindowUs(dr: number, timingErrorUs: number): number {
  const d = CN470_DATA_RATES[dr]!;
  const ts = symbolMicros(d.sf, d.bandwidthHz);
  return rxWindowPlan(ts, CN470.preambleSymbols, timingErrorUs, 0).timeoutSymbols * ts;
}

export interface LorawanEventCost {
  event: string;
  dr: number;
  sf: number;
  airtimeMs: number;
  listenMs: number;
  /** Charge, µAh. */
  microampHours: number;
}

/** mA over µs as µAh. */
const uah = (mA: number, us: number) => (mA * us) / 3.6e6;

/** One uplink of `payloadBytes` at `dr`, unconfirmed (both windows empty) and confirmed (ACK in RX1); a join retry at DR0. */
export function lorawanEventCosts(payloadBytes: number, dr: number, txDbm: number, timingErrorUs: number): LorawanEventCost[] {
  const tx = txMilliamps(txDbm);
  const air = uplinkAirtimeUs(dr, payloadBytes + DATA_FRAME_OVERHEAD);
  const rx1 = rx1DataRate(dr, 0);
  const empty = emptyWindowUs(rx1, timingErrorUs) + emptyWindowUs(CN470.rx2DataRate, timingErrorUs);
  // The ACK: the receiver listens from the preamble's start to the frame's end (a window opened on time).
  const ack = downlinkAirtimeUs(rx1, ACK_FRAME_BYTES);
  const join = uplinkAirtimeUs(CN470.minDataRate, JOIN_REQUEST_BYTES);
  const joinWindows = 2 * emptyWindowUs(CN470.minDataRate, timingErrorUs);
  const row = (event: string, d: number, airUs: number, listenUs: number): LorawanEventCost => ({
    event,
    dr: d,
    sf: CN470_DATA_RATES[d]!.sf,
    airtimeMs: airUs / 1000,
    listenMs: listenUs / 1000,
    microampHours: uah(tx, airUs) + uah(RX_MA, listenUs),
  });
  return [
    row(`unconfirmed uplink, ${payloadBytes} B (RX1 and RX2 empty)`, dr, air, empty),
    row(`confirmed uplink, ${payloadBytes} B (ACK in RX1)`, dr, air, ack),
    row(`join attempt without answer (a join retry)`, CN470.minDataRate, join, joinWindows),
  ];
}

/** A day of cell search (no coverage) against a day of PSM, µAh. */
export function nbiotLostCoverageDay(): { searchMicroampHours: number; psmMicroampHours: number } {
  return { searchMicroampHours: BC95_CURRENTS.search * 24 * 1000, psmMicroampHours: BC95_CURRENTS.psm * 24 * 1000 };
}
