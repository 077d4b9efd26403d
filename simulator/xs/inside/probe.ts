/**
 * Metering and heap probes for device code running on XS, and the phase every piece of device work belongs to.
 *
 * The probe sits between a node's host provider and the device: it hands the device a host whose timers and IO
 * classes are its own thin wrappers, so it sees every entry into device code (start-up, a timer, an IO callback).
 *
 * Phases. Work is grouped into activations:
 * - start-up: `main(host)` and the timers it arms;
 * - a periodic task: a timer callback that re-arms itself (as runtime/scheduler.ts does before running a slot) is a
 *   task of its own; its period, matched against the device manifest, makes it a *sample* (a sampling group's
 *   interval) or a *report* (the reporting interval), otherwise a plain *timer*. Each firing is one cycle;
 * - timers armed during a cycle (a sensor's conversion delay, a retry) belong to that cycle until they fire or are
 *   cleared, so a sampling cycle costs the trigger, the conversion and the read-out together;
 * - IO callbacks (socket, pin interrupts) are *io*.
 *
 * Metering counts only device work: the simulator's part models and weather (and the probe's own bookkeeping) run
 * between `$xs.pause()` and `$xs.resume()`. Each outermost device callback runs under a metering budget: a loop that
 * never ends aborts the run with the phase it was in. Heap: with tracking on, each device callback's transient
 * allocation is measured (peak over the callback's start), and the live heap after a garbage collection at the end of
 * every sample and report cycle; the node's heap is what it holds over the simulator's and its host provider's
 * (measured when main is called).
 */
import type { DeviceMain, Host, NodeApp, TimerHandle, Timers } from "../../../hal/host.js";
import type { IOClasses, SerialBus } from "../../../hal/io.js";
import type { Engine } from "../../core/engine.js";
import type { XsHost } from "./xs-host.js";

/** Cycles at least this long end with a heap checkpoint (a garbage collection). */
const CHECKPOINT_MIN_PERIOD_MS = 10_000;

export type PhaseName = "start-up" | "sample" | "report" | "timer" | "io";

export interface KindSpec {
  /** "start-up", "report", "sample:air+rain", "timer", "io" */
  name: string;
  phase: PhaseName;
  /** The period that identifies a periodic kind, ms. */
  periodMs?: number;
}

/** Kinds for a device: start-up, report, one per sampling interval (groups sharing one are merged), timer, io. */
export function kindsFor(reportingS: number, sampling: Readonly<Record<string, { intervalMs: number }>>): KindSpec[] {
  const kinds: KindSpec[] = [{ name: "start-up", phase: "start-up" }, { name: "report", phase: "report", periodMs: reportingS * 1000 }];
  const byPeriod = new Map<number, string[]>();
  for (const name of Object.keys(sampling)) {
    const ms = sampling[name]!.intervalMs;
    const list = byPeriod.get(ms) ?? [];
    list.push(name);
    byPeriod.set(ms, list);
  }
  for (const [ms, names] of byPeriod) {
    if (ms === reportingS * 1000) continue; // the report task is the report
    kinds.push({ name: `sample:${names.join("+")}`, phase: "sample", periodMs: ms });
  }
  kinds.push({ name: "timer", phase: "timer" }, { name: "io", phase: "io" });
  return kinds;
}

/**
 * Exact histogram of costs (device code is deterministic: few distinct values), with count, total and max. Its
 * table is allocated up front (open addressing in typed arrays), so recording a cost never grows the heap the
 * probe is measuring; past `capacity` distinct values, further new values count in total and max only.
 */
export class CostHistogram {
  readonly #keys: Float64Array;
  readonly #counts: Float64Array;
  readonly #capacity: number;
  #distinct = 0;
  /** Costs not in the table (it was full): they count in count, total and max, not in the median. */
  overflow = 0;
  count = 0;
  total = 0;
  max = 0;

  constructor(capacity = 2048) {
    this.#capacity = capacity;
    this.#keys = new Float64Array(capacity * 2).fill(-1);
    this.#counts = new Float64Array(capacity * 2);
  }

