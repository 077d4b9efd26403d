/**
 * The embedded MQTT broker for `ganzhi sim`: aedes on a loopback TCP port, so a newcomer needs nothing installed.
 * It is a real broker on a real socket; the simulated nodes reach it through the TCP bridge like any other.
 *
 * `stop()`/`start()` model a broker outage: the listener goes away and every connection drops, while sessions
 * and queued QoS 1 messages survive in the broker's memory, as they would in a broker with persistence.
 */
import net from "node:net";
import { Aedes } from "aedes";
import mqttPacket from "mqtt-packet";

// aedes writes every packet with mqtt-packet, which by default first fills a cache of all 65,536 two-byte numbers
// (30 ms and 6 MB of small buffers, a tenth of a simulated day's start-up). A simulator's broker writes a few
// packets a minute: encoding each number when it is written gives the same bytes.
mqttPacket.writeToStream.cacheNumbers = false;

export interface EmbeddedBroker {
  readonly address: string;
  readonly port: number;
  readonly url: string;
  /** Stop accepting and drop every client (a broker outage). */
  stop(): Promise<void>;
  /** Listen again on the same port after `stop`. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(port = 0, address = "127.0.0.1"): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker();
  let server: net.Server | undefined;
  const sockets = new Set<net.Socket>();
  let boundPort = port;

  async function start(): Promise<void> {
    if (server) return;
    const srv = net.createServer((socket) => {
      // aedes writes a packet in pieces, and two answers can follow one another (a SUBACK per SUBSCRIBE): with Nagle's
      // algorithm the second waits for the peer's delayed ACK, 40 ms of wall time in which the run stands still.
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      aedes.handle(socket);
    });
    server = srv;
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
    server = undefined;
    for (const s of sockets) s.destroy();
    sockets.clear();
    if (srv) await new Promise<void>((resolve) => srv.close(() => resolve()));
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
    async close() {
      await stop();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
