/**
 * `ganzhi sim --engine xs`: the node runs inside ganzhi's XS runner (device code and the portable simulator core:
 * engine, boards, part models, weather, and the link's air, gateways or NB-IoT core), the shell stays in Node
 * (broker, TCP bridge with its MQTT tap, the link's servers and their UDP bridges, files).
 *
 * The run loop is the V8 one (simulator/node/loop.ts) across a process boundary. XS runs the engine in slices and
 * ends a slice after any event that touched a socket; the shell then gives the bytes to the real TcpBridge, whose
 * MQTT ledger decides, as in V8, whether virtual time must wait for the broker's answer. Socket events go back into
 * XS with the next slice and are posted at XS's current virtual time, where V8 posts them. So, for one seed, the
 * frames on the wire are the V8 run's, byte for byte. Datagrams take the same way through the V8 run's UDP bridges
 * (simulator/node/link-world.ts `startLinkServers`), which hold virtual time while a server owes an answer.
 *
 * A fatal condition on XS (a start-up that throws, memory full, a callback that never ends) stops the run cleanly
 * with an `XsRunError` naming the device, the phase and the XS error.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { Engine } from "../core/engine.js";
import { HOUR, type Micros } from "../core/engine.js";
import type { NetSocket } from "../core/network.js";
import type { NodeCrash } from "../core/node.js";
import type { EmbeddedBroker } from "../node/broker.js";
import { BrokerWatch } from "../node/broker-watch.js";
import { LogDigest } from "../node/log-digest.js";
import type { Frame, FrameLog } from "../node/frame-log.js";
import type { MqttTap } from "../node/mqtt-tap.js";
import { anySignal, createFrameTap, DRAIN_STEP_US, DRAIN_US, drainedAccounts, setupSim, summarize, type RunOptions, type SimSummary } from "../node/session.js";
import { startLinkServers } from "../node/link-world.js";
import type { LinkServers } from "../node/link-world.js";
import { combineGates } from "../node/loop.js";
import type { DatagramSocket } from "../core/network.js";
import type { ReportAccounting } from "../core/report-ledger.js";
import { TcpBridge } from "../node/tcp-bridge.js";
import type { BoardEntry } from "./board-entry.js";
import { repoRoot } from "../../tools/xs/build.js";
import { bundleForXs } from "../../tools/xs/bundle.js";
import { XsFatalError, XsProcess } from "../../tools/xs/process.js";
import type { CrashRecord, Delivery, FromXs, NetOp } from "./inside/protocol.js";
import type { KindSpec, ProbeReport } from "./inside/probe.js";
import { fromHex, toHex } from "./inside/xs-host.js";

export interface XsSimOptions extends RunOptions {
  /**
   * What runs on the simulated board: "device" (default) the device's main on the simulator's host provider;
   * "board" the project `ganzhi build` writes (hal/moddable + the device) over simulated Moddable modules
   * (board-entry.ts). The board entry runs one node: a board is one XS machine.
   */
  entry?: "device" | "board";
  /** Device main module (repository-relative or absolute) instead of the manifest's: tests run broken firmware. */
  mainPath?: string;
  /** Measure the heap (a garbage collection at the end of every sample and report cycle). */
  heap?: boolean;
  /** Metering budget of one device callback (default 50 M units) and of start-up (default 200 M). */
  callbackBudget?: number;
  startupBudget?: number;
  /** Chunk + slot bytes the XS machine may allocate (default 256 MiB). */
  heapLimit?: number;
  /** Events per slice between looks at the shell (default 20 000). */
  slice?: number;
  onHour?: (hour: number, world: XsRunWorld) => void | Promise<void>;
}

export interface XsRunWorld {
  bridge: TcpBridge;
  broker: EmbeddedBroker | undefined;
  brokerUrl: string;
  frames: FrameLog;
  mqtt: MqttTap;
}

