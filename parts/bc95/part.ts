/**
 * Quectel BC95-G NB-IoT module as manifests see it: on a UART (9600 baud 8N1 by default) with an optional RESET
 * line, and the network behaviour the driver asks for. Options mirror the driver's (parts/bc95/driver.ts).
 */
import { s } from "../../manifests/schema/builder.js";
import { definePart } from "../../manifests/schema/part.js";

export const part = definePart({
  name: "bc95",
  title: "Quectel BC95-G NB-IoT module (AT commands over UART)",
  connection: { kind: "uart", baud: 9600 },
  pins: { reset: { direction: "output", optional: true, description: "RESET: held low to reset the module (BC95-G Hardware Design)" } },
  options: s.object(
    {
      psm: s.optional(s.boolean({ description: "Request PSM (AT+CPSMS=1) with the timers below; false disables it.", default: true })),
      periodicTauS: s.optional(
        s.integer({ description: "Requested periodic TAU, T3412, s (GPRS Timer 3: must be exact in one of its units, e.g. 86400).", minimum: 2, maximum: 35_712_000, default: 86_400 }),
      ),
      activeTimeS: s.optional(s.integer({ description: "Requested active time before PSM, T3324, s (GPRS Timer 2, e.g. 60).", minimum: 0, maximum: 11_160, default: 60 })),
      edrxS: s.optional(
        s.enumOf([0, 20.48, 40.96, 81.92, 163.84, 327.68, 655.36, 1310.72, 2621.44, 5242.88, 10485.76], {
          description: "Requested NB-S1 eDRX cycle, s (AT+CEDRXS); 0 for none.",
          default: 0,
        }),
      ),
      attachTimeoutS: s.optional(s.integer({ description: "How long registration may take before the driver reports it and starts over, s.", minimum: 10, maximum: 3600, default: 180 })),
      localPort: s.optional(s.integer({ description: "Local UDP port of the socket (0: the module picks).", minimum: 0, maximum: 65535, default: 0 })),
    },
    { description: "BC95-G options (driver configuration)." },
  ),
  defaults: { psm: true, periodicTauS: 86_400, activeTimeS: 60, edrxS: 0, attachTimeoutS: 180, localPort: 0 },
  source:
    "Quectel BC95-G&BC68 AT Commands Manual V1.5 (UART 9600 baud default, AT+CPSMS/AT+CEDRXS/AT+NSOCR), BC95-G Hardware Design (RESET active low); 3GPP TS 24.008 §10.5.7 timers",
});
