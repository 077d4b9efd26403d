/**
 * What the network server needs to know about a LoRaWAN region: data rates, where and how a class A downlink
 * goes (RX1 from the uplink's channel and data rate, RX2 fixed), the largest payload per data rate, the demodulator
 * floor per spreading factor (for ADR and link margins), and the channel-mask command shape.
 */
export interface DataRate {
  sf: number;
  bandwidthHz: number;
}

export interface Downlink {
  frequencyHz: number;
  dr: number;
}

export interface NetworkRegion {
  readonly name: string;
  /** The ChirpStack-style common name ("CN470"). */
  readonly commonName: string;
  readonly maxDr: number;
  dataRate(dr: number): DataRate;
  /** The data rate index of a modulation, or -1 when the region has none. */
  drOf(sf: number, bandwidthHz: number): number;
  /** Largest MACPayload (M) for a data rate, bytes. */
  maxMacPayload(dr: number): number;
  rx1(uplinkFrequencyHz: number, uplinkDr: number, rx1DrOffset: number): Downlink;
  readonly rx2: Downlink;
  /** Gateway transmit power for downlinks, dBm. */
  readonly downlinkPowerDbm: number;
  /** Highest TXPower index the region defines (0 = max EIRP, each step −2 dB). */
  readonly maxTxPowerIndex: number;
  /** A JoinAccept CFList that leaves exactly `channels` enabled (empty when the region has none). */
  cfList(channels: readonly number[]): Uint8Array;
  /** LinkADRReq payloads (without the CID) that leave exactly `channels` enabled. */
  channelMaskCommands(channels: readonly number[], dr: number, txPowerIndex: number, nbTrans: number): Uint8Array[];
}

/**
 * Demodulator SNR floor per spreading factor, dB (Semtech SX1276/7/8/9 datasheet Table 13, "LoRa demodulator SNR";
 * SX1261/2 DS §6.1.2 gives the same figures). A frame below its floor is not decoded.
 */
export const REQUIRED_SNR_DB: Readonly<Record<number, number>> = Object.freeze({ 5: -2.5, 6: -5, 7: -7.5, 8: -10, 9: -12.5, 10: -15, 11: -17.5, 12: -20 });
