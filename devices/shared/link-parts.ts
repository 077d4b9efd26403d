/**
 * The radio or modem a board's link drives, built from the resolved configuration: the SX1262 of
 * `uplink.lorawan.radio` or the BC95 of `uplink.nbiot.modem`, on the buses and pins the manifest wired them to.
 * Every device's node (runtime/node/node.ts) gets its link parts here, so no device wires a transceiver by hand.
 */
import type { Host } from "../../hal/host.js";
import type { NodeConfig, ResolvedSPIPart, ResolvedUARTPart } from "../../manifests/schema/config.js";
import { Bc95 } from "../../parts/bc95/driver.js";
import { SX1262, type SX1262Config } from "../../parts/sx1262/driver.js";
import type { LinkParts } from "../../runtime/node/link.js";

export function linkParts(host: Host, config: NodeConfig): LinkParts {
  const uplink = config.uplink;
  if (uplink.link === "lorawan" && uplink.lorawan) {
    const role = uplink.lorawan.radio;
    const radio = config.parts[role] as ResolvedSPIPart | undefined;
    if (!radio) throw new Error(`uplink: the LoRaWAN radio "${role}" is not among this board's parts`);
    const spi = host.SPI[radio.bus];
    if (!spi) throw new Error(`uplink: board has no SPI bus "${radio.bus}" for the radio "${role}"`);
    return {
      radio: () =>
        new SX1262({
          spi,
          digital: host.io.Digital,
          pins: { nss: radio.pins.nss!, busy: radio.pins.busy!, dio1: radio.pins.dio1!, reset: radio.pins.reset! },
          timer: host.timer,
          clock: host.clock,
          config: radio.options as Partial<SX1262Config>,
          onError: (e) => host.log("warn", `sx1262: ${e.message}`),
        }),
    };
  }
  if (uplink.link === "nbiot" && uplink.nbiot) {
    const role = uplink.nbiot.modem;
    const modem = config.parts[role] as ResolvedUARTPart | undefined;
    if (!modem) throw new Error(`uplink: the NB-IoT modem "${role}" is not among this board's parts`);
    return {
      modem: () =>
        new Bc95({
          serial: { io: host.io.Serial, receive: modem.receive, transmit: modem.transmit, baud: modem.baud },
          timer: host.timer,
          ...(modem.pins.reset !== undefined ? { reset: { io: host.io.Digital, pin: modem.pins.reset } } : {}),
          log: (level, message) => host.log(level, `bc95: ${message}`),
        }),
    };
  }
  return {};
}
