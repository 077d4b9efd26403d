/**
 * Tipping-bucket rain gauge (Argent 80422 kit: 0.011 in = 0.2794 mm per tip): each tip closes a reed switch to
 * ground, counted by edge interrupts on a Digital input with pull-up.
 */
import { s } from "../../manifests/schema/builder.js";
import { definePart } from "../../manifests/schema/part.js";

export const part = definePart({
  name: "tipping-bucket",
  title: "Tipping-bucket rain gauge with reed switch",
  connection: { kind: "digital-edge", pull: "up", edge: "falling" },
  options: s.object(
    {
      mmPerTip: s.optional(
        s.number({ description: "Rain per bucket tip, mm (Argent 80422: 0.2794; many Chinese gauges: 0.1 or 0.2).", exclusiveMinimum: 0, default: 0.2794 }),
      ),
      debounceMs: s.optional(
        s.number({ description: "Edges this soon after a counted tip are contact bounce, ms (engineering default, not a datasheet figure).", minimum: 0, default: 20 }),
      ),
      dryAfterMs: s.optional(
        s.integer({ description: "No tip for this long means it is not raining; the rain rate drops to 0, ms.", minimum: 1, default: 900_000 }),
      ),
    },
    { description: "Tipping-bucket options." },
  ),
  source: "Argent Data Systems 80422 datasheet / SparkFun SEN-15901 README: 0.011 in (0.2794 mm) per tip",
});
