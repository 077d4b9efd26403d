/**
 * The master's side of a meter-reading exchange on RS-485, shared by the DL/T 645 and CJ/T 188 drivers: send a
 * request (with its wake-up preamble), listen for one reply frame until a deadline, check it with the protocol's
 * rules, retry, and name every fault.
 *
 * The deadline is the meter's longest permitted response delay (`replyTimeoutMs`, counted from the moment the port
 * releases the bus) plus the time the longest expected reply takes on the wire. A reply that fails is one counted,
 * named fault — silence, a frame cut short (with the bytes that came), a bad checksum or end byte, bytes that are
 * not a frame, a frame from another address or with the wrong control code or data identifier, an exception reply —
 * reported through `onError` as a `MeterError`, and the request goes out again up to `retries` times. A reply that
 * arrives after its deadline, or bytes when nothing was asked, are stray and counted too. Never blocks: the wire
 * time and the deadline are host timers, replies come through the Serial's `onReadable`.
 */
import type { Timers, TimerHandle } from "../../hal/host.js";
import type { DigitalClass, PinSpecifier, PortSpecifier, SerialClass, SerialParity } from "../../hal/io.js";
import { ErrorReporter, SensorError, type SensorErrorKind } from "../../hal/sensor.js";
import { FrameAssembler, type FrameShape, WAKE_UP_BYTES } from "./assembler.js";
import { hexBytes } from "./bcd.js";
import { Rs485Port } from "./port.js";

/** What was wrong with an exchange. */
/** Meter buses run 8E1 unless told otherwise (DL/T 645-2007 §4, CJ/T 188); the meter parts' declarations state it as their default. */
export const METER_BUS_PARITY = "even";

export type MeterFault =
  | "timeout"
  | "truncated"
  | "checksum"
  | "framing"
  | "garbage"
  | "address"
  | "control"
  | "identifier"
  | "length"
  | "value"
  | "exception";

export const METER_FAULTS: readonly MeterFault[] = Object.freeze([
  "timeout",
  "truncated",
  "checksum",
  "framing",
  "garbage",
  "address",
  "control",
  "identifier",
  "length",
  "value",
  "exception",
]);

const SENSOR_KIND: Readonly<Record<MeterFault, SensorErrorKind>> = Object.freeze({
  timeout: "timeout",
  truncated: "range",
  checksum: "crc",
  framing: "range",
  garbage: "range",
  address: "identity",
  control: "identity",
  identifier: "identity",
  length: "range",
  value: "range",
  exception: "state",
});

/** A failed or suspect exchange with a meter, with what was wrong (`fault`). */
export class MeterError extends SensorError {
  readonly fault: MeterFault;
  constructor(part: string, fault: MeterFault, message: string) {
    super(part, SENSOR_KIND[fault], message);
    this.fault = fault;
  }
}

/**
 * What the protocol says about a reply frame whose checksum and end byte are right: nothing, or a fault; `final`
 * when asking again cannot help (the meter answered that it has no such data).
 */
export type ReplyCheck = (frame: Uint8Array) => { fault: MeterFault; message: string; final?: boolean } | undefined;

export interface Exchange {
  /** The request, preamble included. */
  request: Uint8Array;
  /** The longest reply expected, bytes on the wire (preamble included), for the deadline. */
  replyBytes: number;
  /** What it is, for messages: "read 00 01 00 00 (forward active energy)". */
  what: string;
  check: ReplyCheck;
  /** The accepted reply frame (from its first 0x68), or the last fault after the retries. */
  done(error: MeterError | undefined, frame: Uint8Array | undefined): void;
}

export interface MeterMasterStats {
  /** Exchanges asked for, and how they ended. */
  exchanges: number;
  replies: number;
  failures: number;
  /** Requests sent, first tries and retries. */
  requests: number;
  retries: number;
  /** Faults by kind (every one also went to `onError`). */
  faults: Record<MeterFault, number>;
  /** Bytes outside any frame: garbage before or between frames, late replies. */
  strayBytes: number;
}

export interface MeterMasterOptions {
  /** How errors name the part: "dlt645@123456789012". */
  part: string;
  shape: FrameShape;
  serial: { io: SerialClass; receive?: PinSpecifier; transmit?: PinSpecifier; port?: PortSpecifier };
  baud: number;
  parity: SerialParity;
  de?: { io: DigitalClass; pin: PinSpecifier } | undefined;
  timer: Timers;
  /** Longest time the meter may take to start its reply after the request, ms. */
  replyTimeoutMs: number;
  /** Tries after the first (default 2). */
  retries?: number;
  onError?: ((error: MeterError) => void) | undefined;
}

