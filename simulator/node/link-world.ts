/**
 * The network side a run needs for the link its device uses on this board (`config.uplink.link`):
 * - MQTT: nothing beyond the broker (nodes dial it over the TCP bridge);
 * - LoRaWAN: the air, gateways, the network server and its MQTT integration (lorawan-network.ts), node positions
 *   and per-node OTAA identities;
 * - NB-IoT: the core stand-in, the CoAP bridge and server (nbiot/backend.ts).
 * What reaches the broker by those ways goes into the run's frame log as the broker received it.
 */
import type { DeviceConfig } from "../../hal/host.js";
import type { NodeConfig } from "../../manifests/schema/config.js";
import type { Engine } from "../core/engine.js";
import type { ModelContext } from "../core/parts.js";
import { kunmingRadioPlan } from "../core/radio/kunming-network.js";
import { lorawanIdentity } from "../core/radio/provisioning.js";
import type { FrameLog } from "./frame-log.js";
import type { IoGate } from "./loop.js";
import { startLorawanNetwork } from "./lorawan-network.js";
import type { IntegrationRecord, LorawanNetwork } from "./lorawan-network.js";
import { startNbiotBackend } from "./nbiot/backend.js";
import type { NbiotBackend } from "./nbiot/backend.js";

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

export interface LinkWorld {
  readonly link: NodeConfig["uplink"]["link"];
  /** The nodes share something in virtual time (the air): they must run on one engine, in time order. */
  readonly shared: boolean;
  /** Real I/O of the link's network side that virtual time must wait for (besides the broker's TCP). */
  readonly gate: IoGate | undefined;
  /** What node `index` is configured with: the run's broker, and its identity or server for this link. */
  nodeConfig(base: DeviceConfig, index: number): DeviceConfig;
  /** What its part models see of the network: the air and where it stands, or the NB-IoT cells. */
  modelContext(index: number): Partial<ModelContext>;
  /** Counters of the network side for the summary. */
  stats(): Record<string, number>;
  readonly lorawan: LorawanNetwork | undefined;
  readonly nbiot: NbiotBackend | undefined;
  close(): Promise<void>;
}

/** Telemetry on LoRaWAN goes on FPort 1 (runtime/node: the node skeleton's ports). */
const TELEMETRY_PORT = 1;

export async function startLinkWorld(o: LinkWorldOptions): Promise<LinkWorld> {
  const link = o.config.uplink.link;
  const withUplink = (base: DeviceConfig, uplink: Record<string, unknown>): DeviceConfig => {
    const b = base as unknown as NodeConfig;
    return Object.freeze({ ...b, uplink: Object.freeze({ ...b.uplink, ...uplink }) }) as unknown as DeviceConfig;
  };
  if (link === "lorawan") {
    const plan = kunmingRadioPlan(o.seed);
    const identities = o.ids.map((id, i) => lorawanIdentity(o.seed, i + 1, id));
    const net = await startLorawanNetwork({
      engine: o.engine,
      seed: o.seed,
      epochMs: o.epochMs,
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
      modelContext: (i) => ({ air: net.radio, position: plan.nodePosition(i) }),
      stats: () => {
        const s: Record<string, number> = { "radio.frames": net.radio.stats.frames, "gateways.heard": 0, "gateways.collisions": 0, "gateways.snr": 0, "gateways.missedWhileTransmitting": 0 };
        for (const g of net.gateways) {
          s[`gateway.${g.name}.forwarded`] = g.stats.forwarded;
          s["gateways.heard"]! += g.stats.heard;
          s["gateways.collisions"]! += g.stats.collisions;
          s["gateways.snr"]! += g.stats.crcOrSnrLost;
          s["gateways.missedWhileTransmitting"]! += g.stats.missedWhileTransmitting;
        }
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
    const backend = await startNbiotBackend({
      engine: o.engine,
      seed: o.seed,
      brokerUrl: o.brokerUrl,
      topicPrefix: prefix,
      ...(o.coap ? { coapUrl: o.coap } : {}),
      onWarning: o.onWarning,
      onPublished: (node, t, payload) => o.frames.record(node, t, payload, o.engine.now, t.endsWith("/senml")),
    });
    return {
      link,
      shared: true,
      gate: backend.bridge,
      nodeConfig: (base) => {
        const n = (base as unknown as NodeConfig).uplink.nbiot!;
        return withUplink(base, { nbiot: Object.freeze({ ...n, server: Object.freeze({ ...backend.coapServer }) }) });
      },
      modelContext: (i) => {
        // Each node stands somewhere in the one cell's area (the core finds no coverage for a UE it cannot place):
        // 300 m out and 40 m apart, at ground level behind a wall (a meter box: 10 dB of building loss).
        backend.core.place(o.ids[i]!, { x: 300 + 40 * i, y: 0, height: 1.5 }, 10);
        return { nbiot: backend.core };
      },
      stats: () => {
        const c = backend.core.stats;
        const s: Record<string, number> = { "core.attaches": c.attaches, "core.attachFailures": c.attachFailures, "core.taus": c.taus, "core.uplinks": c.uplinks, "core.uplinkLost": c.uplinkLost, "core.uplinkRefused": c.uplinkRefused, "core.downlinks": c.downlinks, "core.downlinkLost": c.downlinkLost };
        c.byCe.forEach((n, ce) => (s[`core.ce${ce}`] = n));
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
    nodeConfig: (base) => base,
    modelContext: () => ({}),
    stats: () => ({}),
    lorawan: undefined,
    nbiot: undefined,
    close: async () => {},
  };
}

/** A decoded uplink of the network server, as the broker gets it, into the frame log (telemetry decoded). */
function recordUplink(e: IntegrationRecord, o: LinkWorldOptions): void {
  if (!e.topic.endsWith("/event/up")) return;
  const ev = e.event as { data?: string; fPort?: number; deviceInfo?: { deviceName?: string } };
  if (typeof ev.data !== "string") return;
  o.frames.record(ev.deviceInfo?.deviceName ?? "?", e.topic, new Uint8Array(Buffer.from(ev.data, "base64")), e.at, ev.fPort === TELEMETRY_PORT);
}
