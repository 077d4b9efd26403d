/**
 * The image's host side, in JS on the emulated MCU: builds the device's host provider over the replay world,
 * boots the device the way the simulator's node does, and drives the event loop the firmware's C main loop calls
 * (`__ganzhi.dispatch(nowUs)`).
 *
 * Two clocks. Device code reads virtual time: inside a callback, `host.clock` says the time the event was
 * scheduled for, exactly as in the simulator, so the device computes the same values and sends the same bytes.
 * The event loop runs on real time: an event is dispatched once SysTick reaches its due time, and every dispatch
 * is recorded with its due time and SysTick at start and end (`E` lines). Lateness, jitter, busy time and
 * instructions per callback come from those records; they are what this emulation measures.
 *
 * The provider is the simulator's own (simulator/core/provider.ts: ECMA-419 IO classes, engine timers, clock),
 * so validation, errors and callback order are the simulator's by construction; only the world behind the pins
 * differs (emulator/image/world.ts).
 */
import type { Ciphers, DeviceConfig, DeviceMain, LogLevel } from "../../hal/host.js";
import { BoardNode } from "../../simulator/core/board-node.js";
import { NativeAes128, nativeCiphers } from "../../simulator/core/ciphers.js";
import type { NodeCrash } from "../../simulator/core/board-node.js";
import type { SimBoardSpec } from "../../simulator/core/board.js";
import { Engine } from "../../simulator/core/engine.js";
import type { EngineTimers } from "../../simulator/core/timers.js";
import { SimFlash } from "../../simulator/core/flash.js";
import type { SimProvider } from "../../simulator/core/provider.js";
import { DEVICE, HARNESS, Modes, PROVIDER } from "./modes.js";
import type { HostWait } from "./modes.js";
import { getNative } from "./native.js";
import type { Native } from "./native.js";
import { oneLine, Out } from "./out.js";
import { Replay } from "./replay.js";
import { ReplayWorld } from "./world.js";
import type { StreamTags } from "./world.js";

/** Event streams every run has; timers, edges and connections get theirs as they first appear. */
const STREAM_HOST = 0; // an event that ran no device code
const STREAM_IO = 1; // an IO callback the dispatcher could not attribute further
const STREAM_BOOT = 2; // main(host)

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    for (const k of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[k]);
    Object.freeze(value);
  }
  return value;
}

/**
 * Event streams: what each dispatched event is charged to. A timer callback keeps the stream it got when first
 * armed; a callback made fresh for each arming (a driver's conversion wait) is charged to "what armed it, after
 * how long", so every cycle's conversion lands in the same stream. Callbacks are held weakly: the bookkeeping must
 * not keep the device's garbage alive (its heap is what is being measured).
 */
class Streams implements StreamTags {
  readonly #out: Out;
  readonly #native: Native;
  readonly #timers = new WeakMap<() => void, number>();
  /** Where each timer callback was last armed: the dispatch and the device + provider ticks of the run at that
   * point. A board's RTOS counts a timer from the instant it is set (Moddable: now + delay, then += interval), so the
   * timeline (emulator/host/timeline.ts) carries a late handler's lateness into the timers it arms. Updating an
   * existing key allocates nothing. */
  readonly #armedIn = new WeakMap<() => void, number>();
  readonly #armedWork = new WeakMap<() => void, number>();
  /** The dispatch running now (its index among the `E` records), and the arming of the timer it fires (-1: none). */
  dispatch = -1;
  firingArmedIn = -1;
  firingArmedWork = 0;
  readonly #named = new Map<string, number>();
  readonly #edges = new Map<number, number>();
  readonly #labels: string[] = [];
  #next = 3;
  current = STREAM_HOST;

  constructor(out: Out, native: Native) {
    this.#out = out;
    this.#native = native;
    this.#labels[STREAM_HOST] = "host";
    this.#labels[STREAM_IO] = "io";
    this.#labels[STREAM_BOOT] = "boot";
    out.line(`N ${STREAM_HOST} host`);
    out.line(`N ${STREAM_IO} io`);
    out.line(`N ${STREAM_BOOT} boot`);
  }

