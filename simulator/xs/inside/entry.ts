/**
 * A simulated node (or fleet) running inside ganzhi's XS runner: the same portable simulator core as the V8 run
 * (engine, boards, part models, Kunming weather, device firmware), driven over the line protocol of protocol.ts by
 * the Node shell, which keeps the broker, the TCP bridge and the files.
 *
 * The world is built exactly as simulator/node/session.ts builds it (same seed forks, same order), so a run here
 * produces the same uplink frames as on V8, byte for byte. The link's portable half (LoRaWAN's air and gateways,
 * the NB-IoT core: simulator/core/link-side.ts) runs here too, beside the part models; its datagrams go to the
 * servers in the shell through XsNetwork.
 */
import type { DeviceConfig, DeviceMain, SummaryLine } from "../../../hal/host.js";
import type { NodeConfig } from "../../../manifests/schema/config.js";
import { Engine } from "../../core/engine.js";
import { createKunmingWeather } from "../../core/environment/kunming.js";
import type { AirState, Atmosphere, WindState } from "../../core/environment/types.js";
import type { I2CTarget } from "../../core/buses/i2c.js";
import type { SPITarget } from "../../core/buses/spi.js";
import { buildLinkSide } from "../../core/link-side.js";
import type { LinkSide } from "../../core/link-side.js";
import type { PulseSource, VoltageSource } from "../../core/io/lines.js";
import { nativeCiphers } from "../../core/ciphers.js";
import { SimNode } from "../../core/node.js";
import { attachModels } from "../../core/parts.js";
import { buildWorlds, type NodeWorld } from "../../core/worlds.js";
import { ReportLedger } from "../../core/report-ledger.js";
import type { ReportAccounting } from "../../core/report-ledger.js";
import { Rng } from "../../core/rng.js";
import { XsNetwork } from "./network.js";
import { kindsFor, Probe } from "./probe.js";
import type { CrashRecord, FromXs, InitMessage, StopReason, ToXs } from "./protocol.js";
import { xsHost, type XsHost } from "./xs-host.js";

