/**
 * What the LoRaWAN MAC (device code) needs from a LoRa transceiver driver (parts/sx1262/driver.ts implements it).
 *
 * Every call returns at once; completion comes through the callback from the transceiver's IRQ (DIO1), with the
 * host's microsecond clock read in the interrupt handler, because class A timing is counted from the end of the
 * uplink: RX1 opens RECEIVE_DELAY1 after `txEndUs`.
 *
 * A window is opened in three steps so that the instant itself costs the host one command: `prepareReceive()` ahead
 * of it (right after TxDone for RX1, right after RX1 for RX2) configures the receiver, which keeps that configuration
 * through warm sleep; `wake()` a little before the window brings the transceiver out of sleep; `receive()` at the
 * window only starts the receiver. `receive()` with parameters that were not prepared still works, from sleep, in
 * `rxSetupUs`.
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
  /**
   * Configure the receiver for the next window now, so that `receive()` with the same parameters only starts it.
   * Replaces an earlier preparation; a transmission or a fault in between undoes it (the next `receive()` then
   * configures in full). Errors go to the next `receive()`'s callback or the driver's error handler.
   */
  prepareReceive(params: LoraRxParams): void;
  /** Leave sleep now (and restore what sleep does not keep), ahead of a prepared window. */
  wake(): void;
  /** Open a receive window now; `done` gets a frame, or an error of kind "timeout" when no preamble came. */
  receive(params: LoraRxParams, done: (error: LoraRadioError | undefined, result: LoraRxResult | undefined) => void): void;
  /** Lowest-power state that keeps configuration (SX126x warm-start sleep). */
  sleep(): void;
  /** Microseconds from `receive()` to the receiver actually listening from sleep, unprepared (wake, commands, SPI). */
  readonly rxSetupUs: number;
  /** Microseconds from `receive()` to the receiver listening when the window was prepared and the radio woken. */
  readonly preparedRxSetupUs: number;
  /** Microseconds `wake()` takes before a prepared `receive()` is a single command. */
  readonly wakeUs: number;
}
