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
          ...bc95Options(role, modem),
          log: (level, message) => host.log(level, `bc95: ${message}`),
        }),
    };
  }
  return {};
}

/** The modem's manifest options (every one present in the resolved config, defaults filled in) as the driver takes them. */
function bc95Options(role: string, modem: ResolvedUARTPart) {
  const o = modem.options;
  const num = (key: string): number => {
    const v = o[key];
    if (typeof v !== "number") throw new Error(`uplink: modem ${role} option ${key} must be a number, got ${JSON.stringify(v)}`);
    return v;
  };
  return {
    psm: o["psm"] === false ? (false as const) : { periodicTauS: num("periodicTauS"), activeTimeS: num("activeTimeS") },
    edrxS: num("edrxS") || (false as const),
    attachTimeoutMs: num("attachTimeoutS") * 1000,
    localPort: num("localPort"),
  };
}
