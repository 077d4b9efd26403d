/**
 * Occupancy of one parking bay from a magnetometer flush in its middle: a hysteresis state machine on the magnitude
 * of the deviation from the empty bay's field (3 axes, µT), over the adaptive baseline (./baseline.ts, ATDA), and on
 * the one thing only a car in this bay does: drive over the sensor.
 *
 * Why the second: in perpendicular bays a car in the next bay (2.5 m away) moves the field by up to about 3 µT, as
 * much as the weakest cars in their own bay (2 µT: a car's permanent magnetisation can all but cancel its induced
 * one at the sensor — the "critical point" of Daubaras, Markevicius, Navikas and Zilys, "Analysis of Magnetic Field
 * Disturbance Curve for Vehicle Presence Detection", Elektronika ir Elektrotechnika, KTU; adjacent-bay interference
 * is the named ambiguity of Sensors 2019, 19(10):2348, reference notes §5), so no threshold on the settled field
 * tells the two apart. But a car entering or leaving this bay passes its steel within half a metre of the sensor and
 * strays the field by tens to hundreds of µT on the way, while one entering the next bay passes 1.5 m away or more
 * and strays it by a few µT (at most about 10 µT in the street world's months).
 *
 * - Vacant → occupied: `arriveSamples` settled samples in a row (each within `settleUt` + 10 % of the deviation of
 *   the one before) either with |B − B₀| ≥ `highUt`, or — after the field strayed `overUt` from where it last stood
 *   (a car went over the sensor) — at least `nearUt` from both the empty field B₀ and where the field stood before
 *   (S: an average of the still samples over `standTauMs`, which follows a car next door within a minute or two,
 *   where B₀ takes hours). A car rolling over the sensor, one driving by or one turning into the next bay changes
 *   the field from sample to sample; a parked one does not. So the arrival is confirmed once the car has stopped,
 *   and never by a car that only passed: one that rolled over and went leaves the field where it stood.
 * - Occupied → vacant: `departSamples` samples in a row that look like the empty bay, either
 *   (1) |B − B₀| < `lowUt` and nearer B₀ than to where the parked car held the field (P, tracked slowly while the
 *       car stands; a weak car's P lies within the low threshold of B₀), or
 *   (2) the field stands still below `highUt` from B₀, either at least `highUt` from P and nearer B₀ than P by half,
 *       or — after it strayed `overUt` from P (only our car can drive over our sensor while it stands on it) — at
 *       least `nearUt` from P: the car left, but what surrounds the bay changed while it stood there (a car
 *       arrived or left next door). Then the empty bay's field is learnt again from the current reading.
 * - Stuck states are resolved, never held for ever: vacant but the baseline unable to move for `pendingTimeoutMs`
 *   (the deviation flickering about the high threshold) → the empty field is learnt again; a stray that settles with
 *   no arrival → the field stands there now; occupied for longer than `maxOccupiedMs` with the field standing still →
 *   taken for a changed empty bay (reason TIMEOUT). The last costs a car parked longer than that its last report; the
 *   default (72 h) is longer than on-street stays.
 * - `recalibrate` (a downlink): the bay is empty now; learn its field from the last reading.
 *
 * Thresholds and counts default to what the street world (simulator/core/environment/street.ts) needs for ≥ 99 %
 * of changes at 1 s sampling in both bay layouts (test/devices/parking-month.test.ts, `npm run bench`): parked cars
 * there give 2 µT and more (5 µT and more but for about one in a hundred), a car in the next bay up to about 3 µT
 * in perpendicular bays, sensor drift over a night about 1 µT, sample-to-sample noise about 0.5 µT. What it still
 * misses: a weak car whose way in strays the field less than `overUt` (about one a month in perpendicular bays);
 * and such a car, unseen, is slowly taken into B₀, so that its departure can read as an arrival.
 *
 * `sample` returns the interval to the next sample: `fastMs` while something is changing, `slowMs` while the bay is
 * settled either way (deep sleep in between on the device). No allocation per sample.
 *
 * Kept across a deep sleep (`save`/`restore`, DETECTOR_STATE_BYTES): a node that sleeps between samples reboots at
 * every wake, so the state lives in retained words, and what is kept is what the detector holds, bit for bit — the
 * baseline, the parked car's field (occupied) or where the field stood (vacant) in single precision, the last
 * reading on a 1/32 µT grid (±1,024 µT; the QMC5883L's step at ±8 G is 1/30 µT), counts and flags, and times as
 * ages from the last sample — so a detector restored before every sample decides exactly as one that never slept
 * (test/devices/parking-retained.test.ts). Two counters are kept shorter than in RAM: `arrivals` counts modulo
 * 65,536 (departures follow from it and the state), and `relearnt` counts since the last boot.
 */