  #byName(label: string): number {
    let id = this.#named.get(label);
    if (id === undefined) {
      id = this.#next++;
      this.#named.set(label, id);
      this.#labels[id] = label;
      this.#out.line(`N ${id} ${label}`);
    }
    return id;
  }

  /** A timer is being armed from the current event; `live` are the node's timers armed so far. */
  armed(callback: () => void, delayMs: number, live: EngineTimers): void {
    this.#armedIn.set(callback, this.dispatch);
    this.#armedWork.set(callback, this.#native.work());
    if (this.#timers.has(callback)) return;
    // Two timers armed from the same event after the same delay (a sensor's reading and a check, both every 10 s
    // from boot) are two streams: the label goes to the first, the next gets "#2". A callback made fresh for each
    // arming takes its label back once the one before has fired or been cleared.
    const base = `timer(${this.#labels[this.current]}+${delayMs}ms)`;
    let id = this.#byName(base);
    for (let k = 2; this.#heldByAnother(id, callback, live); k++) id = this.#byName(`${base}#${k}`);
    this.#timers.set(callback, id);
  }

  #heldByAnother(stream: number, callback: () => void, live: EngineTimers): boolean {
    for (let i = 0; i < live.active; i++) {
      const other = live.liveCallback(i);
      if (other !== callback && other !== undefined && this.#timers.get(other) === stream) return true;
    }
    return false;
  }

  /** A timer fires: its stream, and where it was armed for the `E` record. */
  timer(callback: () => void): number {
    this.firingArmedIn = this.#armedIn.get(callback) ?? -1;
    this.firingArmedWork = this.#armedWork.get(callback) ?? 0;
    return this.#timers.get(callback) ?? this.#byName("timer(?)");
  }

  /** The event being dispatched answers the device's work up to dispatch `after` (a broker's reply), or its command
   * at `work` in that dispatch (a part's line answering an SPI command). */
  answers(after: number, work = 0): void {
    this.firingArmedIn = after;
    this.firingArmedWork = work;
  }

  /** A dispatch begins. */
  next(): void {
    this.dispatch++;
    this.firingArmedIn = -1;
    this.current = STREAM_HOST;
  }

  edge(pin: number): number {
    // Every edge asks: answer from a number-keyed map, not by building the label each time (garbage per edge).
    let id = this.#edges.get(pin);
    if (id === undefined) {
      id = this.#byName(`edge:${pin}`);
      this.#edges.set(pin, id);
    }
    return id;
  }

  net(conn: number, what: string): number {
    return this.#byName(`net:${conn}:${what}`);
  }

  uart(index: number): number {
    return this.#byName(`uart:${index}`);
  }

  set(stream: number): void {
    this.current = stream;
  }
}

/**
 * `host.cipher` on the image: the C AES-128 of emulator/firmware/aes128.c runs on the emulated Cortex-M4, as the
 * provider (a board's hal/moddable and Moddable's C), so QEMU counts its instructions where a board spends them.
 */
function imageCiphers(native: Native, modes: Modes): Ciphers {
  const natives = nativeCiphers(native);
  modes.classInMode(PROVIDER, NativeAes128);
  return Object.freeze({ aes128: modes.inMode(PROVIDER, (key: Uint8Array) => natives.aes128(key)) });
}

/**
 * What a bus transfer holds the CPU for on a board, in ticks of provider work: Moddable's I2C `read`/`write` and SPI
 * `read`/`write`/`transfer` return when the bus has carried it, `clocks(bytes)` cycles of the clock the bus was opened
 * with. Charged as work the board's timing renders as that long at its fewest cycles per instruction (longer at its
 * most: on the side of failing).
 */
function busWait(ticksPerUs: number, clocks: (bytes: number) => number): HostWait {
  return (self, first) => {
    const bytes = typeof first === "number" ? first : ((first as { byteLength?: number } | undefined)?.byteLength ?? 0);
    const hz = (self as { hz?: number }).hz;
    return hz && hz > 0 ? ((clocks(bytes) * 1e6) / hz) * ticksPerUs : 0;
  };
}

/** I2C: the address byte and every data byte, 9 clocks each with its ACK, and about one for start and stop. */
const I2C_CLOCKS = (bytes: number): number => 9 * (bytes + 1) + 1;
/** SPI: 8 clocks a byte (select's setup and hold left out). */
const SPI_CLOCKS = (bytes: number): number => 8 * bytes;

/**
 * One node on the image: boots, crashes, sleeps and reboots as the simulator's node does (both are a BoardNode,
 * with the same SimFlash); logs and crashes are console records, and every callback is charged to the event stream
 * it belongs to.
 */
class ImageNode extends BoardNode {
  readonly flash: SimFlash;
  readonly #out: Out;
  readonly #streams: Streams;
  readonly #native: Native;
  readonly #modes: Modes;
  readonly #busTicksPerUs: number;
  #settled = false;

  constructor(o: ImageNodeOptions) {
    super({ ...o, board: o.spec, network: o.world, random: o.modes.inMode(PROVIDER, () => o.world.random()), cipher: imageCiphers(o.native, o.modes) });
    this.flash = new SimFlash(o.spec.flash);
    this.#out = o.out;
    this.#streams = o.streams;
    this.#native = o.native;
    // What survives reboots is the node's: its flash and retained words are host objects the device calls.
    this.#modes = o.modes;
    this.#busTicksPerUs = o.busTicksPerUs;
    o.modes.methodsInMode(PROVIDER, this.flash);
    o.modes.methodsInMode(PROVIDER, this.retained);
  }

  protected log(level: LogLevel, message: string): void {
    const previous = this.#native.mode(PROVIDER);
    try {
      this.#out.line(`L ${this.engine.now} ${level} ${oneLine(message)}`);
    } finally {
      this.#native.mode(previous);
    }
  }

  /** Device code runs as the device (emulator/image/modes.ts): its callbacks and its main. */
  protected override guard(phase: string, fn: () => void, counted = true): void {
    const previous = this.#native.mode(DEVICE);
    try {
      super.guard(phase, fn, counted);
    } finally {
      this.#native.mode(previous);
    }
  }

  protected override crashed(crash: NodeCrash): void {
    this.#out.line(`C ${crash.at} ${crash.phase} ${oneLine(crash.error)}`);
  }

  protected override adapt(provider: SimProvider): void {
    const streams = this.#streams;
    const timers = provider.timers;
    const arm = timers.set.bind(timers);
    const native = this.#native;
    timers.set = (callback, delay, repeat) => {
      // The image's own bookkeeping (which stream the timer is charged to) is not the provider's work: on a board
      // arming a timer is Moddable's C alone.
      const previous = native.mode(HARNESS);
      try {
        streams.armed(callback, delay, timers);
      } finally {
        native.mode(previous);
      }
      return arm(callback, delay, repeat);
    };
    timers.wrap = (fn) => {
      streams.current = streams.timer(fn);
      this.guard("callback", fn);
    };
    // The host objects the device calls run as the provider (on a board: hal/moddable and Moddable's C).
    const modes = this.#modes;
    // GPIO and clock reads are one host call each on a board: charged so (emulator/image/modes.ts asHostCall).
    modes.methodsAsHostCalls(provider.host.io.Digital.prototype, ["read", "write"], true);
    // An I2C transfer is one host call too, which returns once the bus has carried it: the wait is charged as well.
    modes.methodsAsHostCalls(provider.host.io.I2C.prototype, ["read", "write"], true, busWait(this.#busTicksPerUs, I2C_CLOCKS));
    // And so is an SPI transfer (Moddable's SPI read, write and transfer are synchronous).
    modes.methodsAsHostCalls(provider.host.io.SPI.prototype, ["read", "write", "transfer"], true, busWait(this.#busTicksPerUs, SPI_CLOCKS));
    modes.methodsAsHostCalls(provider.host.clock, ["ticks", "microseconds"]);
    for (const io of Object.values(provider.host.io)) modes.classInMode(PROVIDER, io as { prototype: object });
    // Arming and clearing a timer is one host call on a board too (Moddable's Timer: a C list of timers); here it is the
    // simulator's event engine, whose heap is the image's work, not the board's.
    modes.methodsAsHostCalls(timers, ["set", "clear"]);
    modes.methodsInMode(PROVIDER, provider.host.clock, ["ticks", "microseconds", "unixMs"]);
    modes.methodsInMode(PROVIDER, provider.host.power, ["deepSleep", "supplyVoltage"]);
    streams.current = STREAM_BOOT;
    // Everything made so far, this first boot's provider included, is the image's, not the device's: on a board the
    // provider's classes are preloaded in flash. It leaves the board's XS budget (emulator/firmware/budget.c).
    if (!this.#settled) {
      this.#settled = true;
      this.#native.settle();
    }
  }

  protected override callback(fn: () => void): void {
    if (this.#streams.current === STREAM_HOST) this.#streams.current = STREAM_IO;
    super.callback(fn);
  }
}

interface ImageNodeOptions {
  id: string;
  spec: SimBoardSpec;
  config: DeviceConfig;
  rolePins: Readonly<Record<string, number>>;
  main: DeviceMain;
  engine: Engine;
  world: ReplayWorld;
  epochMs: number;
  watchdogMs: number;
  busTicksPerUs: number;
  out: Out;
  streams: Streams;
  native: Native;
  modes: Modes;
}

function summary(native: Native, node: ImageNode, out: Out, world: ReplayWorld, engine: Engine, bootUs: number, bootMemory: number[]): string {
  const memory = native.memory();
  let stats: Record<string, number> = {};
  try {
    stats = { ...(node.app?.stats() ?? {}) };
  } catch (e) {
    out.line(`L ${engine.now} error stats() threw: ${oneLine(String(e))}`);
  }
  for (const left of world.leftovers()) out.diverge(left);
  return JSON.stringify({
    virtualUs: engine.now,
    events: engine.executed,
    callbacks: node.callbacks,
    boots: node.boots,
    sleptUs: node.sleptUs,
    crashes: node.crashes.length,
    divergences: out.divergences,
    bootUs,
    memory: { atBoot: bootMemory, atEnd: memory },
    deviceStats: stats,
  });
}

/** Entry point of the image bundle: called with the device's main once the program's top level runs. */
export function start(main: DeviceMain): void {
  const native = getNative();
  // Every module is loaded: from here, what the image makes is its own, not the device's (emulator/firmware/budget.c).
  native.baseline();
  const modes = new Modes(native);
  modes.calibrate();
  const out = new Out(native);
  const replay = new Replay(native);
  const meta = replay.meta;
  const engine = new Engine();
  const streams = new Streams(out, native);
  const world = new ReplayWorld(replay, native, modes, out, engine, streams);
  const node = new ImageNode({
    id: meta.id,
    spec: meta.spec as unknown as SimBoardSpec,
    config: deepFreeze(meta.config) as DeviceConfig,
    rolePins: meta.rolePins,
    main,
    engine,
    world,
    epochMs: meta.epochMs,
    watchdogMs: meta.watchdogMs,
    busTicksPerUs: meta.busTicksPerUs,
    out,
    streams,
    native,
    modes,
  });
  world.attach(node.world, node.i2c, node.spi, node.uart);
  // Virtual time 0 is now: the node powers up as the simulator's does, by an event at time 0.
  const origin = native.now();
  let bootMemory: number[] = [];
  engine.at(0, () => {
    node.boot("power-on");
    bootMemory = native.memory();
  });
  out.line(`B ${JSON.stringify({ program: native.programKind, programBytes: native.programBytes, originUs: origin, memory: native.memory(), device: meta.device, board: meta.board, id: meta.id, endUs: meta.endUs })}`);
  const end = meta.endUs;
  let finished = false;
  const dispatch = (): number => {
    if (finished) return -1;
    for (;;) {
      world.inject(node.callbacks);
      const next = engine.peek();
      if (next > end) {
        finished = true;
        node.halt();
        out.line(`S ${summary(native, node, out, world, engine, origin, bootMemory)}`);
        native.flush();
        return -1;
      }
      const due = origin + next;
      if (due > native.now()) return due;
      streams.next();
      native.begin();
      engine.step();
      native.end(streams.current, due, streams.firingArmedIn, streams.firingArmedWork);
    }
  };
  (globalThis as unknown as { __ganzhi: unknown }).__ganzhi = { dispatch };
}