function deepFreeze<T>(o: T): T {
  if (typeof o === "object" && o !== null && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** The weather, with its cost kept out of the device's metering. */
function unmeteredAtmosphere(a: Atmosphere, xs: XsHost): Atmosphere {
  return {
    epochMs: a.epochMs,
    air(t): AirState {
      xs.pause();
      try {
        return a.air(t);
      } finally {
        xs.resume();
      }
    },
    wind(t): WindState {
      xs.pause();
      try {
        return a.wind(t);
      } finally {
        xs.resume();
      }
    },
    windInto(t, out): WindState {
      xs.pause();
      try {
        return a.windInto(t, out);
      } finally {
        xs.resume();
      }
    },
    windSpeed(t): number {
      xs.pause();
      try {
        return a.windSpeed(t);
      } finally {
        xs.resume();
      }
    },
    windDirection(t): number {
      xs.pause();
      try {
        return a.windDirection(t);
      } finally {
        xs.resume();
      }
    },
    rainRate(t): number {
      xs.pause();
      try {
        return a.rainRate(t);
      } finally {
        xs.resume();
      }
    },
    rainBetween(t0, t1): number {
      xs.pause();
      try {
        return a.rainBetween(t0, t1);
      } finally {
        xs.resume();
      }
    },
  };
}

function unmeteredTarget(t: I2CTarget, xs: XsHost): I2CTarget {
  return {
    write(bytes, stop) {
      xs.pause();
      try {
        return t.write(bytes, stop);
      } finally {
        xs.resume();
      }
    },
    read(count, stop) {
      xs.pause();
      try {
        return t.read(count, stop);
      } finally {
        xs.resume();
      }
    },
  };
}

function unmeteredSpiTarget(t: SPITarget, xs: XsHost): SPITarget {
  return {
    exchange(tx, mode) {
      xs.pause();
      try {
        return t.exchange(tx, mode);
      } finally {
        xs.resume();
      }
    },
  };
}

function unmeteredVoltage(v: VoltageSource, xs: XsHost): VoltageSource {
  return (t) => {
    xs.pause();
    try {
      return v(t);
    } finally {
      xs.resume();
    }
  };
}

function unmeteredPulses(p: PulseSource, xs: XsHost): PulseSource {
  return {
    count(t) {
      xs.pause();
      try {
        return p.count(t);
      } finally {
        xs.resume();
      }
    },
    nextAfter(t) {
      xs.pause();
      try {
        return p.nextAfter(t);
      } finally {
        xs.resume();
      }
    },
  };
}

/**
 * A world's quantities (water, structure, …) with every method unmetered: the lake and the bridge are the
 * simulator's, not the device's, whichever device callback a model happens to ask them from.
 */
function unmeteredWorld(w: NodeWorld, xs: XsHost): NodeWorld {
  const out: Record<string, unknown> = {};
  for (const [key, q] of Object.entries(w)) {
    out[key] =
      typeof q !== "object" || q === null
        ? q
        : new Proxy(q as object, {
            get(target, k) {
              const v = Reflect.get(target, k) as unknown;
              if (typeof v !== "function") return v;
              return (...args: unknown[]) => {
                xs.pause();
                try {
                  return (v as (...a: unknown[]) => unknown).apply(target, args);
                } finally {
                  xs.resume();
                }
              };
            },
          });
  }
  return out as NodeWorld;
}

class XsWorld {
  readonly xs: XsHost;
  readonly engine = new Engine();
  readonly network: XsNetwork;
  readonly link: LinkSide;
  readonly nodes: SimNode[] = [];
  readonly ledgers: ReportLedger[] = [];
  readonly probe: Probe;
  readonly epochMs: number;
  #crashesSeen = 0;
  #crashes: CrashRecord[] = [];

  constructor(xs: XsHost, init: InitMessage, main: DeviceMain) {
    this.xs = xs;
    const engine = this.engine;
    this.network = new XsNetwork(xs, engine);
    const config = deepFreeze(init.config) as unknown as NodeConfig;
    this.probe = new Probe({
      xs,
      engine,
      kinds: kindsFor(config.reporting.intervalS, config.sampling),
      callbackBudget: init.probe.callbackBudget,
      startupBudget: init.probe.startupBudget,
      heap: init.probe.heap,
    });
    const atmosphere = createKunmingWeather(init.epochMs === undefined ? { seed: init.seed } : { seed: init.seed, epochMs: init.epochMs });
    this.epochMs = atmosphere.epochMs;
    const quiet = unmeteredAtmosphere(atmosphere, xs);
    const rolePins = deepFreeze(init.rolePins);
    const configs = (init.configs ?? init.nodes.map(() => init.config)).map((c) => deepFreeze(c) as unknown as DeviceConfig);
    this.link = buildLinkSide(init.link ?? { link: "mqtt" }, { engine, seed: init.seed, epochMs: atmosphere.epochMs, ids: init.nodes, network: this.network });
    const worldOf = buildWorlds(init.worlds ?? [], { seed: init.seed, atmosphere, nodes: init.nodes.length });
    const rng = new Rng(init.seed).fork("nodes");
    init.nodes.forEach((id, index) => {
      const nodeRng = rng.fork(id);
      const ledger = new ReportLedger();
      this.ledgers.push(ledger);
      const node: SimNode = new SimNode({
        id,
        board: init.board,
        config: configs[index]!,
        rolePins,
        main: ledger.wrap(this.probe.wrapMain(main, index), () => node.crashes),
        engine,
        network: this.network,
        epochMs: atmosphere.epochMs,
        random: () => nodeRng.float(),
        cipher: nativeCiphers(xs),
        log: (e) => this.#send({ t: "log", at: e.at, node: e.node, level: e.level, message: e.message }),
        ...(init.watchdogMs !== undefined ? { watchdogMs: init.watchdogMs } : {}),
      });
      // Part models answer on the buses and pins without counting as device work.
      for (const bus of Object.values(node.i2c)) {
        const attach = bus.attach.bind(bus);
        bus.attach = (address: number, target: I2CTarget) => attach(address, unmeteredTarget(target, xs));
      }
      for (const bus of Object.values(node.spi)) {
        const attach = bus.attach.bind(bus);
        bus.attach = (select: number, target: SPITarget) => attach(select, unmeteredSpiTarget(target, xs));
      }
      attachModels(config.parts, { node, atmosphere: quiet, ...unmeteredWorld(worldOf(index), xs), ...this.link.modelContext(index) });
      for (const [pin, v] of [...node.world.analog]) node.world.analog.set(pin, unmeteredVoltage(v, xs));
      for (const [pin, p] of [...node.world.pulse]) node.world.pulse.set(pin, unmeteredPulses(p, xs));
      this.nodes.push(node);
    });
    // A fleet does not power up in lock-step: stagger boots over the first minute (as the V8 session does).
    const stagger = new Rng(init.seed).fork("boot");
    const nodes = this.nodes;
    let first = true;
    for (const node of nodes) {
      engine.at(nodes.length > 1 ? Math.floor(stagger.float() * 60_000_000) : 0, () => {
        const measure = first;
        first = false;
        node.boot("power-on");
        if (measure) this.probe.afterStartup();
      });
    }
  }

  #send(m: FromXs): void {
    this.xs.pause();
    this.xs.send(JSON.stringify(m));
    this.xs.resume();
  }

  /** New crashes since the last look, with the probe's phase for exceptions from device callbacks. */
  #newCrashes(): CrashRecord[] {
    const found: CrashRecord[] = [];
    const all = this.nodes.flatMap((n) => n.crashes);
    for (let i = this.#crashesSeen; i < all.length; i++) {
      const c = all[i]!;
      const record: CrashRecord = { at: c.at, node: c.node, phase: c.phase, error: c.error };
      const t = this.probe.lastThrow;
      if (t && this.nodes[t.node]?.id === c.node && (c.phase === "callback" || c.phase === "start-up")) {
        const kind = this.probe.kinds[t.kind]!;
        record.phase = kind.phase;
        record.kind = kind.name;
        const stack = (t.error as { stack?: unknown } | null)?.stack;
        if (typeof stack === "string") record.stack = stack;
      }
      found.push(record);
    }
    this.#crashesSeen = all.length;
    this.#crashes.push(...found);
    return found;
  }

  run(until: number, max: number): void {
    const engine = this.engine;
    const net = this.network;
    net.flush();
    let why: StopReason = "slice";
    let crash: CrashRecord | undefined;
    for (let n = 0; n < max; n++) {
      if (!engine.step(until)) {
        why = "until";
        break;
      }
      const crashed = this.#newCrashes();
      const fatal = crashed.find((c) => c.phase === "start-up");
      if (fatal) {
        why = "crash";
        crash = fatal;
        break;
      }
      if (net.ops > 0) {
        net.flush();
        why = "io";
        break;
      }
    }
    net.flush();
    const stop: FromXs = { t: "stop", why, now: engine.now, executed: engine.executed, next: engine.peek() };
    if (crash) stop.crash = crash;
    this.#send(stop);
  }

  held(ids: readonly string[]): void {
    const held: Record<string, number> = {};
    this.nodes.forEach((node, i) => {
      if (ids.includes(node.id)) held[node.id] = this.ledgers[i]!.held();
    });
    this.#send({ t: "held", held });
  }

  /** Each node's reports as the run would end now: what a node that is down holds in RAM is gone. */
  #reports(): Record<string, ReportAccounting | null> {
    const reports: Record<string, ReportAccounting | null> = {};
    this.nodes.forEach((node, i) => {
      const ledger = this.ledgers[i]!;
      reports[node.id] = ledger.total(ledger.pendingReset(node.running, node.crashes)) ?? null;
    });
    return reports;
  }

  accounts(): void {
    const held: Record<string, number> = {};
    this.nodes.forEach((node, i) => (held[node.id] = this.ledgers[i]!.held()));
    this.#send({ t: "accounts", reports: this.#reports(), held });
  }

  finish(): void {
    // Before the halt.
    const reports = this.#reports();
    for (const node of this.nodes) node.halt();
    this.network.flush();
    this.#newCrashes();
    const stats: Record<string, Record<string, number>> = {};
    const boots: Record<string, number> = {};
    let summary: readonly SummaryLine[] | null = null;
    for (const node of this.nodes) {
      stats[node.id] = { ...(node.app?.stats() ?? {}) };
      boots[node.id] = node.boots;
      summary ??= node.app?.summary?.() ?? null;
    }
    this.#send({
      t: "result",
      now: this.engine.now,
      executed: this.engine.executed,
      stats,
      reports,
      summary,
      crashes: this.#crashes,
      boots,
      probe: this.probe.report(),
      linkStats: this.link.stats(),
    });
  }
}

