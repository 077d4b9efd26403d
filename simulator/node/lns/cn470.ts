/**
 * CN470-510 as the network server applies it (LoRaWAN Regional Parameters RP002-1.0.x, CN470-510 section, the
 * 96-uplink / 48-downlink plan of RP 1.0.2):
 * - uplink channel n (0…95) at 470.3 + 0.2·n MHz; RX1 downlink on channel n mod 48 at 500.3 + 0.2·(n mod 48) MHz;
 * - DR0…DR5 = SF12…SF7 at 125 kHz; RX1 data rate = uplink DR − RX1DROffset (not below DR0);
 * - RX2 default 505.3 MHz at DR0;
 * - maximum MACPayload M per DR: 59, 59, 59, 123, 230, 230 (N = M − 8);
 * - TXPower 0…7 = MaxEIRP − 2·index dB (MaxEIRP 19.15 dBm);
 * - LinkADRReq ChMaskCntl 0…5 selects the block of channels 16·k…16·k+15 its ChMask applies to; 6 turns all on;
 * - JoinAccept CFList type 1: ChMask0…ChMask5 (16 bits each, little endian), 3 RFU bytes, CFListType 1.
 */
import type { NetworkRegion } from "./region.js";

const M = Object.freeze([59, 59, 59, 123, 230, 230]);
const UP0 = 470_300_000;
const DOWN0 = 500_300_000;
const STEP = 200_000;

export const CN470: NetworkRegion = Object.freeze({
  name: "cn470",
  commonName: "CN470",
  maxDr: 5,
  dataRate(dr: number) {
    if (!(dr >= 0 && dr <= 5)) throw new RangeError(`CN470 has no DR${dr}`);
    return { sf: 12 - dr, bandwidthHz: 125_000 };
  },
  drOf(sf: number, bandwidthHz: number) {
    return bandwidthHz === 125_000 && sf >= 7 && sf <= 12 ? 12 - sf : -1;
  },
  maxMacPayload(dr: number) {
    const m = M[dr];
    if (m === undefined) throw new RangeError(`CN470 has no DR${dr}`);
    return m;
  },
  rx1(uplinkFrequencyHz: number, uplinkDr: number, rx1DrOffset: number) {
    const n = Math.round((uplinkFrequencyHz - UP0) / STEP);
    if (!(n >= 0 && n <= 95)) throw new RangeError(`${uplinkFrequencyHz} Hz is not a CN470 uplink channel`);
    return { frequencyHz: DOWN0 + STEP * (n % 48), dr: Math.max(0, uplinkDr - rx1DrOffset) };
  },
  rx2: Object.freeze({ frequencyHz: 505_300_000, dr: 0 }),
  downlinkPowerDbm: 17,
  maxTxPowerIndex: 7,
  cfList(channels: readonly number[]) {
    const out = new Uint8Array(16);
    for (const c of channels) out[2 * (c >> 4) + ((c & 15) >> 3)]! |= 1 << (c & 7);
    out[15] = 1;
    return out;
  },
  channelMaskCommands(channels: readonly number[], dr: number, txPowerIndex: number, nbTrans: number) {
    const out: Uint8Array[] = [];
    for (let block = 0; block < 6; block++) {
      let mask = 0;
      for (const c of channels) if (c >= block * 16 && c < block * 16 + 16) mask |= 1 << (c - block * 16);
      // One contiguous block of commands: the device applies the masks together and takes DR, power and NbTrans
      // from the last (LoRaWAN 1.0.4 §5.3).
      out.push(Uint8Array.of(((dr & 0x0f) << 4) | (txPowerIndex & 0x0f), mask & 0xff, mask >>> 8, ((block & 0x07) << 4) | (nbTrans & 0x0f)));
    }
    return out;
  },
});
