/**
 * The parking detector over a simulated month of the street world: the algorithm against the world, without a device
 * or a radio. Printed by `npm run bench` and asserted by test/devices/parking-month.test.ts.
 *
 * The detector (devices/parking/detector.ts) is driven directly by the street world's field at the sensor
 * (simulator/core/environment/street.ts), with the QMC5883L's noise (2 mG = 0.2 µT RMS per axis at OSR 512, the part
 * model's figure) and its ±8 G quantisation (3000 LSB/G) added, sampled when the detector asks (1 s while something
 * changes, 4 s otherwise).
 *
 * A change is detected correctly when the detector reports the same change (arrival or departure) between the
 * moment the car starts to move and a minute after it stands still or is clear of the bay; each report matches one
 * change at most. Reported: changes detected / changes in the world, false reports, cars never seen (a weak
 * signature, below the high threshold: two changes missed each), the longest the reported state disagreed with the
 * world outside manoeuvres and outside those cars' stays (a stuck state), and the detection delay.
 *
 * `sleeps`: the detector is saved before every sample and a new one restored from those bytes takes it, as on a node
 * that deep-sleeps between samples (devices/parking/sensor.ts); the reports must be the same as without.
 */
import { BayState, DETECTOR_STATE_BYTES, ParkingDetector } from "../../devices/parking/detector.js";
import { createStreet, type BayLayout } from "../../simulator/core/environment/street.js";
import { Rng } from "../../simulator/core/rng.js";

const S = 1_000_000;
const DAY = 86_400 * S;
/** QMC5883L at ±8 G: 3000 LSB/G, 100 µT/G. */
const LSB_UT = 100 / 3000;
const NOISE_UT = 0.2;

export interface MonthResult {
  changes: number;
  detected: number;
  falseReports: number;
  /** Stays whose arrival was never reported, with the car's class and its deviation when parked, µT. */
  unseen: string[];
  longestDisagreementS: number;
  medianDelayS: number;
  samples: number;
  /** Every change the detector reported: state, reason, time (ms) and deviation (µT). */
  reports: string[];
}

export function runMonth(seed: number, layout: BayLayout, days = 30, sleeps = false): MonthResult {
  const world = createStreet({ seed, layout });
  const rng = new Rng(`noise/${seed}/${layout}`);
  const reports: { occupied: boolean; at: number }[] = [];
  const log: string[] = [];
  const options = {
    onChange: (state: number, reason: number, atMs: number, dev: number) => {
      reports.push({ occupied: state === BayState.OCCUPIED, at: atMs * 1000 });
      log.push(`${state} ${reason} ${atMs} ${dev}`);
    },
  };
  let det = new ParkingDetector(options);
  const kept = new Uint8Array(DETECTOR_STATE_BYTES);
  // Installed with the bay empty (the installer calibrates on an empty bay).
  let t = 0;
  while (world.occupied(t) || world.sessions(t, t + 120 * S).length > 0) t += 60 * S;
  const start = t;
  const end = start + days * DAY;
  const f = { x: 0, y: 0, z: 0 };
  const q = (v: number) => Math.round((v + rng.normal(0, NOISE_UT)) / LSB_UT) * LSB_UT;
  let samples = 0;
  // Spans where the reported state disagreed with the truth, outside manoeuvres.
  const spans: [number, number][] = [];
  let disagreeSince = NaN;
  while (t < end) {
    world.fieldInto(t, f);
    if (sleeps && samples > 0) {
      det.save(kept, 0);
      det = new ParkingDetector(options);
      det.restore(kept, 0, t / 1000);
    }
    const next = det.sample(q(f.x), q(f.y), q(f.z), t / 1000);
    samples++;
    const truth = world.occupied(t);
    const moving = world.sessions(t - 60 * S, t + 1).some((s) => (t >= s.arriveStart && t < s.parked + 60 * S) || (t >= s.leaveStart && t < s.gone + 60 * S));
    if (!moving && truth !== det.occupied) {
      if (disagreeSince !== disagreeSince) disagreeSince = t;
    } else if (disagreeSince === disagreeSince) {
      spans.push([disagreeSince, t]);
      disagreeSince = NaN;
    }
    t += next * 1000;
  }
  // Match reported changes to the world's.
  const sessions = world.sessions(start, end).filter((s) => s.arriveStart >= start);
  const truth: { occupied: boolean; from: number; to: number }[] = [];
  for (const s of sessions) {
    truth.push({ occupied: true, from: s.arriveStart, to: s.parked + 60 * S });
    if (s.gone + 60 * S < end) truth.push({ occupied: false, from: s.leaveStart, to: s.gone + 60 * S });
  }
  const used = new Array(reports.length).fill(false);
  let detected = 0;
  const delays: number[] = [];
  const unseenSpans: [number, number][] = [];
  const unseen: string[] = [];
  for (const c of truth) {
    const i = reports.findIndex((r, k) => !used[k] && r.occupied === c.occupied && r.at >= c.from && r.at <= c.to);
    if (i >= 0) {
      used[i] = true;
      detected++;
      delays.push((reports[i]!.at - c.from) / S);
    }
  }
  for (const s of sessions) {
    const seen = truth.some((c) => c.occupied && c.from === s.arriveStart && reports.some((r) => r.occupied && r.at >= c.from && r.at <= c.to));
    if (seen) continue;
    unseenSpans.push([s.arriveStart, s.gone + 60 * S]);
    world.trueFieldInto((s.parked + s.leaveStart) / 2, f);
    const dev = Math.hypot(f.x - world.earth.x, f.y - world.earth.y, f.z - world.earth.z);
    unseen.push(`${s.vehicleClass} ${dev.toFixed(1)} µT`);
  }
  // The longest disagreement outside the stays of cars never seen.
  let longest = 0;
  for (const [a, b] of spans) {
    let from = a;
    for (const [u0, u1] of unseenSpans) {
      if (u1 <= from || u0 >= b) continue;
      longest = Math.max(longest, Math.max(0, u0 - from));
      from = Math.max(from, u1);
    }
    longest = Math.max(longest, Math.max(0, b - from));
  }
  delays.sort((a, b) => a - b);
  return {
    changes: truth.length,
    detected,
    falseReports: used.filter((u) => !u).length,
    unseen,
    longestDisagreementS: longest / S,
    medianDelayS: delays[delays.length >> 1] ?? NaN,
    samples,
    reports: log,
  };
}


/** Seeds the month runs over (the test asserts each; the bench prints each). */
export const MONTH_SEEDS: readonly number[] = Object.freeze([2026, 1, 7]);

export function monthLine(layout: string, seed: number, r: MonthResult): string {
  return (
    `parking month (${layout} bays, seed ${seed}): ${r.detected}/${r.changes} changes detected (${((100 * r.detected) / r.changes).toFixed(2)} %), ` +
    `${r.falseReports} false reports, cars never seen ${r.unseen.length}${r.unseen.length ? ` (${r.unseen.join(", ")})` : ""}, ` +
    `longest disagreement otherwise ${r.longestDisagreementS.toFixed(0)} s, median delay ${r.medianDelayS.toFixed(1)} s, ${r.samples} samples`
  );
}
