/**
 * The facts of the instrumented girder the firmware needs besides its parts: the gauges' thermal-output
 * coefficient and balancing temperature (calibrated on the structure, TN-504), the rainflow classes of the dynamic
 * strain, the detail category of the welded flange (EN 1993-1-9), and the alarm thresholds (the structure's design
 * values, graded as JT/T 1037-2022 grades its warnings). One frozen table per installation; this one is the 30 m
 * steel–concrete girder span the "bridge" world simulates (simulator/core/environment/bridge.ts: 2.5 µε/°C from
 * 20 °C; 49 t trucks strain the flange about 80 µε, overloaded ones 120 µε and more after the damage).
 *
 * The device manifest has no block for a device's own settings yet, so a second installation would be a second
 * table here; the thresholds are what a downlink setting would move first.
 */
import type { StrainChannelConfig } from "./channel.js";

export const GIRDER_INSTALLATION: Readonly<Omit<StrainChannelConfig, "sampleHz">> = Object.freeze({
  thermal: Object.freeze({ microstrainPerC: 2.5, referenceC: 20 }),
  quasiStatic: Object.freeze({ periodS: 60, keep: 60 }),
  // Dynamic strain from −64 to +256 µε in 2 µε classes; reversals under 4 µε (noise) are not cycles.
  rainflow: Object.freeze({ classes: 160, classWidth: 2, offset: -64, gate: 2 }),
  // A cover-plate end on the bottom flange: EN 1993-1-9's lowest category (cut-off 14.6 MPa, 70 µε in steel).
  fatigue: Object.freeze({ detailCategory: 36, youngsModulusGPa: 210 }),
  // Tension at the bottom flange, µε: level 1 (yellow) at 150, where the heaviest legal trucks on the dead-load
  // strain already come close, and level 2 (red) at 200, which only an overloaded truck or a weakened girder
  // reaches; each clears 15 µε lower and is held 10 s, so a train of trucks gives one alarm.
  alarm: Object.freeze({
    levels: Object.freeze([Object.freeze({ raise: 150, clear: 135 }), Object.freeze({ raise: 200, clear: 185 })]),
    holdMs: 10_000,
    on: "tension" as const,
  }),
  capture: Object.freeze({ beforeS: 2, afterS: 5, slots: 2 }),
});
