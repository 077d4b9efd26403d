/**
 * The air between LoRa transceiver models: what a model puts on it when it transmits and what it is handed when
 * something it might hear goes out. A radio channel (path loss, SNR per spreading factor, collisions) or a gateway
 * implements `LoraMedium`; the model decides what it can demodulate from its own state (listening or not, channel,
 * spreading factor, IQ, sync word, timeouts). Types only: the simulator plugs an implementation in.
 */
import type { LoraAirParams } from "./airtime.js";

/** How a frame is modulated, as the transmitting chip was configured when it started sending. */
export interface LoraAirModulation extends Omit<LoraAirParams, "payloadLength"> {
  /** Carrier, Hz, as the PLL produces it (steps · 32 MHz / 2^25). */
  frequencyHz: number;
  invertIq: boolean;
  /** The 16-bit LoRa sync word registers (0x3444 public LoRaWAN, 0x1424 private). */
  syncWord: number;
}

export interface LoraAirFrame {
  payload: Uint8Array;
  modulation: LoraAirModulation;
  /** Output power, dBm (what the PA was set to deliver). */
  powerDbm: number;
  /** Virtual µs when the preamble starts and when the last symbol ends. */
  startUs: number;
  endUs: number;
  /** The transmitter stopped before the end (a TX timeout): no receiver can finish it. */
  truncated: boolean;
}

/** How one frame arrives at one receiver, as the medium decides it. */
export interface LoraDelivery {
  rssiDbm: number;
  snrDb: number;
  /** The bytes the receiver demodulates when the air damaged the frame (its CRC then fails); absent: intact. */
  damaged?: Uint8Array;
  /** The explicit header was lost: the receiver raises HeaderErr at the end of the header. */
  headerLost?: boolean;
}

/** A transceiver on the air. */
export interface LoraEndpoint {
  readonly name: string;
  /**
   * A frame starts on the air (called at `frame.startUs`) and may reach this endpoint as `delivery` says; the
   * endpoint keeps it if it is listening for it.
   */
  hear(frame: LoraAirFrame, delivery: LoraDelivery): void;
}

export interface LoraMedium {
  /** Called by a transmitting model at `frame.startUs`; the medium delivers it to the endpoints it reaches. */
  transmit(from: LoraEndpoint, frame: LoraAirFrame): void;
  /** Put an endpoint on the air; returns its removal. */
  join(endpoint: LoraEndpoint): () => void;
}
