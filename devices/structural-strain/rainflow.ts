/**
 * Rainflow cycle counting, ASTM E1049-85 (reapproved 2017) §5.4.4, streaming: samples go in one at a time, cycles
 * come out as soon as they close, and nothing of the series is kept but the turning points still open.
 *
 * The pipeline is the usual one (ASTM E1049; a-ma72/rainflow's README lists the same four steps):
 * 1. Discretisation. A sample x falls in class c = floor((x − offset)/classWidth), clipped to 0 … classes − 1
 *    (clipped samples are counted). Ranges are whole numbers of classes: range k stands for k·classWidth.
 * 2. Hysteresis filtering and 3. turning points. The first sample's class is the start S; after that the counter
 *    follows the signal in one direction and takes the extreme it reached as a turning point only once the signal
 *    has come back by at least `gate` classes, so reversals smaller than that (noise around a class edge) are not
 *    cycles. The extreme still open at the end is a turning point when the history is flushed.
 * 4. Counting, the standard's three-point rules, applied to each new turning point:
 *      X = range of the last two points, Y = range of the two before;
 *      X < Y: wait for the next point;
 *      Y contains S: count Y as one half cycle and drop its first point (S moves on);
 *      otherwise: count Y as one cycle and drop both its points; then look again.
 *    At the end of a history (`flush`), each range left is one half cycle (the standard's last step: a range not yet
 *    counted is one-half cycle).
 *
 * The stack of open turning points is bounded. When the rules stop, the open ranges decrease strictly from the
 * oldest to the newest (a new range at least as large as the one before it always removes something), each is at
 * least `gate` classes and at most classes − 1, so at most classes − gate ranges, classes − gate + 1 points, are
 * open, plus the one just added while the rules run: the stack holds classes − gate + 2 points and cannot overflow,
 * whatever the signal (a slowly decaying vibration is the longest case: each swing slightly smaller than the last
 * stays open until the swings fall inside the gate or a larger one closes them).
 *
 * Counted ranges go into `halfCycles` (index = range in classes, one per half cycle, two per cycle), which the
 * fatigue ledger turns into damage; an optional `onCycle(from, to, count)` listener sees each one with its class
 * midpoints (for a range-mean matrix, or a test). Device code: no allocation per sample.
 */

export interface RainflowConfig {
  /** Number of classes the signal is discretised into (2 … 4096). */
  classes: number;
  /** Width of a class, in the signal's unit (µε). */
  classWidth: number;
  /** Lower edge of class 0, in the signal's unit. */
  offset: number;
  /** A reversal must come back at least this many classes to count (default 1). */
  gate?: number;
}

/** A counted range: its first and last points (class midpoints) and 0.5 or 1 cycle. */
export type CycleListener = (from: number, to: number, count: number) => void;

const WHO = "rainflow";

export class Rainflow {
  readonly classes: number;
  readonly classWidth: number;
  readonly offset: number;
  readonly gate: number;
  /** Half cycles counted per range class (index k: a range of k classes) since the last `resetCounts`. */
  readonly halfCycles: Uint32Array;
  /** Called with every counted range; must not throw. */
  onCycle: CycleListener | undefined = undefined;
  readonly #stack: Int32Array;
  #depth = 0;
  #started = false;
  /** +1 rising, −1 falling, 0 while the start has not been left by a gate yet. */
  #direction = 0;
  /** The extreme (class) of the current excursion, or the start before the first one. */
  #extreme = 0;
  #clipped = 0;
  #turningPoints = 0;
  #deepest = 0;

  constructor(config: RainflowConfig) {
    const { classes, classWidth, offset } = config;
    const gate = config.gate ?? 1;
    if (!Number.isInteger(classes) || classes < 2 || classes > 4096) throw new RangeError(`${WHO}: classes must be a whole number from 2 to 4096, got ${String(classes)}`);
    if (!(classWidth > 0) || !Number.isFinite(classWidth)) throw new RangeError(`${WHO}: classWidth must be a finite number > 0, got ${String(classWidth)}`);
    if (!Number.isFinite(offset)) throw new RangeError(`${WHO}: offset must be a finite number, got ${String(offset)}`);
    if (!Number.isInteger(gate) || gate < 1 || gate >= classes) throw new RangeError(`${WHO}: gate must be a whole number of classes from 1 to ${classes - 1}, got ${String(gate)}`);
    this.classes = classes;
    this.classWidth = classWidth;
    this.offset = offset;
    this.gate = gate;
    this.halfCycles = new Uint32Array(classes);
    this.#stack = new Int32Array(classes - gate + 2);
  }

