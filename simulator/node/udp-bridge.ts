/**
 * Bridges the simulated gateways' packet forwarders to real UDP, and holds virtual time still while the network
 * server owes them something (the rule of tcp-bridge.ts, for datagrams).
 *
 * With the embedded network server the hold is exact: virtual time waits until the server has received every
 * datagram the gateways sent, has closed de-duplication (`flush`, called here once every reception of this instant
 * is in) and every datagram it sent back (acks, downlinks) has reached its gateway. So a downlink lands at the same
 * virtual instant in every run. With an external server (`--lns udp://…`), the bridge waits for each PUSH_DATA's
 * and PULL_DATA's acknowledgement and then `graceMs` of wall time for a downlink to come back; a downlink that comes
 * later than its transmit time is refused by the gateway with TOO_LATE, as a real gateway would.
 */
import dgram from "node:dgram";
import type { Engine } from "../core/engine.js";
import type { DatagramEvents, DatagramNetwork, DatagramSocket } from "../core/network.js";
import { decodeGwmp, PULL_ACK, PULL_DATA, PUSH_ACK, PUSH_DATA } from "../core/radio/semtech-udp.js";
import type { EmbeddedLns } from "./lns/server.js";
import { WallHold } from "./wall-hold.js";

export interface UdpBridgeStats {
  datagramsOut: number;
  datagramsIn: number;
  /** Times the wall-clock limit released virtual time while something was still owed. */
  stalls: number;
}

export interface UdpBridgeOptions {
  /** The in-process network server, when it is the embedded one (exact accounting). */
  lns?: EmbeddedLns;
  /** External server: wall ms to wait after the last acknowledgement for a downlink (default 400). */
  graceMs?: number;
  /** Longest wall wait for anything owed before virtual time moves on (default 10 s). */
  maxWaitMs?: number;
  /** Every datagram, both ways, at its virtual time (for the frame log). */
  tap?: (event: { owner: string; dir: "tx" | "rx"; bytes: Uint8Array; at: number }) => void;
}

export class UdpBridge implements DatagramNetwork {
  readonly stats: UdpBridgeStats = { datagramsOut: 0, datagramsIn: 0, stalls: 0 };
  readonly #engine: Engine;
  readonly #o: UdpBridgeOptions;
  readonly #sockets = new Set<dgram.Socket>();
  /** Outstanding acknowledgements (external server): token keys. */
  readonly #owedAcks = new Set<string>();
  #graceUntil = 0;
  #graceTimer: NodeJS.Timeout | undefined;
  readonly #hold: WallHold;
  /** Datagrams the bridge sent to / received from the embedded server. */
  #toLns = 0;
  #fromLns = 0;
  #lnsOutBase = 0;

  constructor(engine: Engine, options: UdpBridgeOptions = {}) {
    this.#engine = engine;
    this.#o = options;
    // Give up on what is owed: forget acks, close the grace window, and (embedded) count the server's datagrams
    // as arrived so the run goes on; the stall is reported in the summary.
    this.#hold = new WallHold(() => this.busy, options.maxWaitMs ?? 10_000, () => {
      this.stats.stalls++;
      this.#owedAcks.clear();
      this.#graceUntil = 0;
      if (this.#o.lns) {
        this.#toLns = this.#o.lns.datagramsIn;
        this.#fromLns = this.#o.lns.datagramsOut - this.#lnsOutBase;
      }
    });
    if (options.lns) {
      this.#lnsOutBase = options.lns.datagramsOut;
      options.lns.onDatagram = () => this.#check();
    }
  }

  get busy(): boolean {
    const lns = this.#o.lns;
    if (lns) {
      if (lns.datagramsIn < this.#toLns) return true;
      if (lns.pending > 0) return true;
      return lns.datagramsOut - this.#lnsOutBase > this.#fromLns;
    }
    return this.#owedAcks.size > 0 || Date.now() < this.#graceUntil;
  }

  idle(): Promise<void> {
    this.#check();
    return this.#hold.idle();
  }

  #check(): void {
    const lns = this.#o.lns;
    // Every reception of this instant has reached the server: close de-duplication.
    if (lns && lns.pending > 0 && lns.datagramsIn >= this.#toLns) lns.flush();
    this.#hold.check();
  }

  open(owner: string, address: string, port: number, events: DatagramEvents): DatagramSocket {
    const socket = dgram.createSocket("udp4");
    this.#sockets.add(socket);
    socket.on("message", (msg) => {
      const bytes = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength).slice();
      this.stats.datagramsIn++;
      if (this.#o.lns) this.#fromLns++;
      else this.#acknowledged(bytes);
      this.#o.tap?.({ owner, dir: "rx", bytes, at: this.#engine.now });
      this.#engine.at(this.#engine.now, () => events.message(bytes));
      this.#check();
    });
    socket.on("error", () => {
      // UDP errors (ICMP unreachable with nothing listening) are losses; the gateway's counters show them.
    });
    return {
      send: (bytes: Uint8Array) => {
        this.stats.datagramsOut++;
        if (this.#o.lns) this.#toLns++;
        else this.#expectAck(bytes);
        this.#o.tap?.({ owner, dir: "tx", bytes, at: this.#engine.now });
        socket.send(bytes, port, address);
      },
      close: () => {
        this.#sockets.delete(socket);
        socket.close();
      },
    };
  }

  #expectAck(bytes: Uint8Array): void {
    const type = bytes[3];
    if (bytes.length < 4 || (type !== PUSH_DATA && type !== PULL_DATA)) return;
    this.#owedAcks.add(`${type === PUSH_DATA ? PUSH_ACK : PULL_ACK}:${(bytes[1]! << 8) | bytes[2]!}`);
    if (type === PUSH_DATA) this.#graceUntil = 0; // the window opens when the ack arrives
  }

  #acknowledged(bytes: Uint8Array): void {
    let p;
    try {
      p = decodeGwmp(bytes);
    } catch {
      return;
    }
    if (p.type === "PUSH_ACK" && this.#owedAcks.delete(`${PUSH_ACK}:${p.token}`)) {
      const grace = this.#o.graceMs ?? 400;
      this.#graceUntil = Date.now() + grace;
      if (this.#graceTimer) clearTimeout(this.#graceTimer);
      this.#graceTimer = setTimeout(() => this.#check(), grace + 1);
    } else if (p.type === "PULL_ACK") this.#owedAcks.delete(`${PULL_ACK}:${p.token}`);
  }

  closeAll(): void {
    if (this.#graceTimer) clearTimeout(this.#graceTimer);
    for (const s of this.#sockets) s.close();
    this.#sockets.clear();
    this.#hold.release();
  }
}
