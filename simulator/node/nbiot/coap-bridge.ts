/**
 * The NB-IoT core's UDP to real servers over real sockets, holding virtual time still while a server owes an
 * answer (the rule of tcp-bridge.ts and udp-bridge.ts, for CoAP).
 *
 * "Owes" is read from the CoAP messages themselves (RFC 7252 §4, with the runtime's codec): a confirmable
 * request is owed its ACK or Reset (same message ID), an empty ACK turns that into a separate response owed by
 * token, a non-confirmable request is owed a response with its token. Retransmissions are owed again, so a
 * server that answers each copy is waited for each time. Any server that answers every request this way, the
 * embedded one or libcoap's coap-server, makes the hold exact: the answer lands at the virtual instant its request
 * left the core. A server that never answers is waited for at most `maxWaitMs` of wall time (counted as a stall).
 * Datagrams that are not CoAP requests are sent without a hold.
 */
import dgram from "node:dgram";
import { ACK, CON, decodeCoap, EMPTY, NON, RST } from "../../../runtime/coap/message.js";
import type { CoapMessage } from "../../../runtime/coap/message.js";
import type { Engine } from "../../core/engine.js";
import type { DatagramEvents, DatagramNetwork, DatagramSocket } from "../../core/network.js";
import type { IoGate } from "../loop.js";
import { WallHold } from "../wall-hold.js";

export interface CoapBridgeStats {
  datagramsOut: number;
  datagramsIn: number;
  /** Times the wall-clock limit released virtual time while an answer was still owed. */
  stalls: number;
}

export interface CoapBridgeOptions {
  /** Longest wall wait for an owed answer before virtual time moves on (default 10 s). */
  maxWaitMs?: number;
  /** Where a destination really is (default: where the UE addressed it), e.g. a server's loopback port. */
  route?: (address: string, port: number) => { address: string; port: number };
  /** Every datagram, both ways, at its virtual time (frame logs, tests). */
  tap?: (event: { owner: string; dir: "tx" | "rx"; bytes: Uint8Array; at: number }) => void;
}

const tokenKey = (t: Uint8Array): string => Array.from(t, (b) => b.toString(16).padStart(2, "0")).join("");

function coapOf(bytes: Uint8Array): CoapMessage | undefined {
  try {
    return decodeCoap(bytes);
  } catch {
    return undefined;
  }
}

export class CoapUdpBridge implements DatagramNetwork, IoGate {
  readonly stats: CoapBridgeStats = { datagramsOut: 0, datagramsIn: 0, stalls: 0 };
  readonly #engine: Engine;
  readonly #o: CoapBridgeOptions;
  readonly #sockets = new Set<dgram.Socket>();
  /** Answers owed, by socket and message ID ("m") or token ("t"), with how many copies are owed. */
  readonly #owed = new Map<string, number>();
  /** Tokens of confirmable requests, for the separate response an empty ACK announces (bounded). */
  readonly #tokens = new Map<string, string>();
  readonly #hold: WallHold;
  #nextSocket = 0;

  constructor(engine: Engine, options: CoapBridgeOptions = {}) {
    this.#engine = engine;
    this.#o = options;
    this.#hold = new WallHold(() => this.busy, options.maxWaitMs ?? 10_000, () => {
      this.stats.stalls++;
      this.#owed.clear();
    });
  }

  get busy(): boolean {
    return this.#owed.size > 0;
  }

  idle(): Promise<void> {
    return this.#hold.idle();
  }

  #owe(key: string): void {
    this.#owed.set(key, (this.#owed.get(key) ?? 0) + 1);
  }

  #settle(key: string): boolean {
    const n = this.#owed.get(key);
    if (n === undefined) return false;
    if (n > 1) this.#owed.set(key, n - 1);
    else this.#owed.delete(key);
    this.#hold.check();
    return true;
  }

  open(owner: string, address: string, port: number, events: DatagramEvents): DatagramSocket {
    const socket = dgram.createSocket("udp4");
    const id = this.#nextSocket++;
    const to = this.#o.route?.(address, port) ?? { address, port };
    this.#sockets.add(socket);
    socket.on("message", (msg) => {
      const bytes = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength).slice();
      this.stats.datagramsIn++;
      this.#o.tap?.({ owner, dir: "rx", bytes, at: this.#engine.now });
      this.#engine.at(this.#engine.now, () => events.message(bytes));
      this.#answered(id, bytes);
    });
    socket.on("error", () => {
      // ICMP port unreachable and the like: the datagram is lost, as on a real network; a hold ends by its limit.
    });
    return {
      send: (bytes: Uint8Array) => {
        this.stats.datagramsOut++;
        this.#o.tap?.({ owner, dir: "tx", bytes, at: this.#engine.now });
        const m = coapOf(bytes);
        if (m && m.code !== EMPTY && m.code < 64) {
          if (m.type === CON) {
            this.#owe(`${id}|m|${m.messageId}`);
            this.#tokens.set(`${id}|${m.messageId}`, tokenKey(m.token));
            if (this.#tokens.size > 256) this.#tokens.delete(this.#tokens.keys().next().value!);
          }
          else if (m.type === NON) this.#owe(`${id}|t|${tokenKey(m.token)}`);
        }
        socket.send(bytes, to.port, to.address);
      },
      close: () => {
        this.#sockets.delete(socket);
        socket.close();
      },
    };
  }

  #answered(id: number, bytes: Uint8Array): void {
    const m = coapOf(bytes);
    if (!m) return;
    if (m.type === ACK || m.type === RST) {
      const key = `${id}|m|${m.messageId}`;
      if (!this.#owed.has(key)) return;
      // An empty ACK promises a separate response, matched by token; owe that before settling the ACK.
      if (m.type === ACK && m.code === EMPTY) this.#owe(`${id}|t|${this.#tokenOf(id, m.messageId)}`);
      this.#settle(key);
      return;
    }
    if (m.code >= 64) this.#settle(`${id}|t|${tokenKey(m.token)}`);
  }

  #tokenOf(id: number, messageId: number): string {
    return this.#tokens.get(`${id}|${messageId}`) ?? "";
  }

  closeAll(): void {
    for (const s of this.#sockets) s.close();
    this.#sockets.clear();
    this.#owed.clear();
    this.#hold.release();
  }
}
