/**
 * Tamper and alarm events of a meter node, each raised once and cleared once, with hysteresis.
 *
 * Every kind reduces to evidence per observation: the meter's magnet or cover-opening counter went up (DL/T 645 event
 * records, 03 xx xx xx), the reverse-active register (00 02 00 00) advanced, a water register ran backwards, or a
 * window of pulses disagreed with the register. A `Latch` raises its event after `raiseAfter` observations in a row
 * with evidence and clears it once `clearAfterMs` have passed since the last evidence (with at least one clean
 * observation after it); while raised, more evidence raises nothing new.
 *
 * Pulses against the register (defined here): a window opens at a reading where both are known and closes at the
 * first reading at least `windowMs` later at which the register has advanced by at least `windowMinWh` (so that
 * quantisation is small against what is compared). With ΔR the register's advance and ΔP the pulses' energy, the
 * window disagrees when |ΔP − ΔR| > absToleranceWh + relTolerance·ΔR, where absToleranceWh defaults to one register
 * step plus two pulses (each end of each source is quantised) and relTolerance to 2 % (IEC 62053-21 class 2's error
 * limit at unity power factor, a bound for an S0 output and a register fed by the same measuring element). A window
 * in which the pulse count broke (a reset or power loss: `pulsesLost`) is dropped, not judged. The latch raises after
 * two disagreeing windows in a row and clears after three hours with none.
 */

export const TamperKind = Object.freeze({ MAGNET: 0, COVER: 1, REVERSE_ENERGY: 2, REVERSE_FLOW: 3, PULSE_MISMATCH: 4 });
export const TAMPER_NAMES: readonly string[] = Object.freeze(["magnet", "cover-open", "reverse-energy", "reverse-flow", "pulse-mismatch"]);

/** raised: +1 when the event is raised at this observation, −1 when cleared, 0 otherwise. */
export class Latch {
  readonly raiseAfter: number;
  readonly clearAfterMs: number;
  #run = 0;
  #raised = false;
  #lastEvidenceMs = NaN;

  constructor(raiseAfter: number, clearAfterMs: number) {
    if (!Number.isInteger(raiseAfter) || raiseAfter < 1) throw new RangeError(`latch: raiseAfter must be a whole number ≥ 1, got ${raiseAfter}`);
    if (!(clearAfterMs >= 0)) throw new RangeError(`latch: clearAfterMs must be ≥ 0, got ${clearAfterMs}`);
    this.raiseAfter = raiseAfter;
    this.clearAfterMs = clearAfterMs;
  }

  get raised(): boolean {
    return this.#raised;
  }

  observe(nowMs: number, evidence: boolean): number {
    if (evidence) {
      this.#lastEvidenceMs = nowMs;
      this.#run++;
      if (!this.#raised && this.#run >= this.raiseAfter) {
        this.#raised = true;
        return 1;
      }
      return 0;
    }
    this.#run = 0;
    if (this.#raised && nowMs - this.#lastEvidenceMs >= this.clearAfterMs) {
      this.#raised = false;
      return -1;
    }
    return 0;
  }
}

export interface MismatchOptions {
  /** Shortest window, ms (default 1 h). */
  windowMs?: number;
  /** Least register advance to judge a window, Wh (default 200). */
  windowMinWh?: number;
  /** Default 0.02. */
  relTolerance?: number;
  /** Default registerStepWh + 2·whPerPulse. */
  absToleranceWh?: number;
}

export interface TamperMonitorOptions {
  /** Energy per S0 pulse, Wh. */
  whPerPulse: number;
  /** The register's resolution, Wh (default 10: DL/T 645's XXXXXX.XX kWh). */
  registerStepWh?: number;
  /** Reverse energy the register must gain to count as evidence, Wh (default one register step). */
  reverseMinWh?: number;
  /** Fall of a water register that counts as reverse flow, litres (default 1). */
  reverseFlowMinLitres?: number;
  mismatch?: MismatchOptions;
  /** Clear a magnet or cover event this long after its last evidence (default 1 h). */
  clearAfterMs?: number;
  /** Clear a reverse energy or flow event this long after its last evidence (default 24 h). */
  reverseClearAfterMs?: number;
  /** Called when an event is raised or cleared; `value` is what tripped it (a count, Wh, litres, or ΔP − ΔR in Wh). */
  onEvent: (kind: number, raised: boolean, atMs: number, value: number) => void;
}

export class TamperMonitor {
  readonly #o: TamperMonitorOptions;
  readonly #latch: readonly Latch[];
  readonly #windowMs: number;
  readonly #windowMinWh: number;
  readonly #rel: number;
  readonly #abs: number;
  #magnetCount = NaN;
  #coverCount = NaN;
  #reverseWh = NaN;
  #volume = NaN;
  /** Mismatch window: start readings (NaN: no window open). */
  #wStartMs = NaN;
  #wStartWh = NaN;
  #wStartPulses = NaN;
  windowsJudged = 0;
  windowsDropped = 0;
  /** ΔP − ΔR of the last judged window, Wh. */
  lastDifferenceWh = NaN;

