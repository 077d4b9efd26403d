/**
 * The NB-IoT side of a simulated run in one call: the core stand-in (cells, attach, loss per CE level), the CoAP
 * bridge to real UDP (holding virtual time while a server owes an answer), and the embedded CoAP server in front of
 * the broker — or, with `coapUrl`, a real CoAP server instead (`--coap coap://host:port`).
 *
 * Nodes are configured to send to `coapServer` (the modem takes numeric IPv4 only); the core forwards to it.
 */
import { lookup } from "node:dns/promises";
import { isIPv4 } from "node:net";
import type { Engine } from "../../core/engine.js";
import { buildNbiotCore } from "../../core/link-side.js";
import type { NbiotCell, NbiotCore, NbiotCoreOptions } from "../../core/nbiot/core.js";
import { CoapUdpBridge } from "./coap-bridge.js";
import type { CoapBridgeOptions } from "./coap-bridge.js";
import { EmbeddedCoapServer } from "./coap-server.js";

export interface NbiotBackendOptions {
  engine: Engine;
  seed: number;
  brokerUrl: string;
  /** MQTT topic prefix, also the CoAP path prefix ("kunming/weather"). */
  topicPrefix: string;
  /** A real CoAP server instead of the embedded one, "coap://host[:port]". */
  coapUrl?: string;
  /** Default: one cell at the origin, antenna 30 m up. */
  cells?: readonly NbiotCell[];
  core?: Partial<Omit<NbiotCoreOptions, "engine" | "seed" | "network" | "cells">>;
  bridge?: CoapBridgeOptions;
  onWarning?: (message: string) => void;
  /** What the embedded CoAP server published to the broker, for which node. */
  onPublished?: (node: string, topic: string, payload: Uint8Array) => void;
}

/** The Node half of the backend: the bridge to real UDP and the server (the core runs beside the nodes). */
export interface NbiotServers {
  readonly bridge: CoapUdpBridge;
  /** The embedded server, when no `coapUrl` was given. */
  readonly server: EmbeddedCoapServer | undefined;
  /** Where nodes send their CoAP. */
  readonly coapServer: { address: string; port: number };
  close(): Promise<void>;
}

export interface NbiotBackend extends NbiotServers {
  readonly core: NbiotCore;
}

/** Host and port of a `coap://` URL (default port 5683), with an error naming what is wrong. */
export function parseCoapUrl(url: string): { host: string; port: number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--coap ${url}: not a URL (expected coap://host:port)`);
  }
  if (u.protocol !== "coap:") throw new Error(`--coap ${url}: scheme ${u.protocol.replace(/:$/, "")} is not coap (DTLS, coaps, is not modelled)`);
  if (u.pathname !== "" && u.pathname !== "/") throw new Error(`--coap ${url}: give the server only; paths come from each node's configuration`);
  const port = u.port === "" ? 5683 : Number(u.port);
  return { host: u.hostname, port };
}

/** The CoAP server (embedded, or the real one `coapUrl` names) and the bridge the core reaches it through. */
export async function startNbiotServers(o: Omit<NbiotBackendOptions, "cells" | "core">): Promise<NbiotServers> {
  let server: EmbeddedCoapServer | undefined;
  let coapServer: { address: string; port: number };
  if (o.coapUrl) {
    const { host, port } = parseCoapUrl(o.coapUrl);
    const address = isIPv4(host) ? host : (await lookup(host, { family: 4 })).address;
    coapServer = { address, port };
  } else {
    server = new EmbeddedCoapServer({ brokerUrl: o.brokerUrl, topicPrefix: o.topicPrefix, clientId: `ganzhi-coap-${o.seed}`, ...(o.onWarning ? { onWarning: o.onWarning } : {}), ...(o.onPublished ? { onPublished: o.onPublished } : {}) });
    await server.start();
    coapServer = { address: "127.0.0.1", port: server.port };
  }
  const bridge = new CoapUdpBridge(o.engine, o.bridge);
  return {
    bridge,
    server,
    coapServer,
    async close() {
      bridge.closeAll();
      await server?.close();
    },
  };
}

export async function startNbiotBackend(o: NbiotBackendOptions): Promise<NbiotBackend> {
  const servers = await startNbiotServers(o);
  const core = buildNbiotCore({ engine: o.engine, seed: o.seed, network: servers.bridge, ...(o.cells ? { cells: o.cells } : {}), ...(o.core ? { core: o.core } : {}) });
  return {
    ...servers,
    core,
    async close() {
      core.close();
      await servers.close();
    },
  };
}