  /** The stack's size in turning points: classes − gate + 2, never exceeded (see the module comment). */
  get capacity(): number {
    return this.#stack.length;
  }
  /** Open turning points now (the residue). */
  get depth(): number {
    return this.#depth;
  }
  /** The most turning points that were ever open at once. */
  get deepest(): number {
    return this.#deepest;
  }
  /** Samples outside the classes, counted in the edge class. */
  get clipped(): number {
    return this.#clipped;
  }
  /** Turning points taken so far. */
  get turningPoints(): number {
    return this.#turningPoints;
  }

  /** The class of a value (clipped to the classes). */
  classOf(x: number): number {
    const c = Math.floor((x - this.offset) / this.classWidth);
    return c < 0 ? 0 : c >= this.classes ? this.classes - 1 : c;
  }

  /** The middle of class c, in the signal's unit. */
  midpoint(c: number): number {
    return this.offset + (c + 0.5) * this.classWidth;
  }

  /** The open turning point i (0 = oldest), as a class midpoint. */
  residue(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.#depth) throw new RangeError(`${WHO}: residue ${String(i)} is not open (depth ${this.#depth})`);
    return this.midpoint(this.#stack[i]!);
  }

  /** One sample; NaN and ±Infinity are ignored (the caller counts them). */
  push(x: number): void {
    if (!(x - x === 0)) return;
    let c = Math.floor((x - this.offset) / this.classWidth);
    if (c < 0) {
      c = 0;
      this.#clipped++;
    } else if (c >= this.classes) {
      c = this.classes - 1;
      this.#clipped++;
    }
    if (!this.#started) {
      this.#started = true;
      this.#extreme = c;
      return;
    }
    const e = this.#extreme;
    const d = this.#direction;
    if (d > 0) {
      if (c > e) this.#extreme = c;
      else if (e - c >= this.gate) this.#turn(e, -1, c);
    } else if (d < 0) {
      if (c < e) this.#extreme = c;
      else if (c - e >= this.gate) this.#turn(e, 1, c);
    } else if (c - e >= this.gate) {
      this.#turn(e, 1, c);
    } else if (e - c >= this.gate) {
      this.#turn(e, -1, c);
    }
  }

  /**
   * End of a history: the open extreme becomes the last turning point, every range still open is counted as a
   * half cycle, and the next sample starts a new history. The counts stay until `resetCounts`.
   */
  flush(): void {
    if (this.#direction !== 0) this.#add(this.#extreme);
    const s = this.#stack;
    for (let i = 1; i < this.#depth; i++) this.#count(s[i - 1]!, s[i]!, 1);
    this.#depth = 0;
    this.#started = false;
    this.#direction = 0;
  }

  /** Zero the counts (a new reporting period); the open turning points carry on. */
  resetCounts(): void {
    this.halfCycles.fill(0);
  }

  #turn(point: number, direction: number, extreme: number): void {
    this.#direction = direction;
    this.#extreme = extreme;
    this.#add(point);
  }

  /** A new turning point, and the three-point rules until they stop. */
  #add(point: number): void {
    const s = this.#stack;
    let n = this.#depth;
    s[n++] = point;
    this.#turningPoints++;
    if (n > this.#deepest) this.#deepest = n;
    while (n >= 3) {
      const a = s[n - 3]!;
      const b = s[n - 2]!;
      const c = s[n - 1]!;
      const x = c > b ? c - b : b - c;
      const y = b > a ? b - a : a - b;
      if (x < y) break;
      if (n === 3) {
        // Y contains the start: half a cycle, and the start moves on to Y's second point.
        this.#count(a, b, 1);
        s[0] = b;
        s[1] = c;
        n = 2;
      } else {
        this.#count(a, b, 2);
        s[n - 3] = c;
        n -= 2;
      }
    }
    this.#depth = n;
  }

  #count(from: number, to: number, halves: number): void {
    const k = to > from ? to - from : from - to;
    this.halfCycles[k] = this.halfCycles[k]! + halves;
    const listener = this.onCycle;
    if (listener !== undefined) listener(this.midpoint(from), this.midpoint(to), halves / 2);
  }
}

/**
 * Cycles per reporting bin: bin b sums range classes b·classesPerBin … (b + 1)·classesPerBin − 1 of a half-cycle
 * histogram, as cycles (halves / 2), into `out` (its length is the number of bins; ranges past the last bin go in
 * the last). A cycle's amplitude is half its range.
 */
export function cyclesPerBin(halfCycles: ArrayLike<number>, classesPerBin: number, out: Float64Array): Float64Array {
  if (!Number.isInteger(classesPerBin) || classesPerBin < 1) throw new RangeError(`${WHO}: classesPerBin must be a whole number ≥ 1, got ${String(classesPerBin)}`);
  if (out.length < 1) throw new RangeError(`${WHO}: the output needs at least one bin`);
  out.fill(0);
  const last = out.length - 1;
  for (let k = 0; k < halfCycles.length; k++) {
    const b = Math.floor(k / classesPerBin);
    out[b < last ? b : last] += halfCycles[k]! * 0.5;
  }
  return out;
}
