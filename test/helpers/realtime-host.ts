/**
 * The host pieces device networking code needs — `io.TCP`, `timer`, `clock`, `random`, `log` — in real time over
 * Node, for tests against real brokers (aedes, Mosquitto) and raw `node:net` peers.
 *
 * TCP follows ECMA-419 (and Moddable's lwIP socket) semantics:
 * - the constructor validates its options and starts connecting; no callback runs from inside it or any method;
 * - the first `onWritable(bytes)` means connected; later ones report free space when written data has drained;
 * - `write` is all or nothing and throws when offered more than the writable count (`sendBuffer` bytes, default
 *   5744 like ESP32 lwIP's TCP_SND_BUF) or after close/error;
 * - `read()` never waits: it returns what has arrived (or `byteLength` of it) or undefined;
 * - `onError` reports a failed connect, a reset and a clean remote close alike; only `close()` is valid after it;
 * - `close()` ends the connection gracefully (written bytes still go out) and silences every callback.
 *
 * Exceptions escaping a device callback are caught and kept in `faults` (on a board they would abort the VM), so a
 * test can assert that none happened. `dropSockets()` kills every socket abruptly, like a Wi-Fi loss.
 */
import net from "node:net";
import type { Clock, LogLevel, TimerHandle, Timers } from "../../hal/host.js";
import type { ByteBuffer, TCP, TCPClass, TCPOptions } from "../../hal/io.js";
import { mulberry32 } from "./random.js";

export interface RealtimeHostOptions {
  /** Seed for `random()` (default 1). */
  seed?: number;
  /** Bytes `write` accepts before the data drains (default 5744). */
  sendBuffer?: number;
  /** Also print log lines (default: only when GANZHI_LOG is set). */
  print?: boolean;
}

export interface LogLine {
  level: LogLevel;
  message: string;
  ms: number;
}

export interface RealtimeHost {
  readonly io: { readonly TCP: TCPClass };
  readonly timer: Timers;
  readonly clock: Clock;
  random(): number;
  log(level: LogLevel, message: string): void;
  readonly logs: LogLine[];
  /** Exceptions that escaped a device callback (timer or socket). */
  readonly faults: unknown[];
  /** Open sockets created through `io.TCP`. */
  readonly sockets: ReadonlySet<TCP>;
  /** Destroy every open socket without telling the broker (each reports `onError`, as after a link loss). */
  dropSockets(): void;
  /** Clear every timer and destroy every socket. */
  dispose(): void;
}


