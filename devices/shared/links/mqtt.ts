/** MQTT over the board's TCP (Wi-Fi boards): the broker from the manifest, status and last will, the config topic. */
import type { Host } from "../../../hal/host.js";
import type { NodeConfig } from "../../../manifests/schema/config.js";
import type { Link } from "../../../runtime/link/link.js";
import type { WorkQueue } from "../../../runtime/work-queue.js";
import { MqttLink } from "../../../runtime/link/mqtt/link.js";
import { eventTopic, telemetryTopic } from "../../../runtime/node/topics.js";

export function createLink(host: Host, config: NodeConfig, topic: string, work?: WorkQueue): Link {
  const uplink = config.uplink;
  if (uplink.qos === 2) throw new Error("uplink.qos 2 is not supported by the device MQTT client (use 0 or 1)");
  return new MqttLink({
    host,
    address: uplink.broker.address,
    port: uplink.broker.port,
    clientId: host.id,
    keepAlive: uplink.keepAliveS,
    status: `${topic}/status`,
    subscribe: [`${topic}/config`],
    // A node that sends in pieces has its topics encoded at start-up, not in a piece.
    ...(work ? { work, publishTo: [telemetryTopic(topic), eventTopic(topic), `${topic}/config/ack`] } : {}),
  });
}
