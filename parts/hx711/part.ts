/**
 * Avia HX711 with a strain-gauge bridge on channel A, as manifests see it: its DOUT pin, whose falling edge says a
 * conversion is ready (push-pull, driven by the chip: no pull), and its named pin PD_SCK (an output), which a device
 * wires in `parts.<role>.pins.pd_sck`. Defaults are HX711_DEFAULTS (config.ts).
 */
import { s } from "../../manifests/schema/builder.js";
import { definePart } from "../../manifests/schema/part.js";
import { BRIDGE_TYPES, type BridgeType } from "../strain-bridge/bridge.js";
import { HX711_DEFAULTS } from "./config.js";
import { HX711_INPUTS, RATES } from "./protocol.js";

const d = HX711_DEFAULTS;

export const part = definePart({
  name: "hx711",
  title: "Avia HX711 24-bit bridge ADC with a strain-gauge bridge",
  connection: { kind: "digital-edge", pull: "none", edge: "falling" },
  pins: { pd_sck: { direction: "output", description: "PD_SCK: clocks the conversion out; held high for 60 µs it powers the chip down" } },
  options: s.object(
    {
      input: s.optional(s.enumOf([...HX711_INPUTS], { description: "Channel and gain: A128 (±0.5·AVDD/128), A64, or B32.", default: d.input })),
      rate: s.optional(s.enumOf([...RATES], { description: "Output rate the RATE pin is strapped for, SPS: 10 (low) or 80 (high).", default: d.rate })),
      gaugeFactor: s.optional(s.number({ description: "Gauge factor of the strain gauges (foil gauges: about 2.0–2.1).", exclusiveMinimum: 0.5, maximum: 10, default: d.gaugeFactor })),
      bridge: s.optional(
        s.enumOf([...BRIDGE_TYPES] as BridgeType[], { description: "Bridge: full (4 active gauges, bending), half (2 active, bending) or quarter (1 active).", default: d.bridge }),
      ),
      excitationVolts: s.optional(s.number({ description: "AVDD, which excites the bridge, V.", minimum: 2.6, maximum: 5.5, default: d.excitationVolts })),
      bridgeOhms: s.optional(s.number({ description: "Resistance of one bridge arm, Ω (what the bridge draws from AVDD).", exclusiveMinimum: 0, default: d.bridgeOhms })),
    },
    { description: "HX711 options (how the chip and its bridge are fitted)." },
  ),
  // Always converting: the RATE pin, not the firmware, sets how often DOUT falls.
  pacing: (o) => ({ option: "rate", rate: o.rate }),
  source:
    "Avia Semiconductor HX711 datasheet: serial interface and Table 3 (25/26/27 pulses), Fig. 2 timing (PD_SCK high 0.2–50 µs), Fig. 3 power-down (> 60 µs), 10/80 SPS RATE pin, ±0.5·AVDD/gain; bridge theory: NI-DAQmx full/half/quarter-bridge help",
});
