/**
 * The network side a run needs for the link its device uses on this board (`config.uplink.link`):
 * - MQTT: nothing beyond the broker (nodes dial it over the TCP bridge);
 * - LoRaWAN: the air, gateways, the network server and its MQTT integration (lorawan-network.ts), node positions
 *   and per-node OTAA identities;
 * - NB-IoT: the core stand-in, the CoAP bridge and server (nbiot/backend.ts).
 * What reaches the broker by those ways goes into the run's frame log as the broker received it.
 *
 * It comes in two halves. The servers (`startLinkServers`: network server, CoAP server, their UDP bridges, the
 * nodes' identities) stay in Node; the air, gateways and core (simulator/core/link-side.ts) share virtual time with
 * the nodes and run on their engine: here for V8 (`startLinkWorld`), inside XS for `--engine xs`
 * (simulator/xs/session.ts carries their datagrams across the process boundary to the same servers).
 */
import type { DeviceConfig } from "../../hal/host.js";
import { isSenmlPort, isSenmlTopic } from "../../runtime/node/topics.js";
import type { NodeConfig } from "../../manifests/schema/config.js";
import type { Engine } from "../core/engine.js";
import type { LinkSide, LinkSideSpec } from "../core/link-side.js";
import { noLinkSide } from "../core/link-side-none.js";
import type { DatagramNetwork } from "../core/network.js";
import type { ModelContext } from "../core/parts.js";
import type { FrameLog } from "./frame-log.js";
import type { IoGate } from "./loop.js";
// The network server and the CoAP server (with lora-packet, the coap package and their dependencies) load only
// for a run whose link needs them: an MQTT run starts without them.
import type { IntegrationRecord, LorawanNetwork } from "./lorawan-network.js";
import type { NbiotServers } from "./nbiot/backend.js";

export interface LinkWorldOptions {
  config: NodeConfig;
  engine: Engine;
  seed: number;
  epochMs: number;
  brokerUrl: string;
  ids: readonly string[];
  frames: FrameLog;
  /** A real LoRaWAN network server's Semtech UDP endpoint, "udp://ip:port". */
  lns?: string;
  /** A real CoAP server, "coap://host:port". */
  coap?: string;
  onWarning: (message: string) => void;
}

/** The Node half of the network side. */
export interface LinkServers {
  readonly link: NodeConfig["uplink"]["link"];
  /** The nodes share something in virtual time (the air): they must run on one engine, in time order. */
  readonly shared: boolean;
  /** Real I/O of the link's network side that virtual time must wait for (besides the broker's TCP). */
  readonly gate: IoGate | undefined;
  /** Where the portable half's datagrams go (the gateways' forwarders, the core's UDP); none for MQTT. */
  readonly network: DatagramNetwork | undefined;
  /** What the portable half is built from. */
  readonly side: LinkSideSpec;
  /** What node `index` is configured with: the run's broker, and its identity or server for this link. */
  nodeConfig(base: DeviceConfig, index: number): DeviceConfig;
  /** Counters of the servers for the summary. */
  stats(): Record<string, number>;
  readonly lorawan: LorawanNetwork | undefined;
  readonly nbiot: NbiotServers | undefined;
  close(): Promise<void>;
}

export interface LinkWorld extends LinkServers {
  /** What a node's part models see of the network: the air and where it stands, or the NB-IoT cells. */
  modelContext(index: number): Partial<ModelContext>;
  /** The air, gateways or core, on the run's engine. */
  readonly portable: LinkSide;
}

/** Both halves on one engine (V8). */
export async function startLinkWorld(o: LinkWorldOptions): Promise<LinkWorld> {
  const servers = await startLinkServers(o);
  // The radio and the NB-IoT core are loaded only by the runs that have them.
  const portable =
    servers.side.link === "mqtt"
      ? noLinkSide()
      : (await import("../core/link-side.js")).buildLinkSide(servers.side, { engine: o.engine, seed: o.seed, epochMs: o.epochMs, ids: o.ids, ...(servers.network ? { network: servers.network } : {}) });
  return {
    ...servers,
    modelContext: portable.modelContext,
    portable,
    stats: () => ({ ...portable.stats(), ...servers.stats() }),
    close: async () => {
      portable.close();
      await servers.close();
    },
  };
}