/**
 * What every meter driver on the bus takes (DL/T 645, CJ/T 188): the Serial and the transceiver's driver enable, the
 * protocol's timing overridden or not, the FE wake-up preamble, and the Sensor Class Pattern callbacks, called with
 * the driver as `this`.
 */
export interface MeterDriverOptions<D> {
  serial: { io: SerialClass; receive?: PinSpecifier; transmit?: PinSpecifier; port?: PortSpecifier };
  /** Default: the protocol's (2400). */
  baud?: number;
  /** Default "even" (8E1). */
  parity?: SerialParity;
  /** The RS-485 transceiver's driver enable; absent for an auto-direction transceiver. */
  de?: { io: DigitalClass; pin: PinSpecifier };
  timer: Timers;
  replyTimeoutMs?: number;
  retries?: number;
  /** FE bytes before each request (default 4, as both protocols send). */
  preamble?: number;
  onSample?: (this: D) => void;
  onError?: (this: D, error: MeterError) => void;
}

/** What a driver made from its options: its master on the bus, its preamble, and `onSample` bound to it. */
export interface MeterDriverParts {
  master: MeterMaster;
  preamble: number;
  onSample: (() => void) | undefined;
}

/** The master a meter driver reads through, from its options and its protocol's frame shape and defaults. */
export function meterDriverParts<D>(
  driver: D,
  part: string,
  o: MeterDriverOptions<D>,
  protocol: { shape: FrameShape; baud: number; replyTimeoutMs: number },
): MeterDriverParts {
  const preamble = o.preamble ?? WAKE_UP_BYTES;
  if (!Number.isInteger(preamble) || preamble < 0 || preamble > WAKE_UP_BYTES) throw new RangeError(`${part}: preamble must be 0…4 FE bytes, got ${o.preamble}`);
  const { onSample, onError } = o;
  const master = new MeterMaster({
    part,
    shape: protocol.shape,
    serial: o.serial,
    baud: o.baud ?? protocol.baud,
    parity: o.parity ?? METER_BUS_PARITY,
    de: o.de,
    timer: o.timer,
    replyTimeoutMs: o.replyTimeoutMs ?? protocol.replyTimeoutMs,
    ...(o.retries !== undefined ? { retries: o.retries } : {}),
    onError: onError ? (e) => onError.call(driver, e) : undefined,
  });
  return { master, preamble, onSample: onSample ? () => onSample.call(driver) : undefined };
}

type Phase = "idle" | "sending" | "listening";

export class MeterMaster {
  readonly part: string;
  readonly stats: MeterMasterStats;
  readonly #o: MeterMasterOptions;
  readonly #port: Rs485Port;
  readonly #rx: FrameAssembler;
  readonly #errors: ErrorReporter;
  readonly #queue: Exchange[] = [];
  #current: Exchange | undefined;
  #tries = 0;
  #phase: Phase = "idle";
  #deadline: TimerHandle | undefined;
  #closed = false;

  constructor(o: MeterMasterOptions) {
    if (!(o.replyTimeoutMs > 0)) throw new RangeError(`${o.part}: replyTimeoutMs must be > 0, got ${o.replyTimeoutMs}`);
    const retries = o.retries ?? 2;
    if (!Number.isInteger(retries) || retries < 0) throw new RangeError(`${o.part}: retries must be a whole number ≥ 0, got ${retries}`);
    this.#o = { ...o, retries };
    this.part = o.part;
    const faults = {} as Record<MeterFault, number>;
    for (const f of METER_FAULTS) faults[f] = 0;
    this.stats = { exchanges: 0, replies: 0, failures: 0, requests: 0, retries: 0, faults, strayBytes: 0 };
    this.#rx = new FrameAssembler(o.shape);
    this.#errors = new ErrorReporter(o.timer, o.onError ? (e) => !this.#closed && o.onError!(e as MeterError) : undefined);
    this.#port = new Rs485Port({ serial: o.serial, baud: o.baud, parity: o.parity, de: o.de, timer: o.timer, onBytes: (b) => this.#heard(b) });
  }

  /** An exchange is under way or waiting. */
  get busy(): boolean {
    return this.#current !== undefined;
  }

