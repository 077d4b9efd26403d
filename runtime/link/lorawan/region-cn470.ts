/**
 * The CN470-510 channel plan for LoRaWAN 1.0.x class A devices: 96 uplink and 48 downlink channels, DR0–DR5.
 *
 * Source: LoRaWAN Regional Parameters RP001-1.0.3revA §2.7 "CN470-510MHz Band" (the 96/48-channel plan that
 * RP 1.0.2 introduced and RP002-1.0.0 carried on; later RP002 revisions add the 20 MHz / 26 MHz plans, which this
 * module does not implement). Section numbers below are of RP001-1.0.3revA; "L2 1.0.4" is TS001-1.0.4.
 * A fixed channel plan: channels are numbered, never defined over the air, so NewChannelReq, DlChannelReq and
 * TxParamSetupReq do not apply (§2.7: no NewChannelReq; TxParamSetupReq exists only for AS923 and AU915).
 */
import type { LoraBandwidthHz } from "./radio.js";

export interface DataRate {
  readonly sf: number;
  readonly bandwidthHz: LoraBandwidthHz;
  /** Largest MACPayload, M (§2.7.6, repeater-compatible table). */
  readonly maxMacPayload: number;
  /** Largest application payload with no FOpts, N = M − 8 (FHDR 7 + FPort 1). */
  readonly maxAppPayload: number;
}

const dr = (sf: number, m: number): DataRate => Object.freeze({ sf, bandwidthHz: 125_000 as const, maxMacPayload: m, maxAppPayload: m - 8 });

/**
 * §2.7.3 data rates (all LoRa, 125 kHz, coding rate 4/5) with §2.7.6 maximum payload sizes. The repeater-compatible
 * figures (DR4/DR5 M = 230) are used: a network server accepts them either way, and a repeater may be in the path.
 */
export const CN470_DATA_RATES: readonly DataRate[] = Object.freeze([
  dr(12, 59), // DR0: SF12, M 59, N 51
  dr(11, 59), // DR1: SF11, M 59, N 51
  dr(10, 59), // DR2: SF10, M 59, N 51
  dr(9, 123), // DR3: SF9, M 123, N 115
  dr(8, 230), // DR4: SF8, M 230, N 222
  dr(7, 230), // DR5: SF7, M 230, N 222
]);

export const CN470 = Object.freeze({
  name: "CN470-510",
  /** §2.7.2: uplink channels 0…95 at 470.3 + 0.2·n MHz. */
  uplinkChannels: 96,
  /** §2.7.2: downlink channels 0…47 at 500.3 + 0.2·n MHz. */
  downlinkChannels: 48,
  minDataRate: 0,
  maxDataRate: 5,
  /** §2.7.1: LoRa preamble of 8 symbols (sync word 0x34, set by the driver). */
  preambleSymbols: 8,
  codingRate: 5 as const,
  /** §2.7.3: TXPower 0 is MaxEIRP = 19.15 dBm, each step 2 dB lower, 0…7 valid. Centi-dB to stay in integers. */
  maxEirpCentiDbm: 1915,
  txPowerStepCentiDb: 200,
  maxTxPowerIndex: 7,
  /** §2.7.7: RX1 data rate offsets 0…5 are valid; downstream DR = max(DR0, upstream DR − offset). */
  maxRx1DrOffset: 5,
  /** §2.7.7: RX2 default 505.3 MHz at DR0 (SF12 BW125). */
  rx2FrequencyHz: 505_300_000,
  rx2DataRate: 0,
  /** §2.7.2: the band the device may be told to listen on (RXParamSetupReq). */
  minFrequencyHz: 470_000_000,
  maxFrequencyHz: 510_000_000,
  /** §2.7.4: a JoinAccept CFList of type 1 carries channel masks (no frequencies in a fixed plan). */
  cfListType: 1,
  /** §2.7.5: ChMaskCntl 0…5 select a block of 16 channels; 6 turns every channel on; 7 is RFU. */
  chMaskCntlAllOn: 6,
});