function toBytes(b: ByteBuffer): Uint8Array {
  if (b instanceof Uint8Array) return b;
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

class NodeTimer implements TimerHandle {
  declare readonly __timer: true;
  handle: NodeJS.Timeout | undefined;
}

export function createRealtimeHost(options: RealtimeHostOptions = {}): RealtimeHost {
  const t0 = performance.now();
  const faults: unknown[] = [];
  const logs: LogLine[] = [];
  const sockets = new Set<NodeTCP>();
  const timers = new Set<NodeTimer>();
  const sendBuffer = options.sendBuffer ?? 5744;
  const print = options.print ?? !!process.env.GANZHI_LOG;

  const clock: Clock = {
    ticks: () => Math.floor(performance.now() - t0),
    microseconds: () => Math.floor((performance.now() - t0) * 1000),
    unixMs: () => Date.now(),
  };

  function log(level: LogLevel, message: string): void {
    logs.push({ level, message, ms: clock.ticks() });
    if (print) console.log(`[${clock.ticks()} ms] ${level}: ${message}`);
  }

  function shield(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      faults.push(e);
      log("error", `device callback threw: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
  }

  const timer: Timers = {
    set(callback, delay, repeat) {
      if (repeat !== undefined && !(repeat > 0)) throw new RangeError(`timer repeat must be > 0 ms, got ${repeat}`);
      const t = new NodeTimer();
      timers.add(t);
      t.handle = setTimeout(() => {
        if (repeat !== undefined) {
          t.handle = setInterval(() => shield(callback), repeat);
        } else {
          timers.delete(t);
          t.handle = undefined;
        }
        shield(callback);
      }, Math.max(0, delay));
      return t;
    },
    clear(handle) {
      if (!handle) return;
      const t = handle as NodeTimer;
      if (t.handle !== undefined) {
        clearTimeout(t.handle);
        clearInterval(t.handle);
      }
      t.handle = undefined;
      timers.delete(t);
    },
  };

  class NodeTCP implements TCP {
    readonly #sock: net.Socket;
    readonly #opts: TCPOptions;
    readonly #incoming: Buffer[] = [];
    #available = 0;
    #connected = false;
    #closed = false;
    #failed = false;
    #notifyPending = false;
    target: unknown;

    constructor(opts: TCPOptions) {
      if (typeof opts !== "object" || opts === null) throw new TypeError("TCP: options object required");
      if (typeof opts.address !== "string" || net.isIP(opts.address) === 0) {
        throw new TypeError(`TCP: address must be a numeric IP address, got ${String(opts.address)}`);
      }
      if (!(Number.isInteger(opts.port) && opts.port >= 1 && opts.port <= 65535)) {
        throw new RangeError(`TCP: port must be 1…65535, got ${String(opts.port)}`);
      }
      this.#opts = opts;
      this.target = opts.target;
      const sock = net.connect({ host: opts.address, port: opts.port, noDelay: opts.nodelay ?? false });
      this.#sock = sock;
      sockets.add(this);
      sock.on("connect", () => {
        this.#connected = true;
        if (this.#closed) return;
        shield(() => this.#opts.onWritable?.call(this, this.#writableCount()));
      });
      sock.on("data", (chunk: Buffer) => {
        if (this.#closed) return;
        this.#incoming.push(chunk);
        this.#available += chunk.length;
        shield(() => this.#opts.onReadable?.call(this, this.#available));
      });
      let error: Error | undefined;
      sock.on("error", (e) => {
        error = e;
      });
      sock.on("close", () => {
        sockets.delete(this);
        if (this.#closed || this.#failed) return;
        this.#failed = true;
        const e = error ?? new Error("TCP: connection closed by the remote end");
        shield(() => this.#opts.onError?.call(this, e));
      });
    }

    get remoteAddress(): string | undefined {
      return this.#sock.remoteAddress;
    }
    get remotePort(): number | undefined {
      return this.#sock.remotePort;
    }

    #writableCount(): number {
      const free = sendBuffer - this.#sock.writableLength;
      return free > 0 ? free : 0;
    }

    read(byteLength?: number): ArrayBuffer | undefined {
      if (this.#closed) throw new Error("TCP: read after close");
      if (this.#available === 0) return undefined;
      let n = byteLength === undefined ? this.#available : Math.min(byteLength, this.#available);
      const out = new Uint8Array(n);
      let o = 0;
      while (n > 0) {
        const head = this.#incoming[0]!;
        if (head.length <= n) {
          out.set(head, o);
          o += head.length;
          n -= head.length;
          this.#incoming.shift();
        } else {
          out.set(head.subarray(0, n), o);
          this.#incoming[0] = head.subarray(n);
          o += n;
          n = 0;
        }
      }
      this.#available -= out.length;
      return out.buffer;
    }

    write(buffer: ByteBuffer): void {
      if (this.#closed) throw new Error("TCP: write after close");
      if (this.#failed) throw new Error("TCP: write after error");
      if (!this.#connected) throw new Error("TCP: write before connected");
      const bytes = toBytes(buffer);
      const room = this.#writableCount();
      if (bytes.length > room) throw new RangeError(`TCP: write of ${bytes.length} bytes exceeds writable ${room}`);
      // Buffer.from(Uint8Array) copies: the caller may reuse its buffer at once, as with lwIP.
      this.#sock.write(Buffer.from(bytes), () => this.#drained());
    }

    /** Written data reached the kernel: report the free space once per turn of the event loop. */
    #drained(): void {
      if (this.#notifyPending || this.#closed || this.#failed) return;
      this.#notifyPending = true;
      setImmediate(() => {
        this.#notifyPending = false;
        if (this.#closed || this.#failed) return;
        shield(() => this.#opts.onWritable?.call(this, this.#writableCount()));
      });
    }

    close(): void {
      if (this.#closed) return;
      this.#closed = true;
      this.#sock.end();
      // A peer that never closes its side must not keep the socket (and the test) alive.
      setTimeout(() => this.#sock.destroy(), 1000).unref();
    }

    /** Test hook: die abruptly (RST) as if the link were lost; the device sees `onError`. */
    kill(): void {
      this.#sock.resetAndDestroy();
    }
  }

  const random = mulberry32(options.seed ?? 1);

  return {
    io: { TCP: NodeTCP },
    timer,
    clock,
    random,
    log,
    logs,
    faults,
    sockets,
    dropSockets() {
      for (const s of [...sockets]) s.kill();
    },
    dispose() {
      for (const t of [...timers]) timer.clear(t);
      for (const s of [...sockets]) {
        s.close();
        s.kill();
      }
    },
  };
}