  /** Time `bytes` bytes take on the wire, ms. */
  wireMs(bytes: number): number {
    return this.#port.wireMs(bytes);
  }

  /** Worst case for one exchange with every retry, ms: what a caller may wait before it hears back. */
  worstCaseMs(requestBytes: number, replyBytes: number): number {
    const one = Math.ceil(this.wireMs(requestBytes)) + this.#deadlineMs(replyBytes);
    return one * (this.#o.retries! + 1);
  }

  exchange(x: Exchange): void {
    if (this.#closed) throw new Error(`${this.part}: closed`);
    this.stats.exchanges++;
    this.#queue.push(x);
    if (!this.#current) this.#nextExchange();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#o.timer.clear(this.#deadline);
    this.#deadline = undefined;
    this.#port.close();
    this.#queue.length = 0;
    this.#current = undefined;
  }

  #deadlineMs(replyBytes: number): number {
    return this.#o.replyTimeoutMs + Math.ceil(this.wireMs(replyBytes));
  }

  #nextExchange(): void {
    const x = this.#queue.shift();
    this.#current = x;
    if (!x) return;
    this.#tries = 0;
    this.#send();
  }

  #send(): void {
    const x = this.#current!;
    this.#tries++;
    this.stats.requests++;
    if (this.#tries > 1) this.stats.retries++;
    this.#phase = "sending";
    this.#port.send(x.request, () => {
      this.#phase = "listening";
      this.#rx.reset();
      this.#deadline = this.#o.timer.set(() => {
        this.#deadline = undefined;
        this.#expired();
      }, this.#deadlineMs(x.replyBytes));
    });
  }

  #heard(bytes: Uint8Array): void {
    if (this.#closed) return;
    if (this.#phase !== "listening") {
      this.#stray(bytes.length, `${bytes.length} byte(s) when no reply was due (${hexBytes(bytes, 0, Math.min(bytes.length, 16))}${bytes.length > 16 ? " …" : ""})`);
      return;
    }
    const x = this.#current!;
    this.#rx.push(bytes);
    for (;;) {
      const r = this.#rx.next();
      if (r.stray > 0) this.#stray(r.stray, `${r.stray} byte(s) that are not part of a ${this.#o.shape.protocol} frame before the reply to ${x.what}`);
      if (r.kind === "none") return;
      if (r.kind === "bad") {
        this.#failed(r.fault, `reply to ${x.what}: ${r.message}`);
        return;
      }
      const problem = x.check(r.frame);
      if (problem) {
        this.#failed(problem.fault, `reply to ${x.what}: ${problem.message}`, problem.final === true);
        return;
      }
      this.stats.replies++;
      this.#finish(undefined, r.frame);
      return;
    }
  }

  #expired(): void {
    const x = this.#current!;
    const held = this.#rx.pending;
    if (held > 0) {
      const expected = this.#rx.expected;
      const bytes = this.#rx.held();
      this.#failed(
        "truncated",
        `reply to ${x.what} cut short: ${held} byte(s)${expected ? ` of ${expected}` : ""} by the deadline (${hexBytes(bytes, 0, Math.min(bytes.length, 24))})`,
      );
    } else {
      this.#failed("timeout", `no reply to ${x.what} within ${this.#deadlineMs(x.replyBytes)} ms (try ${this.#tries} of ${this.#o.retries! + 1})`);
    }
  }

  #stray(n: number, message: string): void {
    this.stats.strayBytes += n;
    this.#report("garbage", message);
  }

  #report(fault: MeterFault, message: string): MeterError {
    this.stats.faults[fault]++;
    const e = new MeterError(this.part, fault, message);
    this.#errors.report(e);
    return e;
  }

  /** This try failed: report it, then try again or give up. */
  #failed(fault: MeterFault, message: string, final = false): void {
    const e = this.#report(fault, message);
    this.#o.timer.clear(this.#deadline);
    this.#deadline = undefined;
    this.#phase = "idle";
    if (!final && this.#tries <= this.#o.retries!) {
      this.#send();
      return;
    }
    this.stats.failures++;
    this.#finish(e, undefined);
  }

  #finish(error: MeterError | undefined, frame: Uint8Array | undefined): void {
    this.#o.timer.clear(this.#deadline);
    this.#deadline = undefined;
    this.#phase = "idle";
    const x = this.#current!;
    this.#nextExchange();
    x.done(error, frame);
  }
}
