/**
 * The network server's MQTT integration: what it decodes goes to the broker in ChirpStack v4's shape, and
 * `command/down` messages from the platform come back as downlinks. MQTT.js over real TCP, like any platform
 * client; QoS 1 both ways, so an event is either in the broker or counted as not delivered.
 */
import mqtt from "mqtt";
import type { MqttClient } from "mqtt";
import { commandTopicFilter, parseDownlinkCommand } from "./chirpstack.js";
import type { DownlinkCommand } from "./chirpstack.js";

export interface IntegrationStats {
  published: number;
  acknowledged: number;
  failed: number;
  commands: number;
  badCommands: number;
}

export interface Integration {
  readonly stats: IntegrationStats;
  publish(topic: string, event: Record<string, unknown>): void;
  /** Resolves when every publish so far is acknowledged (or failed). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export async function connectIntegration(options: {
  brokerUrl: string;
  applicationId: string;
  clientId: string;
  onCommand: (command: DownlinkCommand) => void;
  onWarning: (message: string) => void;
}): Promise<Integration> {
  const stats: IntegrationStats = { published: 0, acknowledged: 0, failed: 0, commands: 0, badCommands: 0 };
  const client: MqttClient = mqtt.connect(options.brokerUrl, { clientId: options.clientId, reconnectPeriod: 1000, connectTimeout: 5000 });
  await new Promise<void>((resolve, reject) => {
    const fail = (e: Error) => reject(new Error(`network server integration: cannot reach the broker at ${options.brokerUrl}: ${e.message}`));
    client.once("connect", () => {
      client.off("error", fail);
      resolve();
    });
    client.once("error", fail);
  });
  client.on("error", (e) => options.onWarning(`network server integration: ${e.message}`));
  client.on("message", (topic, payload) => {
    try {
      const cmd = parseDownlinkCommand(topic, new Uint8Array(payload));
      stats.commands++;
      options.onCommand(cmd);
    } catch (e) {
      stats.badCommands++;
      options.onWarning(`network server integration: ${(e as Error).message}`);
    }
  });
  await client.subscribeAsync(commandTopicFilter(options.applicationId), { qos: 1 });
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  const settle = () => {
    if (inFlight > 0) return;
    const w = waiters;
    waiters = [];
    for (const fn of w) fn();
  };
  return {
    stats,
    publish(topic, event) {
      stats.published++;
      inFlight++;
      client.publish(topic, JSON.stringify(event), { qos: 1 }, (err) => {
        if (err) stats.failed++;
        else stats.acknowledged++;
        inFlight--;
        settle();
      });
    },
    settled() {
      return inFlight === 0 ? Promise.resolve() : new Promise((r) => waiters.push(r));
    },
    async close() {
      await client.endAsync();
    },
  };
}
