/**
 * The embedded MQTT broker for `ganzhi sim`: aedes on a loopback TCP port, so a newcomer needs nothing installed.
 * It is a real broker on a real socket; the simulated nodes reach it through the TCP bridge like any other.
 */
import net from "node:net";
import { Aedes } from "aedes";

export interface EmbeddedBroker {
  readonly address: string;
  readonly port: number;
  readonly url: string;
  /** Stop accepting and drop every client (a broker outage). */
  stop(): Promise<void>;
  /** Start again on the same port after `stop`. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(port = 0, address = "127.0.0.1"): Promise<EmbeddedBroker> {
  let aedes: Aedes | undefined;
  let server: net.Server | undefined;
  const sockets = new Set<net.Socket>();
  let boundPort = port;

  async function start(): Promise<void> {
    aedes = await Aedes.createBroker();
    const broker = aedes;
    server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      broker.handle(socket);
    });
    const srv = server;
    await new Promise<void>((resolve, reject) => {
      srv.once("error", reject);
      srv.listen(boundPort, address, () => {
        srv.off("error", reject);
        resolve();
      });
    });
    boundPort = (srv.address() as net.AddressInfo).port;
  }

  async function stop(): Promise<void> {
    const srv = server;
    const broker = aedes;
    server = undefined;
    aedes = undefined;
    for (const s of sockets) s.destroy();
    sockets.clear();
    if (srv) await new Promise<void>((resolve) => srv.close(() => resolve()));
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
  }

  await start();
  return {
    address,
    get port() {
      return boundPort;
    },
    get url() {
      return `mqtt://${address}:${boundPort}`;
    },
    stop,
    start,
    close: stop,
  };
}