import { exp } from "../../runtime/detmath.js";
import { getU16, getU32, putU16, putU32 } from "../../runtime/le.js";
import { AdaptiveBaseline, type BaselineOptions } from "./baseline.js";

/** Bytes `save` writes. */
export const DETECTOR_STATE_BYTES = 38;
/** The last reading is kept on this grid (per µT). */
const LAST_STEPS_PER_UT = 32;
const NEVER = 0xffffffff;
/** The baseline's quiet run is kept in 7 bits (the eighth says a car went over the sensor). */
const MAX_HOLD = 126;

export const BayState = Object.freeze({ VACANT: 0, OCCUPIED: 1 });

export const ChangeReason = Object.freeze({
  ARRIVAL: 1,
  /** Back to the empty bay's field. */
  DEPARTURE: 2,
  /** Departure to a changed empty field (rule 2): the baseline was learnt again. */
  DEPARTURE_RELEARNT: 3,
  /** Occupied for longer than maxOccupiedMs with nothing moving: taken for a changed empty bay. */
  TIMEOUT: 4,
  /** Calibrated by downlink while it was occupied. */
  RECALIBRATED: 5,
});

export interface DetectorOptions {
  /** Default 3.5 µT. */
  highUt?: number;
  /** Default 2.2 µT. */
  lowUt?: number;
  /** Default 4 (at most 8). */
  arriveSamples?: number;
  /** Default 5 (at most 8). */
  departSamples?: number;
  /**
   * A car drove over the sensor when the field strays this far (µT) from where it stood (vacant) or where the parked
   * car held it (occupied): default 12, above the 10 µT a car entering the next bay gave in the street world.
   */
  overUt?: number;
  /** Smallest settled change (µT) a car that drove over the sensor must leave for an arrival or departure (default 1.3). */
  nearUt?: number;
  /** Time constant of the field where it last stood still while vacant, ms (default 30 s). */
  standTauMs?: number;
  /**
   * Largest change between two samples of a field that stands still, µT (default 1, plus 10 % of the deviation):
   * the noise makes about 0.5 µT a step, the decaying stray of a car turning into the next bay 1.3 µT and more.
   */
  settleUt?: number;
  /** Default 1000 ms. */
  fastMs?: number;
  /** Default 4000 ms. */
  slowMs?: number;
  /** Time constant of the parked car's reference field, ms (default 10 min). */
  parkedTauMs?: number;
  /** Default 20 min. */
  pendingTimeoutMs?: number;
  /** Default 72 h. */
  maxOccupiedMs?: number;
  baseline?: BaselineOptions;
  /** A change of state: the new state, why, when (the sample's time, ms) and |B − B₀| then (µT). */
  onChange?: (state: number, reason: number, atMs: number, deviationUt: number) => void;
}

