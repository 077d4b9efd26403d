/**
 * Resistor-ladder wind vane (Argent 80422): 16 directions as 16 resistances, read on an ADC through a divider
 * with a fixed pull-up, V = Vs·R/(R + Rpullup). The ADC's resolution and full scale come from the board.
 */
import { s } from "../../manifests/schema/builder.js";
import { definePart } from "../../manifests/schema/part.js";

export const part = definePart({
  name: "wind-vane",
  title: "Resistor-ladder wind vane (analog)",
  connection: { kind: "analog" },
  options: s.object(
    {
      pullupOhms: s.optional(s.number({ description: "Fixed divider resistor from the supply to the ADC pin, Ω (SparkFun kit: 10 kΩ).", exclusiveMinimum: 0, default: 10_000 })),
      supplyVolts: s.optional(s.number({ description: "Divider supply voltage, V.", exclusiveMinimum: 0, maximum: 5.5, default: 3.3 })),
      northOffset: s.optional(
        s.number({ description: "Degrees added to every reading when the vane is mounted rotated (alignment to true north).", minimum: 0, exclusiveMaximum: 360, default: 0 }),
      ),
    },
    { description: "Wind vane options." },
  ),
  source: "Argent Data Systems 80422 datasheet (resistance per direction, 10 kΩ divider in the application example)",
  // The divider is powered all the time: the pull-up carries (Vs − V)/Rpullup whatever direction the vane points.
  analogDrawMilliamps: (o, volts) => ((o.supplyVolts - volts) / o.pullupOhms) * 1000,
});
