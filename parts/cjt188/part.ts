/**
 * A CJ/T 188-2004 water meter as manifests see it: on a UART through an RS-485 transceiver (or an M-Bus adapter)
 * whose driver enable is the part's `de` pin; 2400 baud 8E1 by default; the meter's address, type and the
 * master's timing as options.
 */
import { definePart } from "../../manifests/schema/part.js";
import { s } from "../../manifests/schema/builder.js";
import { meterBusOptions } from "../dlt645/part.js";
import { CJT188_DEFAULT_BAUD, CJT188_REPLY_TIMEOUT_MS } from "./driver.js";

export const part = definePart({
  name: "cjt188",
  title: "CJ/T 188-2004 water meter on RS-485",
  connection: { kind: "uart", baud: CJT188_DEFAULT_BAUD, multidrop: true },
  pins: { de: { direction: "output", optional: true, description: "DE: the RS-485 transceiver's driver enable, shared by every meter on the port" } },
  options: s.object(
    {
      ...meterBusOptions({ addressDigits: 14, baud: CJT188_DEFAULT_BAUD, replyTimeoutMs: CJT188_REPLY_TIMEOUT_MS }),
      meterType: s.optional(s.integer({ description: "Meter type T: 16 (0x10) cold water, 17 hot water, 18 drinking water, 19 reclaimed water, 48 gas.", minimum: 0, maximum: 255, default: 0x10 })),
    },
    { description: "CJ/T 188 meter options." },
  ),
  defaults: { address: "AAAAAAAAAAAAAA", baud: CJT188_DEFAULT_BAUD, parity: "even", replyTimeoutMs: CJT188_REPLY_TIMEOUT_MS, retries: 2, meterType: 0x10 },
  source: "CJ/T 188-2004 frame (68 T A0…A6 C L DATA CS 16, 7-byte BCD address, T 0x10 cold water) per the project reference §4.1 and a published worked example; 2400 baud 8E1 as a vendor's meter manual gives it",
});