export interface XsSimResult {
  summary: SimSummary;
  frames: Frame[];
  /** Metering and heap of the device, by kind of work. */
  profile: ProbeReport;
  kinds: KindSpec[];
  world: XsRunWorld;
}

/** The run stopped on XS: the device, the phase it was in, and what XS said. */
export class XsRunError extends Error {
  override name = "XsRunError";
  readonly device: string;
  /** "start-up", "sample", "report", "timer", "io" or "simulator". */
  readonly phase: string;
  /** The kind of cycle, e.g. "sample:air+rain". */
  readonly kind: string | undefined;
  readonly node: string | undefined;
  /** Virtual time, µs. */
  readonly at: number | undefined;
  /** What XS reported: "too much computation (…)", "memory full (…)", "TypeError: …". */
  readonly xsError: string;
  /** "meter", "memory", "stack", "exception", "load", "crash", … */
  override readonly cause: string;
  /** The functions XS went through, innermost first ("start", "main", …), when it said. */
  readonly functions: string[];
  constructor(f: { device: string; phase: string; kind?: string; node?: string; at?: number; xsError: string; cause: string; stack?: string }) {
    const where = [f.kind && f.kind !== f.phase ? `${f.phase} (${f.kind})` : f.phase, f.node ? `on ${f.node}` : "", f.at !== undefined ? `at ${(f.at / HOUR).toFixed(4)} h virtual` : ""]
      .filter(Boolean)
      .join(" ");
    const functions = stackFunctions(f.stack ?? "");
    const via = functions.length > 0 ? ` (at ${functions.slice(0, 4).join(" ← ")})` : "";
    super(`${f.device} on XS: ${f.xsError}${via} — in ${where}`);
    this.functions = functions;
    this.device = f.device;
    this.phase = f.phase;
    this.kind = f.kind;
    this.node = f.node;
    this.at = f.at;
    this.xsError = f.xsError;
    this.cause = f.cause;
  }
}

/**
 * Function names from an XS stack (" at name (file:line)" lines; anonymous ones are "(anonymous)"), down to where
 * the probe called into device code (simulator/xs/inside/probe.ts `#call`).
 */
