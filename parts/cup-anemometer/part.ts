/**
 * Reed-switch cup anemometer (Argent 80422 / SparkFun SEN-15901): a switch closure to ground per pulse, so the
 * input needs a pull-up and counts falling edges. Best on a hardware pulse counter; where the board has none left
 * it falls back to edge interrupts on a Digital input.
 */
import { s } from "../../manifests/schema/builder.js";
import { definePart } from "../../manifests/schema/part.js";

export const part = definePart({
  name: "cup-anemometer",
  title: "Cup anemometer with reed switch (pulse output)",
  connection: { kind: "pulse-count", pull: "up", edge: "falling", fallback: "digital-edge" },
  options: s.object(
    {
      kmhPerHz: s.optional(
        s.number({
          description: "Wind speed in km/h per Hz of switch closures (Argent 80422: 2.4, i.e. one closure per second = 2.4 km/h).",
          exclusiveMinimum: 0,
          default: 2.4,
        }),
      ),
    },
    { description: "Cup anemometer options." },
  ),
  source: "Argent Data Systems 80422 datasheet / SparkFun SEN-15901 README: 1 closure per second = 1.492 mph = 2.4 km/h",
});
