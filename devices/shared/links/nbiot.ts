/** CoAP over NB-IoT through the BC95 of `uplink.nbiot.modem` on its UART (and reset pin, when wired). */
import type { Host } from "../../../hal/host.js";
import type { NodeConfig, ResolvedUARTPart } from "../../../manifests/schema/config.js";
import { Bc95 } from "../../../parts/bc95/driver.js";
import type { Link } from "../../../runtime/link/link.js";
import { NbiotLink } from "../../../runtime/link/nbiot/link.js";

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
      log: (level, message) => host.log(level, `bc95: ${message}`),
    }),
    server: n.server,
    path: `/${topic}/senml`,
    timer: host.timer,
    random: () => host.random(),
  });
}