/**
 * The bundle's entry calls this with the device's main; it serves the shell until stdin ends. `onInit` sees the
 * init message before the world is built (the board entry takes the board's flash layout from it).
 */
export function serve(main: DeviceMain, onInit?: (init: InitMessage) => void): void {
  const xs = xsHost();
  let world: XsWorld | undefined;
  for (;;) {
    const line = xs.receive();
    if (line === null) return;
    let msg: ToXs;
    try {
      msg = JSON.parse(line) as ToXs;
    } catch {
      xs.send(JSON.stringify({ t: "error", message: `not JSON: ${line.slice(0, 80)}` }));
      continue;
    }
    if (msg.t === "init") {
      onInit?.(msg);
      world = new XsWorld(xs, msg, main);
      xs.send(JSON.stringify({ t: "ready", kinds: world.probe.kinds, epochMs: world.epochMs }));
      continue;
    }
    if (!world) {
      xs.send(JSON.stringify({ t: "error", message: `"${msg.t}" before "init"` }));
      continue;
    }
    if (msg.t === "run") {
      world.network.deliver(msg.deliver);
      world.run(msg.until, msg.max);
    } else if (msg.t === "settle") {
      world.engine.runUntil(msg.until);
      xs.send(JSON.stringify({ t: "settled", now: world.engine.now }));
    } else if (msg.t === "held") {
      world.held(msg.nodes);
    } else if (msg.t === "accounts") {
      world.accounts();
    } else if (msg.t === "finish") {
      world.finish();
      return;
    }
  }
}
