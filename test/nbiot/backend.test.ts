/**
 * The NB-IoT backend in one call, as a session wires it: `--coap coap://host:port` parsing, and a node on the
 * core reaching a real CoAP server given by URL (libcoap's coap-server) instead of the embedded one.
 */
import { parse } from "coap-packet";
import { afterEach, describe, expect, it } from "vitest";
import { NbiotLink } from "../../runtime/link/nbiot/link.js";
import { Engine } from "../../simulator/core/engine.js";
import { ModemBench } from "../../simulator/core/nbiot/bench.js";
import { Rng } from "../../simulator/core/rng.js";
import { runEngine } from "../../simulator/node/loop.js";
import { parseCoapUrl, startNbiotBackend } from "../../simulator/node/nbiot/backend.js";
import { pack, PATH, startLibcoapServer } from "./world.js";

let closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

describe("NB-IoT backend", () => {
  it("parses --coap URLs, and says what is wrong with the others", () => {
    expect(parseCoapUrl("coap://10.0.0.7")).toEqual({ host: "10.0.0.7", port: 5683 });
    expect(parseCoapUrl("coap://127.0.0.1:56830")).toEqual({ host: "127.0.0.1", port: 56830 });
    expect(() => parseCoapUrl("coaps://10.0.0.7")).toThrow("--coap coaps://10.0.0.7: scheme coaps is not coap (DTLS, coaps, is not modelled)");
    expect(() => parseCoapUrl("coap://10.0.0.7/senml")).toThrow(/give the server only/);
    expect(() => parseCoapUrl("10.0.0.7:5683")).toThrow(/scheme 10.0.0.7 is not coap|not a URL/);
    expect(() => parseCoapUrl("::")).toThrow(/not a URL/);
  });

  it("with coapUrl the core delivers to that server: a node's frame reaches libcoap's coap-server and comes back 2.01", async () => {
    const lib = await startLibcoapServer();
    closers.push(() => lib.stop());
    const engine = new Engine();
    const rx: Uint8Array[] = [];
    const backend = await startNbiotBackend({
      engine,
      seed: 3,
      brokerUrl: "mqtt://127.0.0.1:1", // not used: no embedded server
      topicPrefix: "kunming/weather",
      coapUrl: `coap://127.0.0.1:${lib.port}`,
      bridge: { tap: (e) => e.dir === "rx" && rx.push(e.bytes) },
    });
    closers.push(() => backend.close());
    expect(backend.server).toBeUndefined();
    expect(backend.coapServer).toEqual({ address: "127.0.0.1", port: lib.port });
    const bench = new ModemBench({ name: "ws-0001", engine, core: backend.core, mclDb: 140 });
    const rng = new Rng(3).fork("host");
    const link = new NbiotLink({ modem: bench.driver, server: backend.coapServer, path: PATH, timer: bench.timers, random: () => rng.float() });
    closers.push(() => link.close());
    let ready = false;
    link.start({ onReady: () => (ready = true) });
    while (!ready && engine.now < 120e6) await runEngine(engine, backend.bridge, engine.now + 1e6);
    expect(ready).toBe(true);
    let result: unknown = "pending";
    link.send(pack(19), { confirmed: true }, (f) => (result = f));
    while (result === "pending" && engine.now < 300e6) await runEngine(engine, backend.bridge, engine.now + 1e6);
    expect(result).toBeUndefined();
    expect(rx.map((b) => parse(Buffer.from(b)).code)).toEqual(["2.01"]);
    expect(backend.bridge.stats.stalls).toBe(0);
  });
});
