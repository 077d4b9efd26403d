/**
 * The link a node's configuration chooses for its board (`host.config.uplink.link`): MQTT over the board's TCP,
 * LoRaWAN class A through its LoRa transceiver, or CoAP over NB-IoT through its modem. The transceiver and the modem
 * are handed in already constructed (the device or its host wires the parts), so runtime code never imports a part.
 */
import type { Host } from "../../hal/host.js";
import { telemetryTopic } from "./topics.js";
import type { NodeConfig } from "../../manifests/schema/config.js";
import type { Link } from "../link/link.js";
import { LorawanLink } from "../link/lorawan/link.js";
import { SESSION_BYTES } from "../link/lorawan/mac.js";
import type { LoraRadio } from "../link/lorawan/radio.js";
import { RetainedLorawanStore } from "../link/lorawan/store.js";
import { MqttLink } from "../link/mqtt/link.js";
import type { DatagramModem } from "../link/nbiot/modem.js";
import { NbiotLink } from "../link/nbiot/link.js";

export interface LinkParts {
  /** The LoRa transceiver of `uplink.lorawan.radio` (an SX1262 driver). */
  radio?: () => LoraRadio;
  /** The NB-IoT modem of `uplink.nbiot.modem` (a BC95 driver). */
  modem?: () => DatagramModem;
}

/** Retained words the LoRaWAN session and DevNonce counter use (runtime/link/lorawan/store.ts), from this index. */
export const LORAWAN_RETAINED_BASE = 8;

export function hexBytes(hex: string, bytes: number, what: string): Uint8Array {
  if (!new RegExp(`^[0-9a-fA-F]{${2 * bytes}}$`).test(hex)) throw new Error(`uplink.lorawan.identity.${what} must be ${2 * bytes} hex digits`);
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Build the board's link; a missing part or identity is a clear error naming what is missing. */
export function createLink(host: Host, uplink: NodeConfig["uplink"], topic: string, parts: LinkParts): Link {
  switch (uplink.link) {
    case "mqtt":
      if (uplink.qos === 2) throw new Error("uplink.qos 2 is not supported by the device MQTT client (use 0 or 1)");
      return new MqttLink({
        host,
        address: uplink.broker.address,
        port: uplink.broker.port,
        clientId: host.id,
        keepAlive: uplink.keepAliveS,
        status: `${topic}/status`,
        subscribe: [`${topic}/config`],
      });
    case "lorawan": {
      const l = uplink.lorawan;
      if (!l || !parts.radio) throw new Error("uplink: the lorawan link needs uplink.lorawan and a LoRa transceiver part");
      if (!l.identity) throw new Error(`uplink: no LoRaWAN identity (DevEUI, JoinEUI, AppKey) provisioned for ${host.id}`);
      return new LorawanLink({
        radio: parts.radio(),
        timer: host.timer,
        clock: host.clock,
        random: () => host.random(),
        store: new RetainedLorawanStore(host.retained, LORAWAN_RETAINED_BASE, RetainedLorawanStore.wordsFor(SESSION_BYTES)),
        otaa: { devEui: hexBytes(l.identity.devEui, 8, "devEui"), joinEui: hexBytes(l.identity.joinEui, 8, "joinEui"), appKey: hexBytes(l.identity.appKey, 16, "appKey") },
        adr: l.adr,
        dataRate: l.dataRate,
      });
    }
    case "nbiot": {
      const n = uplink.nbiot;
      if (!n || !parts.modem) throw new Error("uplink: the nbiot link needs uplink.nbiot and a modem part");
      return new NbiotLink({ modem: parts.modem(), server: n.server, path: `/${telemetryTopic(topic)}`, timer: host.timer, random: () => host.random() });
    }
  }
}