export async function startLinkServers(o: Omit<LinkWorldOptions, "epochMs">): Promise<LinkServers> {
  const link = o.config.uplink.link;
  const withUplink = (base: DeviceConfig, uplink: Record<string, unknown>): DeviceConfig => {
    const b = base as unknown as NodeConfig;
    return Object.freeze({ ...b, uplink: Object.freeze({ ...b.uplink, ...uplink }) }) as unknown as DeviceConfig;
  };
  if (link === "lorawan") {
    const [{ kunmingRadioPlan }, { lorawanIdentity }, { startLorawanNetwork }] = await Promise.all([
      import("../core/radio/kunming-network.js"),
      import("../core/radio/provisioning.js"),
      import("./lorawan-network.js"),
    ]);
    const plan = kunmingRadioPlan(o.seed);
    const identities = o.ids.map((id, i) => lorawanIdentity(o.seed, i + 1, id));
    const net = await startLorawanNetwork({
      engine: o.engine,
      seed: o.seed,
      brokerUrl: o.brokerUrl,
      ...(o.lns ? { lns: o.lns } : {}),
      plan,
      applicationId: o.config.device,
      devices: o.ids.map((name, i) => ({ name, identity: identities[i]! })),
      onWarning: o.onWarning,
      onEvent: (e) => recordUplink(e, o),
    });
    return {
      link,
      shared: true,
      gate: net.bridge,
      nodeConfig: (base, i) => {
        const l = (base as unknown as NodeConfig).uplink.lorawan!;
        return withUplink(base, { lorawan: Object.freeze({ ...l, identity: Object.freeze({ ...identities[i]! }) }) });
      },
      network: net.bridge,
      side: { link, server: net.server },
      stats: () => {
        const s: Record<string, number> = {};
        if (net.lns) for (const [k, v] of Object.entries(net.lns.stats)) s[`lns.${k}`] = v;
        return s;
      },
      lorawan: net,
      nbiot: undefined,
      close: () => net.close(),
    };
  }
  if (link === "nbiot") {
    const topic = o.config.uplink.topic;
    const prefix = topic.replace(/\/?\{id\}.*$/, "");
    const { startNbiotServers } = await import("./nbiot/backend.js");
    const backend = await startNbiotServers({
      engine: o.engine,
      seed: o.seed,
      brokerUrl: o.brokerUrl,
      topicPrefix: prefix,
      ...(o.coap ? { coapUrl: o.coap } : {}),
      onWarning: o.onWarning,
      onPublished: (node, t, payload) => o.frames.record(node, t, payload, o.engine.now, isSenmlTopic(t)),
    });
    return {
      link,
      shared: true,
      gate: backend.bridge,
      nodeConfig: (base) => {
        const n = (base as unknown as NodeConfig).uplink.nbiot!;
        return withUplink(base, { nbiot: Object.freeze({ ...n, server: Object.freeze({ ...backend.coapServer }) }) });
      },
      network: backend.bridge,
      side: { link },
      stats: () => {
        const s: Record<string, number> = {};
        if (backend.server) {
          const v = backend.server.stats;
          s["coap.requests"] = v.requests;
          s["coap.published"] = v.published;
          s["coap.publishFailures"] = v.publishFailures;
          for (const [code, n] of Object.entries(v.rejected)) s[`coap.rejected.${code}`] = n;
        }
        return s;
      },
      lorawan: undefined,
      nbiot: backend,
      close: () => backend.close(),
    };
  }
  return {
    link,
    shared: false,
    gate: undefined,
    network: undefined,
    side: { link: "mqtt" },
    nodeConfig: (base) => base,
    stats: () => ({}),
    lorawan: undefined,
    nbiot: undefined,
    close: async () => {},
  };
}

/** A decoded uplink of the network server, as the broker gets it, into the frame log (telemetry and events decoded). */
function recordUplink(e: IntegrationRecord, o: Pick<LinkWorldOptions, "frames">): void {
  if (!e.topic.endsWith("/event/up")) return;
  const ev = e.event as { data?: string; fPort?: number; deviceInfo?: { deviceName?: string } };
  if (typeof ev.data !== "string") return;
  o.frames.record(ev.deviceInfo?.deviceName ?? "?", e.topic, new Uint8Array(Buffer.from(ev.data, "base64")), e.at, isSenmlPort(ev.fPort));
}
