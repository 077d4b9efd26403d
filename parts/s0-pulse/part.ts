/**
 * An S0 pulse input (DIN 43864, IEC 62053-31) as manifests see it: the meter's passive opto-transistor output on
 * a digital input with pull-up, counted at both edges (the driver accepts a pulse by its width).
 */
import { s } from "../../manifests/schema/builder.js";
import { definePart } from "../../manifests/schema/part.js";
import { S0_DEFAULTS } from "./driver.js";

export const part = definePart({
  name: "s0-pulse",
  title: "S0 pulse output of an electricity meter (DIN 43864 / IEC 62053-31)",
  connection: { kind: "digital-edge", pull: "up", edge: "both" },
  options: s.object(
    {
      impulsesPerKwh: s.optional(s.number({ description: "The meter constant, imp/kWh (1000 is common; Chinese LED constants are often 1600 or 3200).", exclusiveMinimum: 0, default: 1000 })),
      pulseMs: s.optional(s.number({ description: "How long the meter's output conducts per pulse, ms (at least 30; some meters are set to 80, 100 or 250).", minimum: 30, default: 30 })),
      minPulseMs: s.optional(s.number({ description: "Shorter active runs are noise, not pulses, ms (below the standard's 30 ms).", minimum: 1, default: S0_DEFAULTS.minPulseMs })),
      debounceMs: s.optional(s.number({ description: "Gaps this short inside a pulse are contact bounce, ms.", minimum: 0, default: S0_DEFAULTS.debounceMs })),
    },
    { description: "S0 input options." },
  ),
  source: "DIN 43864 / IEC 62053-31 as the project reference §4.1 gives them: pulse ON ≥ 30 ms, OFF ≥ the pulse length, 10–27 mA passive opto output; Kamstrup 162M: 1000 imp/kWh",
});
