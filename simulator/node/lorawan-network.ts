/**
 * The Node half of a LoRaWAN run's network side: the network server the gateways forward to (the embedded one
 * unless `lns` names a real one), the UDP bridge the gateways reach it through, and its MQTT integration towards the
 * run's broker. Decoded uplinks reach the broker as ChirpStack v4 events, so what a platform subscribes to is the
 * same with real servers. The air and the gateways are the portable half (simulator/core/link-side.ts), next to the
 * nodes on whichever engine runs them.
 */
import type { Engine } from "../core/engine.js";
import type { RadioPlan } from "../core/radio/kunming-network.js";
import type { LorawanIdentity } from "../core/radio/provisioning.js";
import { CN470 } from "./lns/cn470.js";
import { connectIntegration } from "./lns/integration.js";
import type { Integration } from "./lns/integration.js";
import { EmbeddedLns } from "./lns/server.js";
import { UdpBridge } from "./udp-bridge.js";

export interface LorawanNetworkOptions {
  engine: Engine;
  seed: number;
  brokerUrl: string;
  /** A real network server's Semtech UDP endpoint, "udp://ip:port"; default: the embedded one. */
  lns?: string;
  plan: RadioPlan;
  applicationId: string;
  devices: readonly { name: string; identity: LorawanIdentity }[];
  onWarning: (message: string) => void;
  /** Each event the embedded server publishes, as it publishes it. */
  onEvent?: (record: IntegrationRecord) => void;
}

/** One integration event as the network server published it, at the virtual time it did. */
export interface IntegrationRecord {
  at: number;
  topic: string;
  event: Record<string, unknown>;
}

export interface LorawanNetwork {
  bridge: UdpBridge;
  /** Where the gateways' packet forwarders send. */
  server: { address: string; port: number };
  lns: EmbeddedLns | undefined;
  integration: Integration | undefined;
  /** Every event the embedded server published, in order (empty with an external server). */
  events: IntegrationRecord[];
  lnsUrl: string;
  close(): Promise<void>;
}

export function parseLnsUrl(url: string): { address: string; port: number } {
  const m = /^udp:\/\/((?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}):(\d{1,5})$/.exec(url);
  const port = m ? Number(m[2]) : 0;
  if (!m || port < 1 || port > 65535) throw new Error(`network server must be udp://<IPv4>:<port 1…65535>, got "${url}"`);
  return { address: m[1]!, port };
}

export async function startLorawanNetwork(o: LorawanNetworkOptions): Promise<LorawanNetwork> {
  const events: IntegrationRecord[] = [];
  let lns: EmbeddedLns | undefined;
  let integration: Integration | undefined;
  let server: { address: string; port: number };
  if (o.lns) {
    server = parseLnsUrl(o.lns);
  } else {
    lns = new EmbeddedLns({
      region: CN470,
      applicationId: o.applicationId,
      applicationName: o.applicationId,
      channels: o.plan.gatewayChannels,
      onEvent: (topic, event) => {
        const record = { at: o.engine.now, topic, event };
        events.push(record);
        o.onEvent?.(record);
        integration?.publish(topic, event);
      },
    });
    await lns.start();
    for (const d of o.devices) lns.addDevice({ ...d.identity, name: d.name });
    try {
      integration = await connectIntegration({
        brokerUrl: o.brokerUrl,
        applicationId: o.applicationId,
        clientId: `ganzhi-lns-${o.seed}`,
        onCommand: (c) => lns!.enqueue(c),
        onWarning: o.onWarning,
      });
    } catch (e) {
      o.onWarning((e as Error).message);
    }
    server = { address: "127.0.0.1", port: lns.port };
  }
  const bridge = new UdpBridge(o.engine, lns ? { lns } : {});
  return {
    bridge,
    server,
    lns,
    integration,
    events,
    lnsUrl: o.lns ?? lns!.url,
    async close() {
      bridge.closeAll();
      await integration?.settled();
      await integration?.close();
      await lns?.close();
    },
  };
}