  constructor(o: TamperMonitorOptions) {
    if (!(o.whPerPulse > 0)) throw new RangeError(`tamper: whPerPulse must be > 0, got ${o.whPerPulse}`);
    this.#o = o;
    const clear = o.clearAfterMs ?? 3_600_000;
    const reverseClear = o.reverseClearAfterMs ?? 86_400_000;
    this.#latch = Object.freeze([new Latch(1, clear), new Latch(1, clear), new Latch(1, reverseClear), new Latch(1, reverseClear), new Latch(2, 3 * 3_600_000)]);
    const m = o.mismatch ?? {};
    this.#windowMs = m.windowMs ?? 3_600_000;
    this.#windowMinWh = m.windowMinWh ?? 200;
    this.#rel = m.relTolerance ?? 0.02;
    this.#abs = m.absToleranceWh ?? (o.registerStepWh ?? 10) + 2 * o.whPerPulse;
  }

  raised(kind: number): boolean {
    return this.#latch[kind]!.raised;
  }

  /** The meter's count of constant-magnet events (a counter: evidence when it went up). */
  magnetCount(nowMs: number, count: number): void {
    const before = this.#magnetCount;
    if (count === count) this.#magnetCount = count;
    this.#feed(TamperKind.MAGNET, nowMs, count > before, count);
  }

  /** The meter's count of cover openings. */
  coverCount(nowMs: number, count: number): void {
    const before = this.#coverCount;
    if (count === count) this.#coverCount = count;
    this.#feed(TamperKind.COVER, nowMs, count > before, count);
  }

  /** A cover switch read directly (true: open). */
  coverSwitch(nowMs: number, open: boolean): void {
    this.#feed(TamperKind.COVER, nowMs, open, open ? 1 : 0);
  }

  /** The reverse-active energy register, Wh. */
  reverseEnergy(nowMs: number, reverseWh: number): void {
    if (reverseWh !== reverseWh) return;
    const before = this.#reverseWh;
    const evidence = reverseWh - before >= (this.#o.reverseMinWh ?? this.#o.registerStepWh ?? 10);
    if (before !== before || evidence || reverseWh < before) this.#reverseWh = reverseWh;
    this.#feed(TamperKind.REVERSE_ENERGY, nowMs, evidence, reverseWh - before);
  }

  /** A water meter's net volume, litres (it falls when water flows back through it). */
  waterVolume(nowMs: number, litres: number): void {
    if (litres !== litres) return;
    const before = this.#volume;
    const evidence = before - litres >= (this.#o.reverseFlowMinLitres ?? 1);
    if (before !== before || evidence || litres > before) this.#volume = litres;
    this.#feed(TamperKind.REVERSE_FLOW, nowMs, evidence, before - litres);
  }

  /** The pulse count broke (counter reset, power loss): the window in progress is dropped. */
  pulsesLost(): void {
    if (this.#wStartMs === this.#wStartMs) this.windowsDropped++;
    this.#wStartMs = NaN;
  }

  /** Forward-active register (Wh) and pulse count at `nowMs`; NaN for what was not read. */
  energy(nowMs: number, registerWh: number, pulses: number): void {
    if (registerWh !== registerWh || pulses !== pulses) return;
    if (this.#wStartMs !== this.#wStartMs || pulses < this.#wStartPulses || registerWh < this.#wStartWh) {
      if (this.#wStartMs === this.#wStartMs) this.windowsDropped++;
      this.#wStartMs = nowMs;
      this.#wStartWh = registerWh;
      this.#wStartPulses = pulses;
      return;
    }
    const dR = registerWh - this.#wStartWh;
    if (nowMs - this.#wStartMs < this.#windowMs || dR < this.#windowMinWh) return;
    const dP = (pulses - this.#wStartPulses) * this.#o.whPerPulse;
    const diff = dP - dR;
    this.lastDifferenceWh = diff;
    this.windowsJudged++;
    this.#wStartMs = nowMs;
    this.#wStartWh = registerWh;
    this.#wStartPulses = pulses;
    this.#feed(TamperKind.PULSE_MISMATCH, nowMs, (diff < 0 ? -diff : diff) > this.#abs + this.#rel * dR, diff);
  }

  #feed(kind: number, nowMs: number, evidence: boolean, value: number): void {
    const r = this.#latch[kind]!.observe(nowMs, evidence);
    if (r !== 0) this.#o.onEvent(kind, r > 0, nowMs, value);
  }
}
