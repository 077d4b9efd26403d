/**
 * ECMA-419 TCP socket over the simulator's `Network`. Device code sees the same callbacks as on lwIP:
 * `onWritable` first means connected, `onReadable(bytes)` when data waits, `onError` on failure or close.
 */
import type { ByteBuffer, TCP, TCPClass, TCPOptions } from "../../../hal/io.js";
import type { NetSocket, Network } from "../network.js";
import { assertOpen, toBytes } from "./pins.js";
import { boundClass } from "./bound-class.js";

/** What lwIP's default send buffer would accept at once on the boards we target (TCP_SND_BUF ~ 5.7 KB on ESP32). */
const WRITABLE = 5744;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

interface TCPBoard {
  network: Network;
  nodeId: string;
  wrap: (fn: () => void) => void;
  post: (fn: () => void) => void;
}

class SimTCP implements TCP {
  readonly #board: TCPBoard;
  readonly #socket: NetSocket;
  #rx: Uint8Array[] = [];
  #rxLength = 0;
  #connected = false;
  #closed = false;
  #drainPosted = false;
  readonly #onWritable: ((this: TCP, bytes: number) => void) | undefined;
  readonly remoteAddress: string;
  readonly remotePort: number;
  target: unknown;

  constructor(board: TCPBoard, options: TCPOptions) {
    if (!options || typeof options !== "object") throw new TypeError("TCP: options object required");
    const { address, port } = options;
    if (typeof address !== "string" || !IPV4.test(address)) {
      throw new TypeError(`TCP: address must be a numeric IPv4 address (lwIP resolves no names), got ${String(address)}`);
    }
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new RangeError(`TCP: invalid port ${String(port)}`);
    this.#board = board;
    this.remoteAddress = address;
    this.remotePort = port;
    this.target = options.target;
    const { onReadable, onWritable, onError } = options;
    const wrap = board.wrap;
    this.#onWritable = onWritable;
    this.#socket = board.network.connect(board.nodeId, address, port, {
      connected: () => {
        if (this.#closed) return;
        this.#connected = true;
        if (onWritable) wrap(() => onWritable.call(this, WRITABLE));
      },
      data: (bytes) => {
        if (this.#closed) return;
        this.#rx.push(bytes);
        this.#rxLength += bytes.length;
        if (onReadable) wrap(() => onReadable.call(this, this.#rxLength));
      },
      closed: (error) => {
        if (this.#closed) return;
        this.#closed = true;
        this.#connected = false;
        if (onError) wrap(() => onError.call(this, error ?? new Error("TCP: connection closed by peer")));
      },
    });
  }

  read(byteLength?: number): ArrayBuffer | undefined {
    assertOpen(this.#closed && this.#rxLength === 0, "TCP");
    if (this.#rxLength === 0) return undefined;
    const n = Math.min(byteLength ?? this.#rxLength, this.#rxLength);
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.#rx[0]!;
      const take = Math.min(head.length, n - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) this.#rx.shift();
      else this.#rx[0] = head.subarray(take);
    }
    this.#rxLength -= n;
    return out.buffer;
  }

  write(buffer: ByteBuffer): void {
    assertOpen(this.#closed, "TCP");
    if (!this.#connected) throw new Error("TCP: write before connected");
    const bytes = toBytes(buffer);
    if (bytes.length > WRITABLE) throw new RangeError(`TCP: write of ${bytes.length} bytes exceeds writable ${WRITABLE}`);
    this.#socket.write(bytes.slice());
    // The bridge hands bytes to the host's TCP stack at once, so the send buffer is free again by the next
    // turn; lwIP likewise calls onWritable as acknowledged segments leave its buffer.
    if (this.#onWritable && !this.#drainPosted) {
      this.#drainPosted = true;
      this.#board.post(() => {
        this.#drainPosted = false;
        if (!this.#closed) this.#board.wrap(() => this.#onWritable!.call(this, WRITABLE));
      });
    }
  }

  close(): void {
    if (this.#closed && this.#rxLength === 0) return;
    this.#closed = true;
    this.#rx = [];
    this.#rxLength = 0;
    this.#socket.close();
  }
}

export function makeTCPClass(network: Network, nodeId: string, wrap: (fn: () => void) => void, post: (fn: () => void) => void): TCPClass {
  return boundClass(SimTCP, { network, nodeId, wrap, post });
}