  add(cost: number): void {
    this.count++;
    this.total += cost;
    if (cost > this.max) this.max = cost;
    const keys = this.#keys;
    const size = keys.length;
    let i = (Math.imul(cost | 0, 0x9e3779b1) >>> 0) % size;
    for (;;) {
      const k = keys[i]!;
      if (k === cost) {
        this.#counts[i]!++;
        return;
      }
      if (k === -1) {
        if (this.#distinct >= this.#capacity) {
          this.overflow++;
          return;
        }
        keys[i] = cost;
        this.#counts[i] = 1;
        this.#distinct++;
        return;
      }
      i = i + 1 === size ? 0 : i + 1;
    }
  }

  /** Lower median of the costs in the table. */
  median(): number {
    const pairs: [number, number][] = [];
    for (let i = 0; i < this.#keys.length; i++) if (this.#keys[i] !== -1) pairs.push([this.#keys[i]!, this.#counts[i]!]);
    if (pairs.length === 0) return 0;
    pairs.sort((a, b) => a[0] - b[0]);
    const n = this.count - this.overflow;
    const half = Math.floor((n - 1) / 2);
    let seen = 0;
    for (const [k, c] of pairs) {
      seen += c;
      if (seen > half) return k;
    }
    return pairs[pairs.length - 1]![0];
  }
}

export interface KindReport {
  name: string;
  phase: PhaseName;
  periodMs?: number;
  cycles: number;
  median: number;
  max: number;
  total: number;
  /** Largest transient allocation of one callback of this kind (chunk bytes, slots); tracking only. */
  transientChunks: number;
  transientSlots: number;
}

export interface HeapReport {
  /** Bytes per slot on this host (16 on a 32-bit MCU). */
  slotBytes: number;
  startup: { chunks: number; slots: number };
  /** Largest live heap seen at a checkpoint (after a collection). */
  live: { chunks: number; slots: number };
  /**
   * Upper bound of the heap in use: the live heap at the latest checkpoint plus the most one callback allocated on
   * top of it (as if nothing were collected inside a callback).
   */
  peak: { chunks: number; slots: number };
  /** The kind of work whose callback set the chunk peak ("checkpoint" when a live heap did). */
  peakKind: string;
  checkpoints: number;
}

export interface ProbeReport {
  kinds: KindReport[];
  heap?: HeapReport;
  /** All device work (every phase), metering units. */
  total: number;
  callbacks: number;
}

class Activation {
  readonly kind: number;
  /** The periodic callback whose cycle this is (children inherit their parent's). */
  readonly root: unknown;
  cost = 0;
  /** Callbacks running + child timers pending. */
  refs = 0;
  done = false;
  constructor(kind: number, root: unknown) {
    this.kind = kind;
    this.root = root;
  }
}

interface TimerRecord {
  readonly __timer: true;
  real: TimerHandle | undefined;
  /** The activation a child timer belongs to; undefined for a root timer. */
  act: Activation | undefined;
  fn: () => void;
  repeat: boolean;
  cleared: boolean;
}

interface Frame {
  act: Activation;
  fn: unknown;
  start: number;
  chunks: number;
  slots: number;
  node: number;
}

export interface ProbeOptions {
  xs: XsHost;
  engine: Engine;
  kinds: KindSpec[];
  /** Metering budget of one outermost device callback (0: none). */
  callbackBudget: number;
  /** Metering budget of start-up (main). */
  startupBudget: number;
  /** Measure heap (costs a garbage collection per sample and report cycle). */
  heap: boolean;
}

export interface LastThrow {
  node: number;
  kind: number;
  error: unknown;
}

export class Probe {
  readonly #o: ProbeOptions;
  readonly #xs: XsHost;
  readonly #hist: CostHistogram[];
  readonly #transient: { chunks: number; slots: number }[];
  readonly #kindOf = new Map<unknown, number>();
  readonly #startup: number;
  readonly #timer: number;
  readonly #io: number;
  #frame: Frame | undefined;
  #depth = 0;
  #total = 0;
  #callbacks = 0;
  #open = new Set<Activation>();
  // heap
  #base = { chunks: 0, slots: 0 };
  #startupHeap = { chunks: 0, slots: 0 };
  #lastLive = { chunks: 0, slots: 0 };
  #maxLive = { chunks: 0, slots: 0 };
  #peak = { chunks: 0, slots: 0 };
  #peakKind = "";
  #checkpoints = 0;
  #baselined = false;
  /** The latest exception that left a device callback (the crash that follows names this phase). */
  lastThrow: LastThrow | undefined;