export class ParkingDetector {
  readonly highUt: number;
  readonly lowUt: number;
  readonly baseline: AdaptiveBaseline;
  state: number = BayState.VACANT;
  /** When the state last changed, ms (NaN before the first change, and after a restore). */
  sinceMs = NaN;
  /** |B − B₀| at the last sample, µT. */
  deviationUt = NaN;
  arrivals = 0;
  departures = 0;
  /** Times the empty field was learnt again without a report (a vacant bay's baseline stuck). */
  relearnt = 0;
  readonly #o: DetectorOptions;
  readonly #n: number;
  readonly #m: number;
  readonly #over: number;
  readonly #near: number;
  readonly #standTau: number;
  readonly #settle: number;
  readonly #fast: number;
  readonly #slow: number;
  readonly #pendingTimeout: number;
  readonly #maxOccupied: number;
  readonly #tau: number;
  /** The parked car's field (an exponential average per axis, single precision as it is kept). */
  readonly #parked = new Float32Array(3);
  /**
   * Vacant: where the field last stood still (an exponential average of still samples, frozen while a car is over
   * the sensor; single precision, as it is kept). It follows a car next door within a minute or two, where the
   * baseline takes hours.
   */
  readonly #stood = new Float32Array(3);
  readonly #e = new Float64Array(3);
  readonly #last = new Float64Array(3).fill(NaN);
  readonly #f32 = new Float32Array(1);
  readonly #f32Bytes = new Uint8Array(this.#f32.buffer);
  #lastMs = NaN;
  /** What the last sample returned. */
  #nextMs = NaN;
  /** Settled samples in a row toward a change of state (an arrival while vacant, a departure while occupied). */
  #confirm = 0;
  /** Settled samples in a row after a car went over without a change of state: back where the field stood. */
  #run = 0;
  /** A car went over the sensor (the field strayed `overUt` from where it stood) and the field has not settled since. */
  #wentOver = false;
  #baselineMovedMs = NaN;
  /** Occupied: the TIMEOUT rule may fire after this (occupied for maxOccupiedMs and the field still for an hour). */
  #timeoutAtMs = NaN;

