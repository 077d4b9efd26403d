/**
 * Analog turbidity probe (DFRobot SEN0189 class) as manifests see it: an ADC input, optionally with a power pin
 * that switches the probe's supply, and the voltage → NTU curve as options (a probe's own fit can replace the
 * manufacturer's). Defaults come from curve.ts, where the driver takes them too.
 */
import { s } from "../../manifests/schema/builder.js";
import { definePart } from "../../manifests/schema/part.js";
import { TURBIDITY_DEFAULTS, TURBIDITY_MAX_MA } from "./curve.js";

const d = TURBIDITY_DEFAULTS;

export const part = definePart({
  name: "turbidity",
  title: "Analog IR turbidity probe (DFRobot SEN0189 class)",
  connection: { kind: "analog" },
  options: s.object(
    {
      curveC2: s.optional(s.number({ description: "NTU = curveC2·V² + curveC1·V + curveC0, V the sensor output at 5 V supply: V² coefficient.", default: d.curveC2 })),
      curveC1: s.optional(s.number({ description: "The curve's V coefficient.", default: d.curveC1 })),
      curveC0: s.optional(s.number({ description: "The curve's constant term.", default: d.curveC0 })),
      minVolts: s.optional(s.number({ description: "Lowest sensor voltage the curve holds for, V.", minimum: 0, maximum: 5, default: d.minVolts })),
      maxVolts: s.optional(s.number({ description: "Highest sensor voltage the curve holds for, V.", minimum: 0, maximum: 5, default: d.maxVolts })),
      maxNtu: s.optional(s.number({ description: "Turbidity reported below the curve's span, NTU.", exclusiveMinimum: 0, default: d.maxNtu })),
      dividerRatio: s.optional(
        s.number({ description: "V at the ADC pin per V at the sensor (a divider fits the 0–4.5 V output to the ADC).", exclusiveMinimum: 0, maximum: 1, default: d.dividerRatio }),
      ),
      noSignalVolts: s.optional(s.number({ description: "Below this sensor voltage: no signal (unplugged), an error, V.", minimum: 0, default: d.noSignalVolts })),
      warmupMs: s.optional(s.number({ description: "Wait after switching the probe on before reading, ms.", minimum: 0, default: d.warmupMs })),
      samples: s.optional(s.integer({ description: "ADC readings averaged per measurement.", minimum: 1, maximum: 64, default: d.samples })),
    },
    { description: "Turbidity probe options (driver `configure`)." },
  ),
  source: "DFRobot wiki SKU SEN0189: curve NTU = −1120.4V² + 5742.3V − 4352.9 for 2.5–4.2 V, 3000 NTU below; 5 V, 40 mA max, < 500 ms, 0–4.5 V",
  // Always powered, the probe draws its operating current whatever the water; 40 mA is the published maximum.
  analogDrawMilliamps: () => TURBIDITY_MAX_MA,
});