/** Class A timing and ADR defaults of §2.7.9 (the same in every region; L2 1.0.4 §3.3, §4.3.1.1, §6.2.6). */
export const CN470_DEFAULTS = Object.freeze({
  receiveDelay1Ms: 1000,
  /** RECEIVE_DELAY1 + 1 s. */
  receiveDelay2Ms: 2000,
  joinAcceptDelay1Ms: 5000,
  joinAcceptDelay2Ms: 6000,
  adrAckLimit: 64,
  adrAckDelay: 32,
  /** RETRANSMIT_TIMEOUT (ACK_TIMEOUT before 1.0.4): 2 s ± 1 s, random. */
  retransmitTimeoutMinMs: 1000,
  retransmitTimeoutMaxMs: 3000,
});

export function uplinkFrequencyHz(channel: number): number {
  return 470_300_000 + 200_000 * channel;
}

/** §2.7.7: RX1 listens on downlink channel (uplink channel mod 48). */
export function rx1FrequencyHz(uplinkChannel: number): number {
  return 500_300_000 + 200_000 * (uplinkChannel % 48);
}

/** §2.7.7 RX1 data rate table: it is max(DR0, DR − RX1DROffset) for every cell. */
export function rx1DataRate(uplinkDr: number, rx1DrOffset: number): number {
  const d = uplinkDr - rx1DrOffset;
  return d > 0 ? d : 0;
}

/** Conducted power for TXPower `index`: EIRP from §2.7.3 minus the antenna gain, rounded down to whole dBm. */
export function txPowerDbm(index: number, antennaGainCentiDbi: number): number {
  return Math.floor((CN470.maxEirpCentiDbm - CN470.txPowerStepCentiDb * index - antennaGainCentiDbi) / 100);
}

/** A valid downlink frequency for RXParamSetupReq: inside the band, on the 100 Hz grid the command carries. */
export function isValidRxFrequency(hz: number): boolean {
  return hz >= CN470.minFrequencyHz && hz <= CN470.maxFrequencyHz;
}

/** 96 channels as six 16-bit words (channel 16·i + b is bit b of word i), the layout of ChMask and of the CFList. */
export class ChannelMask {
  readonly words = new Uint16Array(6);

  constructor() {
    this.enableAll();
  }

  enableAll(): void {
    this.words.fill(0xffff);
  }

  copyFrom(other: ChannelMask): void {
    this.words.set(other.words);
  }

  isEnabled(channel: number): boolean {
    return (this.words[channel >> 4]! & (1 << (channel & 15))) !== 0;
  }

  count(): number {
    let n = 0;
    for (let i = 0; i < 6; i++) {
      let w = this.words[i]!;
      while (w) {
        w &= w - 1;
        n++;
      }
    }
    return n;
  }

  /** The `k`-th enabled channel (0-based), or −1. */
  nth(k: number): number {
    for (let ch = 0; ch < CN470.uplinkChannels; ch++) {
      if (this.isEnabled(ch) && k-- === 0) return ch;
    }
    return -1;
  }

  /**
   * Apply one LinkADRReq ChMask/ChMaskCntl pair (§2.7.5). Returns false for an RFU ChMaskCntl (7), which the
   * device rejects by clearing "Channel mask ACK".
   */
  apply(chMask: number, chMaskCntl: number): boolean {
    if (chMaskCntl <= 5) {
      this.words[chMaskCntl] = chMask & 0xffff;
      return true;
    }
    if (chMaskCntl === CN470.chMaskCntlAllOn) {
      this.enableAll();
      return true;
    }
    return false;
  }

  /**
   * §2.7.4 CFList type 1: ChMask0…ChMask5 (2 octets each, little endian), 3 RFU octets, CFListType. Returns false
   * (and changes nothing) when the type is not 1 or no channel would be left on.
   */
  applyCfList(cfList: Uint8Array, offset: number): boolean {
    if (cfList[offset + 15] !== CN470.cfListType) return false;
    let any = 0;
    for (let i = 0; i < 6; i++) any |= cfList[offset + 2 * i]! | (cfList[offset + 2 * i + 1]! << 8);
    if (any === 0) return false;
    for (let i = 0; i < 6; i++) this.words[i] = cfList[offset + 2 * i]! | (cfList[offset + 2 * i + 1]! << 8);
    return true;
  }
}
