/**
 * One node on the NB-IoT side of the simulator, for the Node tests: the BC95 driver and NbiotLink against the
 * modem model, the core stand-in, the CoAP bridge to real UDP, and whatever CoAP server the test points it at.
 */
import dgram from "node:dgram";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { CborWriter } from "../../runtime/cbor.js";
import { NbiotLink } from "../../runtime/link/nbiot/link.js";
import type { Downlink, LinkFailure } from "../../runtime/link/link.js";
import { SenmlField, SenmlPackWriter } from "../../runtime/senml.js";
import { Engine, SECOND } from "../../simulator/core/engine.js";
import { Rng } from "../../simulator/core/rng.js";
import { runEngine } from "../../simulator/node/loop.js";
import { CoapUdpBridge } from "../../simulator/node/nbiot/coap-bridge.js";
import { bindUdp } from "../../simulator/node/udp.js";
import { Bc95Rig } from "../parts/bc95-rig.js";

export const PATH = "/kunming/weather/ws-0001/senml";

export interface Tapped {
  dir: "tx" | "rx";
  at: number;
  bytes: Uint8Array;
}

export class NbiotNode {
  readonly engine = new Engine();
  readonly taps: Tapped[] = [];
  readonly bridge: CoapUdpBridge;
  readonly rig: Bc95Rig;
  readonly link: NbiotLink;
  readonly downlinks: Downlink[] = [];
  readonly errors: Error[] = [];

  constructor(o: { seed: number; server: { address: string; port: number }; mclDb?: number | null; path?: string; attachTimeoutMs?: number; maxWaitMs?: number }) {
    this.bridge = new CoapUdpBridge(this.engine, { tap: (e) => this.taps.push({ dir: e.dir, at: e.at, bytes: e.bytes }), ...(o.maxWaitMs ? { maxWaitMs: o.maxWaitMs } : {}) });
    this.rig = new Bc95Rig({
      engine: this.engine,
      network: this.bridge,
      mclDb: o.mclDb === undefined ? 130 : o.mclDb,
      core: { seed: o.seed },
      ...(o.attachTimeoutMs ? { driver: { attachTimeoutMs: o.attachTimeoutMs } } : {}),
    });
    const rng = new Rng(o.seed).fork("host");
    this.link = new NbiotLink({ modem: this.rig.driver, server: o.server, path: o.path ?? PATH, timer: this.rig.timers, random: () => rng.float() });
  }

  start(): this {
    this.link.start({ onDownlink: (d) => this.downlinks.push(d), onError: (e) => this.errors.push(e) });
    return this;
  }

  /** Run virtual time in slices until `cond` holds or `seconds` pass, letting real I/O through. */
  async until(cond: () => boolean, seconds: number): Promise<boolean> {
    const end = this.engine.now + seconds * SECOND;
    while (!cond() && this.engine.now < end) await runEngine(this.engine, this.bridge, Math.min(end, this.engine.now + SECOND / 2));
    return cond();
  }

  /** Send one frame; resolves with its failure (undefined: delivered) once the link has settled it. */
  async send(payload: Uint8Array, topic?: string): Promise<LinkFailure | undefined> {
    let result: { failure: LinkFailure | undefined } | undefined;
    this.link.send(payload, { confirmed: true, ...(topic ? { topic } : {}) }, (failure) => (result = { failure }));
    if (!(await this.until(() => result !== undefined, 600))) throw new Error("frame not settled in 600 s of virtual time");
    return result!.failure;
  }

  close(): void {
    this.link.close();
    this.rig.core.close();
    this.bridge.closeAll();
  }
}

/** A SenML-CBOR pack of a weather report, from the device-side writer. */
export function pack(temperature: number, baseTime = 1_780_272_000): Uint8Array {
  const w = new CborWriter(256);
  const p = new SenmlPackWriter(w, { baseName: "urn:dev:ws-0001:" });
  p.begin(baseTime);
  p.value(new SenmlField("temperature", "Cel"), temperature);
  p.value(new SenmlField("humidity", "%RH"), 61);
  return p.end().slice();
}

/** A UDP port that was free a moment ago on 127.0.0.1. */
export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket("udp4");
  const port = await bindUdp(s, 0, "127.0.0.1");
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** libcoap's example server (Debian libcoap3-bin), with dynamic resources so a POST creates one (2.01). */
export async function startLibcoapServer(): Promise<{ port: number; process: ChildProcess; stop(): Promise<void> }> {
  const port = await freeUdpPort();
  const child = spawn("coap-server-notls", ["-A", "127.0.0.1", "-p", String(port), "-d", "10", "-v", "0"], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // Wait until it answers a GET of /.well-known/core (CON, MID 1).
  const probe = dgram.createSocket("udp4");
  const ok = await new Promise<boolean>((resolve) => {
    const deadline = setTimeout(() => resolve(false), 5000);
    probe.once("message", () => {
      clearTimeout(deadline);
      resolve(true);
    });
    const ping = () => probe.send(Uint8Array.of(0x40, 0x01, 0x00, 0x01, 0xbb, ...Buffer.from(".well-known"), 0x04, ...Buffer.from("core")), port, "127.0.0.1");
    const timer = setInterval(ping, 100);
    ping();
    void exited.then(() => {
      clearInterval(timer);
      resolve(false);
    });
    probe.once("message", () => clearInterval(timer));
  });
  probe.close();
  if (!ok) {
    child.kill();
    throw new Error("coap-server-notls did not answer on 127.0.0.1");
  }
  return {
    port,
    process: child,
    async stop() {
      child.kill();
      await exited;
    },
  };
}