export function stackFunctions(stack: string): string[] {
  const out: string[] = [];
  for (const line of stack.split("\n")) {
    const m = /^\s*at\s*([^(]*)\(/.exec(line);
    if (!m) continue;
    const name = m[1]!.trim() || "(anonymous)";
    if (name === "#call") {
      if (out[out.length - 1] === "apply") out.pop();
      break;
    }
    out.push(name);
  }
  return out;
}

/** XS's text of an error: its first line; the rest is the stack. */
function splitError(text: string): { message: string; stack: string } {
  const i = text.indexOf("\n");
  return i < 0 ? { message: text, stack: "" } : { message: text.slice(0, i), stack: text.slice(i + 1) };
}

const DEFAULTS = { callbackBudget: 50_000_000, startupBudget: 200_000_000, heapLimit: 256 * 1024 * 1024, slice: 20_000 };

/** The XS bundle of the simulator core with one device main. */
export async function simBundle(mainPath: string, root = repoRoot()): Promise<string> {
  const main = path.isAbsolute(mainPath) ? mainPath : path.join(root, mainPath);
  if (!existsSync(main)) throw new Error(`device main ${mainPath} does not exist`);
  const entry = path.join(root, "simulator", "xs", "inside", "entry.ts");
  const name = "sim-" + path.relative(root, main).replace(/\.ts$/, "").replace(/[^A-Za-z0-9]+/g, "-");
  const b = await bundleForXs({
    name,
    root,
    entryCode: `import main from ${JSON.stringify(main)};\nimport { serve } from ${JSON.stringify(entry)};\nserve(main);\n`,
  });
  return b.file;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function runSimXs(opts: XsSimOptions): Promise<XsSimResult> {
  if (!(opts.hours > 0)) throw new Error(`hours must be > 0, got ${opts.hours}`);
  if (opts.entry === "board" && (opts.nodes ?? 1) !== 1) throw new Error(`the board entry runs one node (a board is one XS machine), not ${opts.nodes}`);
  if (opts.entry === "board" && opts.mainPath !== undefined) throw new Error("the board entry runs the manifest's main as ganzhi build bundles it; mainPath is for the device entry");
  const root = repoRoot();
  const setup = await setupSim(opts);
  const wallStart = performance.now();
  const { mqtt, frames } = createFrameTap();

  // The bridge is V8's own; its engine is a stand-in that knows XS's virtual time and turns posted socket events
  // into deliveries for the next slice.
  const deliveries: Delivery[] = [];
  const clock = {
    now: 0,
    at(t: Micros, fn: () => void) {
      fn();
      return { at: t, done: true };
    },
  };
  // What the nodes held when they got the broker back is read from XS before the next slice (runTo).
  const watch = new BrokerWatch(() => clock.now);
  const bridge = new TcpBridge(clock as unknown as Engine, { ledger: mqtt, tap: mqtt.tap, observer: watch });
  const logs = new LogDigest();
  const sockets = new Map<number, NetSocket>();
  const datagrams = new Map<number, DatagramSocket>();
  const world: XsRunWorld = { bridge, broker: setup.broker, brokerUrl: setup.brokerUrl, frames, mqtt };
  const linkWarnings: string[] = [];
  let servers: LinkServers | undefined;

  const applyOp = (op: NetOp): void => {
    clock.now = op.at;
    if (op.op === "connect") {
      const id = op.id;
      sockets.set(
        id,
        bridge.connect(op.node, op.address, op.port, {
          connected: () => deliveries.push({ id, kind: "connected" }),
          data: (bytes) => deliveries.push({ id, kind: "data", hex: toHex(bytes) }),
          closed: (error) => deliveries.push(error ? { id, kind: "closed", error: error.message } : { id, kind: "closed" }),
        }),
      );
    } else if (op.op === "write") {
      sockets.get(op.id)?.write(fromHex(op.hex));
    } else if (op.op === "close") {
      sockets.get(op.id)?.close();
      sockets.delete(op.id);
    } else if (op.op === "udp-open") {
      const id = op.id;
      if (!servers?.network) throw new Error(`XS opened a datagram socket for ${op.owner} on a ${servers?.link ?? "mqtt"} link, which has no servers to reach`);
      datagrams.set(id, servers.network.open(op.owner, op.address, op.port, { message: (bytes) => deliveries.push({ id, kind: "datagram", hex: toHex(bytes) }) }));
    } else if (op.op === "udp-send") {
      datagrams.get(op.id)?.send(fromHex(op.hex));
    } else {
      datagrams.get(op.id)?.close();
      datagrams.delete(op.id);
    }
  };

  let proc: XsProcess | undefined;
  let boardEntry: BoardEntry | undefined;
  let kinds: KindSpec[] = [];
  const fail = (e: unknown): never => {
    if (e instanceof XsFatalError) {
      const r = e.report;
      const kind = r.phase > 0 ? kinds[r.phase - 1] : undefined;
      const text = splitError(r.message);
      throw new XsRunError({
        device: opts.device,
        phase: r.kind === "load" ? "start-up" : (kind?.phase ?? "simulator"),
        ...(r.kind === "load" ? { kind: "module evaluation" } : kind ? { kind: kind.name } : {}),
        ...(r.kind !== "load" ? { node: setup.ids[r.node], at: r.at } : {}),
        xsError: text.message,
        stack: text.stack,
        cause: r.kind,
      });
    }
    throw e;
  };

  try {
    // The link's servers, on the stand-in clock: what they publish is recorded at XS's virtual time.
    servers = await startLinkServers({
      config: setup.config,
      engine: clock as unknown as Engine,
      seed: opts.seed,
      brokerUrl: setup.brokerUrl,
      ids: setup.ids,
      frames,
      ...(opts.lns ? { lns: opts.lns } : {}),
      ...(opts.coap ? { coap: opts.coap } : {}),
      onWarning: (m) => linkWarnings.push(m),
    });
    const link = servers;
    const configs = setup.ids.map((_, i) => link.nodeConfig(setup.nodeConfig, i));
    const gate = link.gate ? combineGates(bridge, link.gate) : bridge;
    if (opts.entry === "board") {
      // The build pipeline is loaded only for the board entry.
      const { prepareBoardEntry } = await import("./board-entry.js");
      boardEntry = await prepareBoardEntry({ root, device: opts.device, board: opts.board, config: configs[0]!, id: setup.ids[0]! });
    }
    const start = boardEntry ? { module: boardEntry.module, modules: boardEntry.modules } : { module: await simBundle(opts.mainPath ?? setup.config.main, root) };
    proc = await XsProcess.start({ ...start, heapLimit: opts.heapLimit ?? DEFAULTS.heapLimit });
    const p = proc;
    p.onMessage = (m) => {
      const msg = m as unknown as FromXs;
      if (msg.t === "net") applyOp(msg);
      else if (msg.t === "log") {
        const entry = { at: msg.at, node: msg.node, level: msg.level, message: msg.message };
        // Counted for the summary whether or not the caller watches the lines.
        const seen = logs.add(entry);
        opts.onLog?.(entry, seen);
      }
    };
    const ready = await p
      .request<{ t: "ready"; kinds: KindSpec[] } & Record<string, unknown>>(
        {
          t: "init",
          seed: opts.seed,
          ...(opts.epochMs !== undefined ? { epochMs: opts.epochMs } : {}),
          board: setup.spec,
          config: setup.nodeConfig,
          configs,
          link: link.side,
          rolePins: setup.rolePins,
          worlds: [...setup.worlds],
          nodes: setup.ids,
          probe: {
            heap: opts.heap ?? false,
            callbackBudget: opts.callbackBudget ?? DEFAULTS.callbackBudget,
            startupBudget: opts.startupBudget ?? DEFAULTS.startupBudget,
          },
        },
        "ready",
      )
      .catch(fail);
    kinds = ready.kinds;

    const slice = opts.slice ?? DEFAULTS.slice;
    const end: Micros = Math.round(opts.hours * HOUR);
    let executed = 0;
    let lastReport = 0;
    const progress = (force: boolean): void => {
      const wall = performance.now();
      if (!opts.onProgress || (!force && wall - lastReport < 100)) return;
      lastReport = wall;
      opts.onProgress({ virtualUs: clock.now, untilUs: end, events: executed });
    };

    type Stop = Extract<FromXs, { t: "stop" }>;
    type Held = Extract<FromXs, { t: "held" }>;
    const signal = anySignal(opts.signal);
    /** Run XS to `until`; false when the signal stopped it first. */
    const runTo = async (until: Micros): Promise<boolean> => {
      for (;;) {
        if (gate.busy) {
          await gate.idle();
          continue;
        }
        const reconnected = watch.takeReconnected();
        if (reconnected.length > 0) watch.setHeld((await p.request<Held & Record<string, unknown>>({ t: "held", nodes: reconnected }, "held").catch(fail)).held);
        if (signal.aborted) return false;
        const stop = await p.request<Stop & Record<string, unknown>>({ t: "run", until, max: slice, deliver: deliveries.splice(0) }, "stop").catch(fail);
        clock.now = stop.now;
        executed = stop.executed;
        progress(false);
        if (stop.why === "crash") {
          const c = stop.crash!;
          throw new XsRunError({
            device: opts.device,
            phase: c.phase,
            ...(c.kind ? { kind: c.kind } : {}),
            ...(c.stack ? { stack: c.stack } : {}),
            node: c.node,
            at: c.at,
            xsError: c.error,
            cause: "crash",
          });
        }
        if (stop.why === "until" && !gate.busy) {
          // Nothing due before `until`: settle the clock there, but let late socket events land first.
          await yieldToEventLoop();
          if (gate.busy || deliveries.length > 0) continue;
          const settled = await p.request<{ t: "settled"; now: number } & Record<string, unknown>>({ t: "settle", until }, "settled").catch(fail);
          clock.now = settled.now;
          progress(true);
          return true;
        }
        if (stop.why === "slice") await yieldToEventLoop();
      }
    };

    for (let h = 1; clock.now < end; h++) {
      const until = Math.min(end, h * HOUR);
      if (!(await runTo(until))) break;
      if (until < end || h * HOUR === end) await opts.onHour?.(h, world);
    }

    // A radio link takes seconds to minutes to deliver: what was on its way at the end may land in the next
    // minutes (as the V8 run does it, simulator/node/session.ts `runSim`).
    type Accounts = Extract<FromXs, { t: "accounts" }>;
    const accounts = () => p.request<Accounts & Record<string, unknown>>({ t: "accounts" }, "accounts").catch(fail);
    const inOrder = (r: Record<string, ReportAccounting | null>) => setup.ids.map((id) => r[id] ?? undefined);
    const anyHeld = (a: Accounts) => setup.ids.some((id) => (a.held[id] ?? 0) > 0);
    let atEnd: (ReportAccounting | undefined)[] | undefined;
    let drainedUs = 0;
    if (link.shared && clock.now >= end && !signal.aborted) {
      const first = await accounts();
      if (anyHeld(first)) {
        atEnd = inOrder(first.reports);
        for (let t = end + DRAIN_STEP_US; t <= end + DRAIN_US; t += DRAIN_STEP_US) {
          if (!(await runTo(t))) break;
          if (!anyHeld(await accounts())) break;
        }
        drainedUs = clock.now - end;
      }
    }

    type Result = Extract<FromXs, { t: "result" }>;
    const result = await p.request<Result & Record<string, unknown>>({ t: "finish" }, "result").catch(fail);
    // Let the last PUBACKs that were already on their way land in the tap.
    await gate.idle();
    p.end();
    await p.exited;

    const wallSeconds = (performance.now() - wallStart) / 1000;
    const crashes: NodeCrash[] = result.crashes.map((c: CrashRecord) => ({ at: c.at, node: c.node, phase: c.kind ?? c.phase, error: c.error }));
    const drained = atEnd ? drainedAccounts(atEnd, inOrder(result.reports)) : { reports: inOrder(result.reports), deliveredAfterEnd: 0 };
    const summary = summarize({
      opts,
      nodes: setup.ids.length,
      endUs: result.now,
      stopped: result.now >= end ? null : { at: result.now, why: "interrupted" },
      wallSeconds,
      events: result.executed,
      frames,
      mqtt,
      bridge,
      deviceStats: setup.ids.map((id) => result.stats[id] ?? {}),
      deviceSummary: result.summary ?? undefined,
      reports: drained.reports,
      crashes,
      // A start-up that throws on XS stops the run at once (XsRunError), before it could loop.
      bootLoops: [],
      logs,
      brokerUrl: setup.brokerUrl,
      brokerStatus: watch.report(setup.brokerUrl, setup.ids),
      warnings: [...setup.manifestWarnings, ...linkWarnings],
      link: link.link,
      linkStats: { ...result.linkStats, ...link.stats() },
      drain: { deliveredAfterEnd: drained.deliveredAfterEnd, us: drainedUs },
    });
    return { summary, frames: frames.frames, profile: result.probe, kinds, world };
  } finally {
    proc?.kill();
    boardEntry?.dispose();
    bridge.closeAll();
    await servers?.close();
    await setup.broker?.close();
  }
}
