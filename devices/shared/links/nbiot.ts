/** CoAP over NB-IoT through the BC95 of `uplink.nbiot.modem` on its UART (and reset pin, when wired). */
import type { Host } from "../../../hal/host.js";
import type { NodeConfig, ResolvedUARTPart } from "../../../manifests/schema/config.js";
import { Bc95 } from "../../../parts/bc95/driver.js";
import type { Link } from "../../../runtime/link/link.js";
import { NbiotLink } from "../../../runtime/link/nbiot/link.js";
import { telemetryTopic } from "../../../runtime/node/topics.js";

export function createLink(host: Host, config: NodeConfig, topic: string): Link {
  const n = config.uplink.nbiot;
  if (!n) throw new Error("uplink: the nbiot link needs uplink.nbiot");
  const modem = config.parts[n.modem] as ResolvedUARTPart | undefined;
  if (!modem) throw new Error(`uplink: the NB-IoT modem "${n.modem}" is not among this board's parts`);
  return new NbiotLink({
    modem: new Bc95({
      serial: { io: host.io.Serial, receive: modem.receive, transmit: modem.transmit, baud: modem.baud },
      timer: host.timer,
      ...(modem.pins.reset !== undefined ? { reset: { io: host.io.Digital, pin: modem.pins.reset } } : {}),
      ...bc95Options(n.modem, modem),
      // The driver names itself in each line.
      log: (level, message) => host.log(level, message),
    }),
    server: n.server,
    path: `/${telemetryTopic(topic)}`,
    timer: host.timer,
    random: () => host.random(),
  });
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