  constructor(options: ProbeOptions) {
    this.#o = options;
    this.#xs = options.xs;
    this.#hist = options.kinds.map(() => new CostHistogram());
    this.#transient = options.kinds.map(() => ({ chunks: 0, slots: 0 }));
    const index = (name: string) => options.kinds.findIndex((k) => k.name === name);
    this.#startup = index("start-up");
    this.#timer = index("timer");
    this.#io = index("io");
  }

  get kinds(): readonly KindSpec[] {
    return this.#o.kinds;
  }

  #classify(periodMs: number): number {
    const k = this.#o.kinds;
    for (let i = 0; i < k.length; i++) if (k[i]!.periodMs === periodMs) return i;
    return this.#timer;
  }

  // ------------------------------------------------------------------------------------------- callbacks

  #enter(act: Activation, fn: unknown, node: number, budget: number): void {
    act.refs++;
    if (this.#depth++ > 0) return;
    const xs = this.#xs;
    xs.pause();
    this.#callbacks++;
    const frame: Frame = { act, fn, start: 0, chunks: 0, slots: 0, node };
    this.#frame = frame;
    xs.mark(act.kind + 1, node, this.#o.engine.now);
    if (this.#o.heap) {
      frame.chunks = xs.heap(0);
      frame.slots = xs.heap(1);
      xs.resetPeak();
    }
    xs.budget(budget);
    xs.resume();
    frame.start = xs.meter();
  }

  #exit(act: Activation): void {
    if (--this.#depth > 0) {
      this.#release(act);
      return;
    }
    const xs = this.#xs;
    const frame = this.#frame!;
    const cost = xs.meter() - frame.start;
    xs.pause();
    xs.budget(0);
    xs.mark(0, frame.node, this.#o.engine.now);
    frame.act.cost += cost;
    this.#total += cost;
    this.#frame = undefined;
    if (this.#o.heap) {
      const chunks = xs.heap(2) - frame.chunks;
      const slots = xs.heap(3) - frame.slots;
      const t = this.#transient[frame.act.kind]!;
      if (chunks > t.chunks) t.chunks = chunks;
      if (slots > t.slots) t.slots = slots;
      this.#peakWith(chunks, slots, frame.act.kind);
    }
    this.#release(frame.act);
    xs.resume();
  }

  #peakWith(chunks: number, slots: number, kind = -1): void {
    const c = this.#lastLive.chunks + chunks;
    const s = this.#lastLive.slots + slots;
    if (c > this.#peak.chunks) {
      this.#peak.chunks = c;
      this.#peakKind = kind >= 0 ? this.#o.kinds[kind]!.name : "checkpoint";
    }
    if (s > this.#peak.slots) this.#peak.slots = s;
  }

  #release(act: Activation): void {
    if (--act.refs === 0 && !act.done) this.#finish(act);
  }

