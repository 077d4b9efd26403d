/**
 * Where a class A receive window opens and how many symbols it waits for a preamble, for a system that opens its
 * receiver within a known timing error of where it aims.
 *
 * Source: Semtech's reference MAC (LoRaMac-node, RegionCommonComputeRxWindowParameters). There `rxError` is the
 * system's maximum timing error: the receiver turns on anywhere in [−rxError, +rxError] around its aim. With Tsym
 * the symbol time, P the downlink preamble (8 symbols) and minRx the symbols the receiver needs to detect it:
 *
 *   timeout = max(⌈((2·minRx − P)·Tsym + 2·rxError) / Tsym⌉, minRx)      symbols
 *   offset  = (P/2)·Tsym − timeout·Tsym/2                                 µs after the spec's instant
 *
 * so the timeout, centred on the middle of the preamble, covers the error on both sides and still leaves minRx
 * symbols to detect; the radio is started `wakeUp` before `instant + offset`. At high spreading factors (rxError
 * small against a symbol) that offset is positive: Semtech opens up to (P − minRx)/2 symbols late by design, 33 ms at
 * SF12. Here the opening is held to a budget against the spec's instant itself (TS001-1.0.4 §3.3: RECEIVE_DELAY1/2
 * after the end of the uplink), so a positive offset becomes 0 and the timeout grows to cover an opening rxError
 * early instead: timeout = minRx + ⌈rxError / Tsym⌉. Either way a preamble sent on time is caught when the opening is
 * within ±rxError of its aim:
 * - late: it still hears minRx of the P symbols, (P − minRx)·Tsym ≥ offset + rxError (`lateMarginUs` is what is
 *   left; negative when no timeout can help, the error being larger than the preamble's spare symbols);
 * - early: its timeout has not run out minRx symbols into the preamble, (timeout − minRx)·Tsym ≥ rxError − offset.
 *
 * Facts: LoRaWAN's downlink preamble is 8 symbols (RP002-1.0.x; RP001 §2.7 for CN470); the SX126x needs a few
 * symbols of it to detect a frame, and LoRaMac-node's default minRx is 6 (MIN_RX_SYMBOLS), which the project's
 * window checks use too (emulator/host/rx-windows.ts).
 */

/** Preamble symbols the receiver needs to detect a frame (LoRaMac-node's default minimum). */
export const MIN_RX_SYMBOLS = 6;
/** SX126x SetLoRaSymbNumTimeout takes 0…255 symbols. */
export const MAX_RX_SYMBOLS = 255;

export interface RxWindowPlan {
  /** How long before the spec's instant `receive()` is called, µs (the radio's set-up, plus any early offset). */
  leadUs: number;
  /** Where the receiver aims to be listening, µs after the instant (0, or negative: early). */
  offsetUs: number;
  /** Symbol timeout to program. */
  timeoutSymbols: number;
  /** What a worst-case late opening leaves of the preamble's spare symbols, µs (negative: it would miss). */
  lateMarginUs: number;
}

/**
 * @param symbolUs one symbol at the window's data rate, µs
 * @param preambleSymbols the downlink's preamble (8)
 * @param rxErrorUs the system's maximum opening error either side of its aim, µs
 * @param wakeUpUs the radio's time from `receive()` to listening, µs
 */
export function rxWindowPlan(symbolUs: number, preambleSymbols: number, rxErrorUs: number, wakeUpUs: number): RxWindowPlan {
  if (!(symbolUs > 0)) throw new RangeError(`rx window: symbolUs must be positive, got ${String(symbolUs)}`);
  if (!(rxErrorUs >= 0)) throw new RangeError(`rx window: rxErrorUs must be 0 or more, got ${String(rxErrorUs)}`);
  if (!(wakeUpUs >= 0)) throw new RangeError(`rx window: wakeUpUs must be 0 or more, got ${String(wakeUpUs)}`);
  let timeoutSymbols = Math.max(Math.ceil(((2 * MIN_RX_SYMBOLS - preambleSymbols) * symbolUs + 2 * rxErrorUs) / symbolUs), MIN_RX_SYMBOLS);
  let offsetUs = Math.floor((preambleSymbols * symbolUs) / 2 - (timeoutSymbols * symbolUs) / 2);
  if (offsetUs > 0) {
    offsetUs = 0;
    timeoutSymbols = MIN_RX_SYMBOLS + Math.ceil(rxErrorUs / symbolUs);
  }
  if (timeoutSymbols > MAX_RX_SYMBOLS) timeoutSymbols = MAX_RX_SYMBOLS;
  return {
    leadUs: Math.ceil(wakeUpUs) - offsetUs,
    offsetUs,
    timeoutSymbols,
    lateMarginUs: (preambleSymbols - MIN_RX_SYMBOLS) * symbolUs - offsetUs - rxErrorUs,
  };
}