  constructor(o: DetectorOptions = {}) {
    this.highUt = o.highUt ?? 3.5;
    this.lowUt = o.lowUt ?? 2.2;
    if (!(this.lowUt > 0 && this.highUt > this.lowUt)) throw new RangeError(`parking detector: need 0 < lowUt < highUt, got ${this.lowUt} and ${this.highUt}`);
    this.#over = o.overUt ?? 12;
    this.#near = o.nearUt ?? 1.3;
    if (!(this.#near > 0 && this.#over > this.highUt)) throw new RangeError(`parking detector: need 0 < nearUt and overUt > highUt, got ${this.#near} and ${this.#over}`);
    this.#standTau = o.standTauMs ?? 30_000;
    if (!(this.#standTau > 0)) throw new RangeError(`parking detector: standTauMs must be > 0, got ${o.standTauMs}`);
    this.#n = o.arriveSamples ?? 4;
    this.#m = o.departSamples ?? 5;
    for (const [k, v] of [["arriveSamples", this.#n], ["departSamples", this.#m]] as const) {
      if (!Number.isInteger(v) || v < 1 || v > 8) throw new RangeError(`parking detector: ${k} must be a whole number in 1…8, got ${v}`);
    }
    this.#settle = o.settleUt ?? 1;
    this.#fast = o.fastMs ?? 1000;
    this.#slow = o.slowMs ?? 4000;
    this.#pendingTimeout = o.pendingTimeoutMs ?? 1_200_000;
    this.#maxOccupied = o.maxOccupiedMs ?? 72 * 3_600_000;
    this.#tau = o.parkedTauMs ?? 600_000;
    if (!(this.#tau > 0)) throw new RangeError(`parking detector: parkedTauMs must be > 0, got ${o.parkedTauMs}`);
    this.baseline = new AdaptiveBaseline(o.baseline);
    if (this.baseline.holdSamples > MAX_HOLD) throw new RangeError(`parking detector: baseline holdSamples must be at most ${MAX_HOLD} (kept in 7 bits), got ${this.baseline.holdSamples}`);
    this.#o = o;
  }

  get occupied(): boolean {
    return this.state === BayState.OCCUPIED;
  }

  /** A reading (µT along the part's axes, monotonic ms). Returns ms until the next sample. */
  sample(x: number, y: number, z: number, nowMs: number): number {
    const next = this.#sample(x, y, z, nowMs);
    this.#nextMs = next;
    return next;
  }

  #sample(x: number, y: number, z: number, nowMs: number): number {
    const dt = this.#lastMs === this.#lastMs ? nowMs - this.#lastMs : this.#fast;
    this.#lastMs = nowMs;
    const last = this.#last;
    const step = last[0] === last[0] ? norm(x - last[0]!, y - last[1]!, z - last[2]!) : Infinity;
    last[0] = onGrid(x);
    last[1] = onGrid(y);
    last[2] = onGrid(z);
    const b = this.baseline;
    if (!b.valid) {
      b.update(x, y, z, dt, true);
      this.#stand(x, y, z);
      this.#baselineMovedMs = nowMs;
      this.deviationUt = 0;
      return this.#fast;
    }
    const e = b.into(this.#e);
    const dev = norm(x - e[0]!, y - e[1]!, z - e[2]!);
    this.deviationUt = dev;
    const still = step < this.#settle + 0.1 * dev;
    if (this.state === BayState.VACANT) return this.#vacant(x, y, z, dt, nowMs, dev, still);
    return this.#occupied(x, y, z, dt, nowMs, dev, still);
  }

  /** The bay is empty now (a downlink): learn its field from the last reading. */
  recalibrate(nowMs: number): void {
    const l = this.#last;
    if (!(l[0] === l[0])) return;
    this.baseline.reset(l[0]!, l[1]!, l[2]!);
    this.#stand(l[0]!, l[1]!, l[2]!);
    this.#baselineMovedMs = nowMs;
    this.#confirm = 0;
    this.#run = 0;
    this.#wentOver = false;
    if (this.state === BayState.OCCUPIED) this.#change(BayState.VACANT, ChangeReason.RECALIBRATED, nowMs, this.deviationUt);
  }

  #vacant(x: number, y: number, z: number, dt: number, now: number, dev: number, still: boolean): number {
    const r = this.#stood;
    const moved = norm(x - r[0]!, y - r[1]!, z - r[2]!);
    if (moved >= this.#over) this.#wentOver = true;
    const over = this.#wentOver;
    // A parked car: far from the empty field; or, having driven over the sensor, settled clear of both the empty
    // field and where the field stood before (which has followed any car next door).
    if (still && (dev >= this.highUt || (over && dev >= this.#near && moved >= this.#near))) {
      this.#confirm++;
      if (this.#confirm >= this.#n) {
        const p = this.#parked;
        p[0] = x;
        p[1] = y;
        p[2] = z;
        this.#confirm = 0;
        this.#run = 0;
        this.#wentOver = false;
        this.#timeoutAtMs = now + (this.#maxOccupied > 3_600_000 ? this.#maxOccupied : 3_600_000);
        this.#change(BayState.OCCUPIED, ChangeReason.ARRIVAL, now, dev);
        return this.#fast;
      }
    } else this.#confirm = 0;
    if (over) {
      // Settled with no car to show for it: one rolled over the sensor, or a car next door went by close.
      this.#run = still ? this.#run + 1 : 0;
      if (this.#run >= this.#n) {
        this.#run = 0;
        this.#wentOver = false;
        this.#stand(x, y, z);
      }
    } else if (still) {
      const a = dt > 0 ? 1 - exp(-dt / this.#standTau) : 0;
      r[0] = r[0]! + a * (x - r[0]!);
      r[1] = r[1]! + a * (y - r[1]!);
      r[2] = r[2]! + a * (z - r[2]!);
    }
    if (this.baseline.update(x, y, z, dt, dev < this.highUt && !this.#wentOver)) this.#baselineMovedMs = now;
    else if (now - this.#baselineMovedMs > this.#pendingTimeout && dev < this.highUt && !this.#wentOver) {
      // The deviation kept crossing the high threshold without a car settling: this is the empty bay now.
      this.baseline.reset(x, y, z);
      this.#baselineMovedMs = now;
      this.relearnt++;
    }
    return this.#confirm > 0 || this.#run > 0 || this.#wentOver || dev >= this.lowUt ? this.#fast : this.#slow;
  }

  #stand(x: number, y: number, z: number): void {
    const r = this.#stood;
    r[0] = x;
    r[1] = y;
    r[2] = z;
  }

  #occupied(x: number, y: number, z: number, dt: number, now: number, dev: number, still: boolean): number {
    const p = this.#parked;
    const dP = norm(x - p[0]!, y - p[1]!, z - p[2]!);
    if (dP >= this.#over) this.#wentOver = true;
    const over = this.#wentOver;
    // Back to the empty field: near it, and nearer it than to where the car held the field (a weak car's field lies
    // within the low threshold of the empty one).
    const backToEmpty = dev < this.lowUt && dev < dP;
    // Gone, but what surrounds the bay changed while it stood there: settled well away from the parked field, nearer
    // the empty one; or settled anywhere clear of it after a car drove over the sensor (only ours can, over ours).
    const elsewhere = still && dev < this.highUt && (over ? dP >= this.#near : dP >= this.highUt && dev <= 0.5 * dP);
    if (backToEmpty || elsewhere) {
      this.#confirm++;
      if (this.#confirm >= this.#m) {
        this.#confirm = 0;
        this.#run = 0;
        this.#wentOver = false;
        if (!backToEmpty) this.baseline.reset(x, y, z);
        this.#stand(x, y, z);
        this.#baselineMovedMs = now;
        this.#change(BayState.VACANT, backToEmpty ? ChangeReason.DEPARTURE : ChangeReason.DEPARTURE_RELEARNT, now, dev);
        return this.#fast;
      }
      return this.#fast;
    }
    this.#confirm = 0;
    if (over) {
      // Something went close by and the field settled where no departure lies: the car stands there now.
      this.#run = still ? this.#run + 1 : 0;
      if (this.#run >= this.#m) {
        this.#run = 0;
        this.#wentOver = false;
        p[0] = x;
        p[1] = y;
        p[2] = z;
      }
      return this.#fast;
    }
    const a = dt > 0 ? 1 - exp(-dt / this.#tau) : 0;
    p[0] = p[0]! + a * (x - p[0]!);
    p[1] = p[1]! + a * (y - p[1]!);
    p[2] = p[2]! + a * (z - p[2]!);
    if (dP >= this.lowUt) {
      // The field moved: the timeout waits for it to stand still an hour (and for maxOccupiedMs since the arrival).
      if (now + 3_600_000 > this.#timeoutAtMs) this.#timeoutAtMs = now + 3_600_000;
    } else if (now > this.#timeoutAtMs) {
      this.baseline.reset(x, y, z);
      this.#stand(x, y, z);
      this.#baselineMovedMs = now;
      this.#change(BayState.VACANT, ChangeReason.TIMEOUT, now, dev);
      return this.#fast;
    }
    // Settled where the car holds the field, whatever its strength: slowly; fast once it moves.
    return dP >= this.#near ? this.#fast : this.#slow;
  }

  #change(state: number, reason: number, now: number, dev: number): void {
    this.state = state;
    this.sinceMs = now;
    if (state === BayState.OCCUPIED) this.arrivals = (this.arrivals + 1) & 0xffff;
    else this.departures = (this.departures + 1) & 0xffff;
    this.#o.onChange?.(state, reason, now, dev);
  }

  /** Write the state into `out` at `at` (DETECTOR_STATE_BYTES), with times as ages from the last sample. */
  save(out: Uint8Array, at: number): void {
    out.fill(0, at, at + DETECTOR_STATE_BYTES);
    const occupied = this.state === BayState.OCCUPIED;
    const slow = this.#nextMs === this.#slow && this.#slow !== this.#fast;
    out[at] = (occupied ? 1 : 0) | (slow ? 2 : 0) | (this.#confirm << 2) | (this.#run << 5);
    out[at + 1] = this.baseline.quietRun | (this.#wentOver ? 0x80 : 0);
    putU16(out, at + 2, this.arrivals);
    const l = this.#last;
    for (let i = 0; i < 3; i++) putU16(out, at + 4 + 2 * i, l[i] === l[i] ? Math.round(l[i]! * LAST_STEPS_PER_UT) : 0);
    for (let i = 0; i < 3; i++) this.#putF32(out, at + 10 + 4 * i, this.baseline.axis(i));
    const last = this.#lastMs;
    if (occupied) {
      for (let i = 0; i < 3; i++) this.#putF32(out, at + 22 + 4 * i, this.#parked[i]!);
      putU32(out, at + 34, clampAge(this.#timeoutAtMs - last));
    } else {
      putU32(out, at + 22, clampAge(last - this.#baselineMovedMs));
      for (let i = 0; i < 3; i++) this.#putF32(out, at + 26 + 4 * i, this.#stood[i]!);
    }
  }

  /**
   * Take back what `save` wrote. `wakeMs` is when (on this boot's clock) the next sample is taken: one interval, as
   * the last sample asked, after it.
   */
  restore(b: Uint8Array, at: number, wakeMs: number): void {
    const flags = b[at]!;
    const occupied = (flags & 1) !== 0;
    this.state = occupied ? BayState.OCCUPIED : BayState.VACANT;
    this.#confirm = (flags >>> 2) & 7;
    this.#run = (flags >>> 5) & 7;
    this.#wentOver = (b[at + 1]! & 0x80) !== 0;
    this.arrivals = getU16(b, at + 2);
    this.departures = (this.arrivals - (occupied ? 1 : 0)) & 0xffff;
    this.baseline.restore(this.#getF32(b, at + 10), this.#getF32(b, at + 14), this.#getF32(b, at + 18), b[at + 1]! & 0x7f);
    this.sinceMs = NaN;
    this.deviationUt = NaN;
    this.#parked.fill(0);
    this.#stood.fill(0);
    this.#timeoutAtMs = NaN;
    this.#baselineMovedMs = NaN;
    const l = this.#last;
    if (!this.baseline.valid) {
      l.fill(NaN);
      this.#lastMs = NaN;
      this.#nextMs = NaN;
      return;
    }
    for (let i = 0; i < 3; i++) l[i] = signed16(getU16(b, at + 4 + 2 * i)) / LAST_STEPS_PER_UT;
    this.#nextMs = flags & 2 ? this.#slow : this.#fast;
    const last = wakeMs - this.#nextMs;
    this.#lastMs = last;
    if (occupied) {
      for (let i = 0; i < 3; i++) this.#parked[i] = this.#getF32(b, at + 22 + 4 * i);
      this.#timeoutAtMs = last + ageOf(getU32(b, at + 34));
    } else {
      this.#baselineMovedMs = last - ageOf(getU32(b, at + 22));
      for (let i = 0; i < 3; i++) this.#stood[i] = this.#getF32(b, at + 26 + 4 * i);
    }
  }

  #putF32(out: Uint8Array, at: number, v: number): void {
    this.#f32[0] = v;
    for (let i = 0; i < 4; i++) out[at + i] = this.#f32Bytes[i]!;
  }

  #getF32(b: Uint8Array, at: number): number {
    for (let i = 0; i < 4; i++) this.#f32Bytes[i] = b[at + i]!;
    return this.#f32[0]!;
  }
}

/** A reading on the grid the last reading is kept on. */
function onGrid(v: number): number {
  let q = Math.round(v * LAST_STEPS_PER_UT);
  if (q > 32767) q = 32767;
  else if (q < -32768) q = -32768;
  return q / LAST_STEPS_PER_UT;
}

function signed16(v: number): number {
  return v & 0x8000 ? v - 0x10000 : v;
}

/** An age in ms as kept: whole, 0…2³²−2; never (NaN) as NEVER. */
function clampAge(ms: number): number {
  if (!(ms === ms)) return NEVER;
  if (ms <= 0) return 0;
  return ms >= NEVER - 1 ? NEVER - 1 : Math.floor(ms);
}

function ageOf(v: number): number {
  return v === NEVER ? NaN : v;
}

function norm(a: number, b: number, c: number): number {
  return Math.sqrt(a * a + b * b + c * c);
}
