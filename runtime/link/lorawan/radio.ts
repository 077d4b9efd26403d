/**
 * What the LoRaWAN MAC (device code) needs from a LoRa transceiver driver (parts/sx1262/driver.ts implements it).
 *
 * Every call returns at once; completion comes through the callback from the transceiver's IRQ (DIO1), with the
 * host's microsecond clock read in the interrupt handler, because class A timing is counted from the end of the
 * uplink: RX1 opens RECEIVE_DELAY1 after `txEndUs`.
 */

export type LoraBandwidthHz = 125_000 | 250_000 | 500_000;
/** 4/5 … 4/8, as the denominator. */
export type LoraCodingRate = 5 | 6 | 7 | 8;

export interface LoraModulation {
  frequencyHz: number;
  /** Spreading factor 7…12. */
  sf: number;
  bandwidthHz: LoraBandwidthHz;
  codingRate: LoraCodingRate;
  /** Preamble symbols (LoRaWAN: 8). */
  preamble: number;
  /** Uplinks use the normal IQ; downlinks are sent inverted, so a device receives with `invertIq: true`. */
  invertIq: boolean;
  /** Explicit header (LoRaWAN uses it); CRC on for uplinks, off for downlinks. */
  crc: boolean;
}

export interface LoraTxParams extends LoraModulation {
  powerDbm: number;
}

export interface LoraRxParams extends LoraModulation {
  /**
   * How long the receiver waits for a preamble before giving up, in symbols (the SX126x `SetLoRaSymbNumTimeout`
   * style) — a class A window stays open only long enough to detect a preamble.
   */
  timeoutSymbols: number;
}

export interface LoraTxResult {
  /** Host microseconds (`clock.microseconds()`) when TxDone was raised. */
  txEndUs: number;
  /** Time on air the transceiver spent, µs. */
  airtimeUs: number;
}

export interface LoraRxResult {
  payload: Uint8Array;
  rssiDbm: number;
  snrDb: number;
  /** Host microseconds when RxDone was raised. */
  rxEndUs: number;
}

export interface LoraRadioError {
  kind: "timeout" | "crc" | "header" | "busy" | "bus";
  message: string;
}

export interface LoraRadio {
  /** Send one frame; `done` gets the TxDone time or an error (TX timeout, SPI failure). */
  transmit(payload: Uint8Array, params: LoraTxParams, done: (error: LoraRadioError | undefined, result: LoraTxResult | undefined) => void): void;
  /** Open a receive window now; `done` gets a frame, or an error of kind "timeout" when no preamble came. */
  receive(params: LoraRxParams, done: (error: LoraRadioError | undefined, result: LoraRxResult | undefined) => void): void;
  /** Lowest-power state that keeps configuration (SX126x warm-start sleep). */
  sleep(): void;
  /** Microseconds from `receive()` to the receiver actually listening (wake, calibration, SPI), for window timing. */
  readonly rxSetupUs: number;
}
