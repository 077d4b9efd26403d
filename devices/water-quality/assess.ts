/**
 * What the buoy concludes from each round of readings, on the device: dissolved oxygen as % saturation at the
 * lake's air pressure, the GB 3838-2002 class of each item and the worst, the bloom-risk flag, the probes' fault
 * bits, and whether a warning holds — which the adaptive sampling turns into the 2-minute rate.
 *
 * A warning is the bloom flag, or oxygen worse than class IV (below 3 mg/L, GB 3838-2002: the water no longer
 * keeps fish; an oxygen crash under a decaying bloom is the event Dianchi's monitoring watches for). The changes a
 * city platform must hear at once (bloom raised or cleared, the fast rate on or off, a probe's fault bits changing)
 * come back as `changed`, for the device to send as an event.
 */
import { BloomRisk, BLOOM_DEFAULTS } from "./bloom.js";
import { classifyReadings, CLASS_IV, type WaterClass } from "./gb3838.js";
import { FAULT_NONE, PROBE_CHANNELS, ProbeFaultDetector } from "./probe-faults.js";
import { AdaptiveSampling, type SamplingRule } from "./sampling.js";
import { DIANCHI_ALTITUDE_M, lakePressureKpa, oxygenPercent, salinityOfConductance } from "./saturation.js";
import type { WaterReading } from "./probes.js";

/** Bits of `changed`. */
export const CHANGED_BLOOM = 1;
export const CHANGED_RATE = 2;
export const CHANGED_FAULTS = 4;

/** Fault bits of each channel, packed: channel i's three bits (range, stuck, drift) at 3·i (order of CHANNEL_ORDER). */
export const CHANNEL_ORDER = Object.freeze(["temperature", "pH", "oxygen", "conductivity", "orp", "turbidity"] as const);

export class WaterAssessment {
  readonly sampling: AdaptiveSampling;
  readonly bloom = new BloomRisk(BLOOM_DEFAULTS);
  readonly #faults: readonly ProbeFaultDetector[];
  readonly #altitudeM: number;
  readonly classes: WaterClass = { oxygen: 0, pH: 0, worst: 0 };
  /** % saturation of the latest round (NaN when oxygen or temperature failed). */
  saturation = NaN;
  /** Packed fault bits after the latest round. */
  faults = FAULT_NONE;
  warning = false;
  rounds = 0;

  constructor(rule: Readonly<SamplingRule>, altitudeM = DIANCHI_ALTITUDE_M) {
    this.sampling = new AdaptiveSampling(rule);
    this.#altitudeM = altitudeM;
    this.#faults = Object.freeze(CHANNEL_ORDER.map((c) => new ProbeFaultDetector(PROBE_CHANNELS[c])));
  }

  /** Take one round at monotonic `nowMs`; returns the CHANGED_ bits. */
  add(r: WaterReading, nowMs: number): number {
    this.rounds++;
    let changed = 0;
    // No barometer on the buoy: the standard atmosphere at the lake's altitude (about 81 kPa at Dianchi).
    const kpa = lakePressureKpa(NaN, this.#altitudeM);
    this.saturation = oxygenPercent(r.oxygen, r.temperature, salinityOfConductance(r.conductivity), kpa);
    classifyReadings(r.oxygen, this.saturation, r.pH, this.classes);

    const raised = this.bloom.raised;
    this.bloom.add(r.unixMs, this.saturation, r.pH, r.turbidity);
    if (this.bloom.raised !== raised) changed |= CHANGED_BLOOM;

    const values = [r.temperature, r.pH, r.oxygen, r.conductivity, r.orp, r.turbidity];
    let faults = 0;
    for (let i = 0; i < this.#faults.length; i++) faults |= this.#faults[i]!.add(r.unixMs, values[i]!) << (3 * i);
    if (faults !== this.faults) changed |= CHANGED_FAULTS;
    this.faults = faults;

    this.warning = this.bloom.raised || this.classes.oxygen > CLASS_IV;
    if (this.sampling.update(nowMs, this.warning)) changed |= CHANGED_RATE;
    return changed;
  }
}