  #finish(act: Activation): void {
    act.done = true;
    this.#open.delete(act);
    this.#hist[act.kind]!.add(act.cost);
    if (this.#o.heap) {
      // A checkpoint closes every sample and report cycle, except fast ones (a 250 ms wind sample would make it a
      // collection per sample): their transient allocation still counts.
      const k = this.#o.kinds[act.kind]!;
      if ((k.phase === "sample" || k.phase === "report") && (k.periodMs ?? 0) >= CHECKPOINT_MIN_PERIOD_MS) this.checkpoint();
    }
  }

  #activation(kind: number, root: unknown): Activation {
    const act = new Activation(kind, root);
    this.#open.add(act);
    return act;
  }

  /** Run a device callback `fn` as part of `act` (with `this` and arguments as given). */
  #call<T>(act: Activation, fn: (...args: never[]) => T, self: unknown, args: readonly unknown[], node: number, budget: number): T {
    this.#enter(act, fn, node, budget);
    try {
      return (fn as (...a: unknown[]) => T).apply(self, args as unknown[]);
    } catch (error) {
      this.lastThrow = { node, kind: this.#frame ? this.#frame.act.kind : act.kind, error };
      throw error;
    } finally {
      this.#exit(this.#frame && this.#depth === 1 ? this.#frame.act : act);
    }
  }

  /**
   * The running periodic task re-armed itself: from here on its work is a cycle of its own kind (the scheduler
   * re-arms before running the slot, so the whole slot is counted there).
   */
  #promote(fn: unknown, kind: number): void {
    const frame = this.#frame!;
    const xs = this.#xs;
    const now = xs.meter();
    const old = frame.act;
    old.cost += now - frame.start;
    this.#total += now - frame.start;
    const act = this.#activation(kind, fn);
    act.refs = 1;
    frame.act = act;
    xs.pause();
    xs.mark(kind + 1, frame.node, this.#o.engine.now);
    this.#release(old);
    xs.resume();
    frame.start = xs.meter();
  }

  // ------------------------------------------------------------------------------------------- host

  /**
   * `main` as a start-up activation. The node's heap is measured over what exists when main is called (the
   * simulator, and the host provider the node built for this boot: on a board, those IO classes are preloaded in
   * flash), so its figures are the firmware's own.
   */
  wrapMain(main: DeviceMain, node: number): (host: Host) => NodeApp {
    return (host: Host) => {
      const wrapped = this.wrapHost(host, node);
      if (!this.#baselined) {
        this.#baselined = true;
        this.baseline();
      }
      const act = this.#activation(this.#startup, main);
      return this.#call(act, main, undefined, [wrapped], node, this.#o.startupBudget);
    };
  }

  wrapHost(host: Host, node: number): Host {
    const io = this.#wrapIO(host.io, node);
    const Serial: Record<string, SerialBus> = {};
    for (const name of Object.keys(host.Serial)) Serial[name] = Object.freeze({ ...host.Serial[name]!, io: io.Serial });
    return Object.freeze({
      id: host.id,
      board: host.board,
      io,
      pin: host.pin,
      I2C: host.I2C,
      SPI: host.SPI,
      Serial: Object.freeze(Serial),
      timer: this.#wrapTimers(host.timer, node),
      clock: host.clock,
      power: host.power,
      retained: host.retained,
      flash: host.flash,
      cipher: host.cipher,
      random: host.random,
      log: host.log,
      config: host.config,
    });
  }

  #wrapTimers(timers: Timers, node: number): Timers {
    const probe = this;
    const budget = this.#o.callbackBudget;
    return Object.freeze({
      set(callback: () => void, delay: number, repeat?: number): TimerHandle {
        const xs = probe.#xs;
        xs.pause();
        const frame = probe.#frame;
        let act: Activation | undefined;
        if (repeat !== undefined) {
          // A repeating host timer is a periodic task by construction.
          if (!probe.#kindOf.has(callback)) probe.#kindOf.set(callback, probe.#classify(repeat));
        } else if (frame && probe.#depth === 1 && frame.fn === callback) {
          // A callback re-arming itself is a periodic task. Its kind is fixed the first time (by its period) and
          // falls back to "timer" if it ever re-arms with another delay (a service timer, not a fixed cycle).
          let kind = probe.#kindOf.get(callback);
          if (kind === undefined) {
            kind = probe.#classify(delay);
            probe.#kindOf.set(callback, kind);
          } else if (kind !== probe.#timer && probe.#o.kinds[kind]!.periodMs !== delay) {
            kind = probe.#timer;
            probe.#kindOf.set(callback, kind);
          }
          if (frame.act.root !== callback || frame.act.kind !== kind) {
            xs.resume();
            probe.#promote(callback, kind);
            xs.pause();
          }
        } else if (frame && frame.act.kind !== probe.#io) {
          act = frame.act; // a child of the running cycle
          act.refs++;
        }
        const rec: TimerRecord = { __timer: true, real: undefined, act, fn: callback, repeat: repeat !== undefined, cleared: false };
        const fire = (): void => {
          if (rec.cleared) return;
          let owner = rec.act;
          if (owner === undefined || owner.done) {
            owner = probe.#activation(probe.#kindOf.get(callback) ?? probe.#timer, callback);
          } else {
            rec.act = undefined;
            owner.refs--; // the pending child becomes the running callback (#enter counts it again)
          }
          if (!rec.repeat) rec.cleared = true;
          probe.#call(owner, callback, undefined, [], node, budget);
        };
        rec.real = timers.set(fire, delay, repeat);
        xs.resume();
        return rec as unknown as TimerHandle;
      },
      clear(handle: TimerHandle | undefined): void {
        if (!handle) return;
        const rec = handle as unknown as TimerRecord;
        const xs = probe.#xs;
        xs.pause();
        timers.clear(rec.real);
        if (!rec.cleared) {
          rec.cleared = true;
          const act = rec.act;
          rec.act = undefined;
          if (act && !act.done) probe.#release(act);
        }
        xs.resume();
      },
    });
  }

  #wrapIO(io: IOClasses, node: number): IOClasses {
    const probe = this;
    const budget = this.#o.callbackBudget;
    const callbacks = ["onReadable", "onWritable", "onError"] as const;
    const wrapOptions = (options: unknown): unknown => {
      if (!options || typeof options !== "object") return options;
      const o = options as Record<string, unknown>;
      if (!callbacks.some((k) => typeof o[k] === "function")) return options;
      const copy: Record<string, unknown> = { ...o };
      for (const k of callbacks) {
        const cb = o[k];
        if (typeof cb !== "function") continue;
        copy[k] = function (this: unknown, ...args: unknown[]): unknown {
          const act = probe.#activation(probe.#io, cb);
          return probe.#call(act, cb as (...a: never[]) => unknown, this, args, node, budget);
        };
      }
      return copy;
    };
    const wrap = <C>(Base: C): C => {
      const B = Base as unknown as new (options: unknown) => object;
      return class extends B {
        constructor(options: unknown) {
          super(wrapOptions(options));
        }
      } as unknown as C;
    };
    // A board's clocked serial read is one host call whose pulses are C: the simulator's stand-in (and the part model
    // it clocks) is the host's work, not the device's.
    const xs = this.#xs;
    const Serial = io.ClockedSerial as unknown as new (options: unknown) => { read(bits: number, extraPulses?: number): number };
    const ClockedSerial = class extends Serial {
      override read(bits: number, extraPulses?: number): number {
        xs.pause();
        try {
          return super.read(bits, extraPulses);
        } finally {
          xs.resume();
        }
      }
    } as unknown as IOClasses["ClockedSerial"];
    return Object.freeze({
      ...io,
      ClockedSerial,
      Digital: wrap(io.Digital),
      PulseCount: wrap(io.PulseCount),
      Serial: wrap(io.Serial),
      TCP: wrap(io.TCP),
    });
  }

  // ------------------------------------------------------------------------------------------- heap

  /** At the first main(): the simulator's and the host provider's live heap, which the node's figures are over. */
  baseline(): void {
    if (!this.#o.heap) return;
    const xs = this.#xs;
    xs.gc();
    this.#base = { chunks: xs.heap(0), slots: xs.heap(1) };
  }

  /** After the first boot: the node's live heap after start-up. */
  afterStartup(): void {
    if (!this.#o.heap) return;
    this.checkpoint();
    this.#startupHeap = { chunks: this.#lastLive.chunks, slots: this.#lastLive.slots };
  }

  /** Collect garbage and take the node's live heap. */
  checkpoint(): void {
    const xs = this.#xs;
    xs.gc();
    const chunks = Math.max(0, xs.heap(0) - this.#base.chunks);
    const slots = Math.max(0, xs.heap(1) - this.#base.slots);
    this.#lastLive = { chunks, slots };
    if (chunks > this.#maxLive.chunks) this.#maxLive.chunks = chunks;
    if (slots > this.#maxLive.slots) this.#maxLive.slots = slots;
    this.#peakWith(0, 0);
    this.#checkpoints++;
  }

  // ------------------------------------------------------------------------------------------- report

  kindName(index: number): string {
    return this.#o.kinds[index]?.name ?? "?";
  }

  report(): ProbeReport {
    for (const act of [...this.#open]) if (!act.done) this.#finish(act);
    const kinds: KindReport[] = this.#o.kinds.map((k, i) => {
      const h = this.#hist[i]!;
      const r: KindReport = {
        name: k.name,
        phase: k.phase,
        cycles: h.count,
        median: h.median(),
        max: h.max,
        total: h.total,
        transientChunks: this.#transient[i]!.chunks,
        transientSlots: this.#transient[i]!.slots,
      };
      if (k.periodMs !== undefined) r.periodMs = k.periodMs;
      return r;
    });
    const out: ProbeReport = { kinds, total: this.#total, callbacks: this.#callbacks };
    if (this.#o.heap) {
      out.heap = {
        slotBytes: this.#xs.heap(6),
        startup: { ...this.#startupHeap },
        live: { ...this.#maxLive },
        peak: { ...this.#peak },
        peakKind: this.#peakKind,
        checkpoints: this.#checkpoints,
      };
    }
    return out;
  }
}
