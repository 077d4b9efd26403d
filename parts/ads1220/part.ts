/**
 * TI ADS1220 with a strain-gauge bridge as manifests see it: on an SPI bus (mode 1, SCLK period ≥ 150 ns) with its
 * own CS and DRDY pins, and the facts of the bridge and its wiring. Defaults are ADS1220_DEFAULTS (config.ts).
 */
import { s } from "../../manifests/schema/builder.js";
import { definePart } from "../../manifests/schema/part.js";
import { BRIDGE_TYPES, type BridgeType } from "../strain-bridge/bridge.js";
import { ADS1220_DEFAULTS } from "./config.js";
import { DATA_RATES, DIFFERENTIAL_INPUTS, GAINS, MAX_SCLK_HZ, MODES, REJECTIONS } from "./registers.js";

const d = ADS1220_DEFAULTS;
const allRates = [...new Set([...DATA_RATES.normal, ...DATA_RATES["duty-cycle"], ...DATA_RATES.turbo])].sort((a, b) => a - b);

export const part = definePart({
  name: "ads1220",
  title: "TI ADS1220 24-bit ΔΣ ADC with a strain-gauge bridge",
  connection: { kind: "spi", maxHz: MAX_SCLK_HZ, mode: 1, select: "cs" },
  pins: {
    cs: { direction: "output", description: "CS: SPI chip select, active low" },
    drdy: { direction: "input", description: "DRDY: falls when a conversion is ready" },
  },
  options: s.object(
    {
      inputs: s.optional(s.enumOf([...DIFFERENTIAL_INPUTS], { description: "Multiplexer pair (AINP-AINN) the bridge output is wired to.", default: d.inputs })),
      gain: s.optional(s.enumOf([...GAINS], { description: "PGA gain: full scale ±VREF/gain.", default: d.gain })),
      mode: s.optional(s.enumOf([...MODES], { description: "Operating mode: normal (20–1000 SPS), duty-cycle (5–250), turbo (40–2000).", default: d.mode })),
      dataRate: s.optional(s.enumOf(allRates, { description: "Nominal data rate, SPS; must be one of the mode's rates.", default: d.dataRate })),
      conversion: s.optional(
        s.enumOf(["continuous", "single-shot"], { description: "Continuous: the chip paces the samples by DRDY; single-shot: each sample is started by the firmware.", default: d.conversion }),
      ),
      reference: s.optional(
        s.enumOf(["refp0", "avdd", "internal"], {
          description: "Reference: the excitation on REFP0/REFN0 or AVDD (ratiometric), or the internal 2.048 V.",
          default: d.reference,
        }),
      ),
      rejection: s.optional(s.enumOf([...REJECTIONS], { description: "FIR 50/60 Hz rejection (only at 20 SPS normal or 5 SPS duty-cycle).", default: d.rejection })),
      lowSideSwitch: s.optional(s.boolean({ description: "Gate the bridge with the low-side switch (AIN3/REFN1 to AVSS) while converting.", default: d.lowSideSwitch })),
      gaugeFactor: s.optional(s.number({ description: "Gauge factor of the strain gauges (foil gauges: about 2.0–2.1).", exclusiveMinimum: 0.5, maximum: 10, default: d.gaugeFactor })),
      bridge: s.optional(
        s.enumOf([...BRIDGE_TYPES] as BridgeType[], { description: "Bridge: full (4 active gauges, bending), half (2 active, bending) or quarter (1 active).", default: d.bridge }),
      ),
      excitationVolts: s.optional(s.number({ description: "Bridge excitation, V.", exclusiveMinimum: 0.5, maximum: 5.5, default: d.excitationVolts })),
      bridgeOhms: s.optional(s.number({ description: "Resistance of one bridge arm, Ω (120 or 350 for foil gauges).", exclusiveMinimum: 0, default: d.bridgeOhms })),
      temperatureS: s.optional(s.number({ description: "A die-temperature conversion this often, s (0: never).", minimum: 0, maximum: 86_400, default: d.temperatureS })),
      openCheckS: s.optional(s.number({ description: "A burn-out (open bridge) check conversion this often, s (0: never).", minimum: 0, maximum: 86_400, default: d.openCheckS })),
    },
    { description: "ADS1220 options (how the chip and its bridge are fitted and run)." },
  ),
  pacing: (o) => (o.conversion === "continuous" ? { option: "dataRate", rate: o.dataRate } : undefined),
  source:
    "TI SBAS501 (ADS1220) §8.3.2, front page; TI SBAS683 (ADS1120-Q1, same interface): SPI mode 1, SCLK period ≥ 150 ns, commands Table 10, registers 0/2, DRDY §8.5.1.3; bridge theory: NI-DAQmx full/half/quarter-bridge help",
});
