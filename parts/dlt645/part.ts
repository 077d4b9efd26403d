/**
 * A DL/T 645-2007 electricity meter as manifests see it: on a UART through an RS-485 transceiver whose driver
 * enable is the part's `de` pin; 2400 baud 8E1 by default; the meter's address and the master's timing as options.
 * `meterBusOptions` are the options both meter-bus parts share (cjt188 takes them from here).
 */
import { definePart } from "../../manifests/schema/part.js";
import { s } from "../../manifests/schema/builder.js";
import { DLT645_DEFAULT_BAUD, DLT645_REPLY_TIMEOUT_MS } from "./driver.js";

/** Baud rates meter buses use (DL/T 645-2007: 1200, 2400, 4800, 9600). */
export const METER_BAUDS = Object.freeze([1200, 2400, 4800, 9600] as const);

export function meterBusOptions(o: { addressDigits: number; baud: number; replyTimeoutMs: number }) {
  return {
    address: s.optional(
      s.string({
        description: `The meter's address as on its nameplate, up to ${o.addressDigits} digits; all A for the wildcard (one meter on the bus).`,
        pattern: `^[0-9Aa]{1,${o.addressDigits}}$`,
        patternHint: `up to ${o.addressDigits} decimal digits, or A for the wildcard`,
        default: "A".repeat(o.addressDigits),
      }),
    ),
    baud: s.optional(s.enumOf(METER_BAUDS, { description: "Line speed, baud.", default: o.baud })),
    parity: s.optional(s.enumOf(["even", "odd", "none"] as const, { description: "Parity bit after the 8 data bits (meter buses: even, 8E1).", default: "even" })),
    replyTimeoutMs: s.optional(s.integer({ description: "Longest wait for a reply to start after the request has gone out, ms.", minimum: 20, maximum: 10_000, default: o.replyTimeoutMs })),
    retries: s.optional(s.integer({ description: "Requests sent again after a failed reply.", minimum: 0, maximum: 5, default: 2 })),
  };
}

export const part = definePart({
  name: "dlt645",
  title: "DL/T 645-2007 electricity meter on RS-485",
  connection: { kind: "uart", baud: DLT645_DEFAULT_BAUD, multidrop: true },
  pins: { de: { direction: "output", optional: true, description: "DE: the RS-485 transceiver's driver enable, shared by every meter on the port" } },
  options: s.object(meterBusOptions({ addressDigits: 12, baud: DLT645_DEFAULT_BAUD, replyTimeoutMs: DLT645_REPLY_TIMEOUT_MS }), { description: "DL/T 645 meter options." }),
  defaults: { address: "AAAAAAAAAAAA", baud: DLT645_DEFAULT_BAUD, parity: "even", replyTimeoutMs: DLT645_REPLY_TIMEOUT_MS, retries: 2 },
  source: "DL/T 645-2007 §4 (11-bit bytes with even parity, 6-byte BCD address, AA wildcard); RS-485 default 2400 baud per the project reference §4.1; Td ≤ 500 ms as the standard is widely quoted",
});
