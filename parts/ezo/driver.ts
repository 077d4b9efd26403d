/**
 * The part of every EZO circuit driver that is the same for all of them (ECMA-419 Sensor Class Pattern, never
 * blocking): one command on the bus at a time, each followed by a host timer for its processing delay, then a read
 * of the reply (protocol.ts). The per-circuit drivers (parts/ezo-<circuit>/driver.ts) add their settings, their
 * reply grammar and their sample.
 *
 * - The circuit is identified with `i` before the first reading (and again after it dropped off the bus); another
 *   circuit type at the address is an "identity" error and no reading is taken from it.
 * - Settings the circuit keeps (output selection, salinity, pressure, cell constant) are sent only when they differ
 *   from what the circuit last acknowledged; after a NACK they are sent again (it may have restarted).
 * - Temperature compensation uses `RT,t` (set and read in one command). A circuit that answers it with a syntax
 *   error (older firmware) gets `T,t` then `R` from then on. A calibration command is preceded by `T,t`: the
 *   circuit relates the probe's response in the standard to its compensation temperature.
 * - `sleep`: `Sleep` after each reading; the next command wakes the circuit. If that command comes back "no data"
 *   (the circuit woke but dropped it), it is sent once more.
 * - A read that still answers 254 after the datasheet's delay is polled every EZO_POLL_MS, EZO_MAX_POLLS times.
 *
 * Failures never throw out of a public method: NACKs, timeouts, corrupt replies and readings outside the
 * circuit's range are `SensorError`s through `onError` (on a later timer turn); the outcome of `calibrate` and
 * `status` goes to their callback, also on a later turn.
 */
import type { TimerHandle, Timers } from "../../hal/host.js";
import type { I2C } from "../../hal/io.js";
import { openI2CSensor, SensorError, type ErrorReporter, type I2CSensorOptions, type SensorErrorKind, type TriggeredSensor } from "../../hal/sensor.js";
import type { EzoCircuit } from "./circuit.js";
import {
  decodeReply,
  encodeCommand,
  EZO_MAX_COMMAND,
  EZO_MAX_POLLS,
  EZO_NO_DATA,
  EZO_PENDING,
  EZO_POLL_MS,
  EZO_REPLY_BYTES,
  EZO_STANDARD_MS,
  EZO_SUCCESS,
  formatArgument,
  parseDecimal,
  queryFields,
  sameWord,
  type EzoReply,
} from "./protocol.js";

export interface EzoConfig {
  /** Put the circuit to sleep (`Sleep`) after each reading and command; the next command wakes it. */
  sleep: boolean;
  /** Temperature compensation, °C, sent with each reading (`RT,t`); null: read with whatever the circuit has. */
  temperature: number | null;
}

export type EzoOptions<S> = I2CSensorOptions<S>;

/** Why a command sent with `calibrate` or `status` did not succeed. */
export type EzoFailure = "invalid" | "rejected" | "nack" | "timeout" | "corrupt" | "no-data" | "identity";

export type EzoResult =
  | { ok: true; command: string; reply: string }
  | { ok: false; command: string; reason: EzoFailure; message: string };

/** `Status`: why the circuit last restarted and its supply voltage. */
export interface EzoStatus {
  /** P power-on, S software reset, B brown-out, W watchdog, U unknown. */
  restart: string;
  vcc: number;
}

export interface EzoInfo {
  type: string;
  firmware: string;
}

interface Op {
  readonly command: string;
  readonly bytes: Uint8Array;
  readonly ms: number;
  /** Sleep sends no reply. */
  readonly reply: boolean;
  /** Response code 1 or 2 with the reply text. */
  readonly ok: (code: number, text: string) => void;
  /** NACK, timeout, corrupt reply, no data. `quiet`: the same fault was already reported for an earlier command. */
  readonly fail: (reason: EzoFailure, kind: SensorErrorKind, message: string, quiet: boolean) => void;
  resent: boolean;
  polls: number;
}

const RESTART = "PSBWU";

export abstract class EzoDriver<Sample extends object, Config extends EzoConfig = EzoConfig> implements TriggeredSensor<Sample, Config> {
  protected readonly part: string;
  readonly #spec: EzoCircuit;
  readonly #io: I2C;
  readonly #timers: Timers;
  readonly #errors: ErrorReporter;
  readonly #onSample: (() => void) | undefined;
  readonly #rx = new Uint8Array(EZO_REPLY_BYTES);
  readonly #reply: EzoReply = { code: 0, text: "" };
  readonly #queue: Op[] = [];
  #current: Op | undefined;
  #timer: TimerHandle | undefined;
  #closed = false;

  #identity: "unknown" | "ok" | "wrong" = "unknown";
  #info: EzoInfo | undefined;
  /** Settings by key (e.g. "O,EC") → the command that sets them, and what the circuit has acknowledged. */
  readonly #desired = new Map<string, string>();
  readonly #applied = new Map<string, string>();
  #sleep = false;
  #asleep = false;
  /** The circuit answered a command since it last got Sleep: it is awake and may be put to sleep. */
  #awake = false;
  #temperature: number | null = null;
  /** The circuit accepts `RT,t` (cleared when it answers it with a syntax error). */
  #rt: boolean;
  /** A reading is queued or on the bus. */
  #reading = false;
  #last: Sample | undefined;

  protected constructor(options: EzoOptions<EzoDriver<Sample, Config>>, spec: EzoCircuit) {
    const opened = openI2CSensor(this, options, spec.name, spec.defaultAddress, () => this.#closed);
    this.part = opened.part;
    this.#spec = spec;
    this.#io = opened.io;
    this.#timers = options.timer;
    this.#errors = opened.errors;
    this.#onSample = opened.onSample;
    this.#rt = spec.compensatedReadMs > 0;
    // Know what answers at the address before anything else; a circuit that is not there shows up as a NACK.
    this.#queue.push(this.#identifyOp());
    this.#pump();
  }

  /** Parse the reply to `R` into a sample, or say what is wrong with it (reported as a "range" error). */
  protected abstract parseReading(text: string): Sample | string;

  /** The type and firmware the circuit reported to `i`, once it has. */
  get info(): EzoInfo | undefined {
    return this.#info ? { type: this.#info.type, firmware: this.#info.firmware } : undefined;
  }

  /** Processing delay of the reading `measure()` sends, ms. */
  get conversionMs(): number {
    if (this.#temperature === null) return this.#spec.readMs;
    return this.#rt ? this.#spec.compensatedReadMs : EZO_STANDARD_MS + this.#spec.readMs;
  }

  /** A command is on the bus or waiting. */
  get busy(): boolean {
    return this.#current !== undefined || this.#queue.length > 0;
  }

  /** Whether `Sleep` was the last command the circuit got. */
  get asleep(): boolean {
    return this.#asleep;
  }

  configure(options: Partial<Config>): void {
    this.#assertOpen();
    const { sleep, temperature } = options;
    if (sleep !== undefined) {
      if (typeof sleep !== "boolean") throw new TypeError(`${this.part}: sleep must be a boolean`);
      this.#sleep = sleep;
    }
    if (temperature !== undefined) {
      if (!this.#spec.temperatureCompensation) throw new TypeError(`${this.part}: the EZO-${this.#spec.type} has no temperature compensation`);
      if (temperature !== null && !(typeof temperature === "number" && temperature >= -126 && temperature <= 1254)) {
        throw new RangeError(`${this.part}: temperature must be a number of °C (−126…1254) or null, got ${String(temperature)}`);
      }
      this.#temperature = temperature;
    }
  }

  measure(): void {
    this.#assertOpen();
    if (this.#identity === "wrong") {
      this.#report("identity", `not an EZO-${this.#spec.type} (it reports ${this.#info ? this.#info.type : "?"}); no reading taken`);
      return;
    }
    if (this.#reading) return;
    this.#reading = true;
    this.#last = undefined;
    this.#prepare();
    this.#queueRead(this.#queue.length);
    this.#pump();
  }

  sample(): Sample | undefined {
    this.#assertOpen();
    return this.#last === undefined ? undefined : { ...this.#last };
  }

  /**
   * Send a calibration command (taken as a downlink), after checking it against the circuit's calibration
   * grammar; `done` gets the outcome on a later timer turn. The circuit is calibrated against whatever standard
   * the probe sits in when the command arrives.
   */
  calibrate(command: string, done: (result: EzoResult) => void): void {
    this.#assertOpen();
    let c = this.#spec.calibration(command);
    if (typeof c !== "string" && command.length > EZO_MAX_COMMAND) c = `${JSON.stringify(command)} is longer than the ${EZO_MAX_COMMAND} characters a command may have`;
    if (typeof c === "string") {
      this.#timers.set(() => done({ ok: false, command: String(command), reason: "invalid", message: `${this.part}: ${c}` }), 0);
      return;
    }
    this.#user(command, c.ms, done, true);
  }

  /** `Status`: restart reason and supply voltage. */
  status(done: (result: EzoStatus | SensorError) => void): void {
    this.#assertOpen();
    this.#user("Status", EZO_STANDARD_MS, (r) => {
      if (!r.ok) return done(new SensorError(this.part, r.reason === "corrupt" ? "crc" : r.reason === "timeout" ? "timeout" : "nack", r.message));
      const f = queryFields(r.reply, "STATUS");
      const vcc = f && f.length === 2 ? parseDecimal(f[1]!) : NaN;
      if (!f || f[0]!.length !== 1 || RESTART.indexOf(f[0]!.toUpperCase()) < 0 || !(vcc > 0)) {
        return done(new SensorError(this.part, "crc", `unexpected reply to Status: ${JSON.stringify(r.reply)}`));
      }
      done({ restart: f[0]!.toUpperCase(), vcc });
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
    this.#queue.length = 0;
    this.#current = undefined;
    this.#io.close();
  }

  /** Ask for `command` (e.g. "O,EC,1") to be in force before the next reading; undefined forgets the key. */
  protected setting(key: string, command: string | undefined): void {
    if (command === undefined) this.#desired.delete(key);
    else this.#desired.set(key, command);
  }

  // ------------------------------------------------------------------------------------------------ queueing

  /** Identify the circuit if that is still open, and bring its settings to what is configured. */
  #prepare(): void {
    if (this.#identity === "unknown" && !this.#queue.some((op) => op.command === "i") && this.#current?.command !== "i") {
      this.#queue.push(this.#identifyOp());
    }
    for (const [key, command] of this.#desired) {
      if (this.#applied.get(key) === command || this.#current?.command === command || this.#queue.some((op) => op.command === command)) continue;
      this.#queue.push(this.#op(command, EZO_STANDARD_MS, (code) => {
        this.#applied.set(key, command); // a rejected setting is reported once, not resent every reading
        if (code !== EZO_SUCCESS) this.#report("state", `the circuit rejected ${JSON.stringify(command)} (syntax error)`);
      }, this.#internalFail));
    }
  }

  /** The commands of one reading, inserted at `at` in the queue. */
  #queueRead(at: number): void {
    const t = this.#temperature;
    const ok = (code: number, text: string): void => {
      if (code !== EZO_SUCCESS) {
        if (this.#rt && t !== null) {
          // Firmware without RT: from now on T then R, starting with this reading.
          this.#rt = false;
          this.#queueRead(0);
          return;
        }
        this.#reading = false;
        this.#report("state", `the circuit answered the reading with a syntax error`);
        return;
      }
      this.#reading = false;
      const s = this.parseReading(text);
      if (typeof s === "string") {
        this.#report("range", s);
        return;
      }
      this.#last = s;
      if (this.#onSample) this.#onSample();
    };
    const fail = (reason: EzoFailure, kind: SensorErrorKind, message: string, quiet: boolean): void => {
      this.#reading = false;
      this.#internalFail(reason, kind, message, quiet);
    };
    const ops: Op[] = [];
    if (t === null) ops.push(this.#op("R", this.#spec.readMs, ok, fail));
    else if (this.#rt) ops.push(this.#op(`RT,${formatArgument(t, 3)}`, this.#spec.compensatedReadMs, ok, fail));
    else {
      const T = `T,${formatArgument(t, 3)}`;
      ops.push(this.#op(T, EZO_STANDARD_MS, (code) => code !== EZO_SUCCESS && this.#report("state", `the circuit rejected ${T}`), fail));
      ops.push(this.#op("R", this.#spec.readMs, ok, fail));
    }
    this.#queue.splice(at, 0, ...ops);
  }

  #identifyOp(): Op {
    return this.#op(
      "i",
      EZO_STANDARD_MS,
      (code, text) => {
        const f = code === EZO_SUCCESS ? queryFields(text, "I") : undefined;
        if (!f || f.length !== 2 || f[0] === "") {
          this.#report("crc", `unexpected reply to i: ${JSON.stringify(text)}`);
          return;
        }
        this.#info = { type: f[0]!, firmware: f[1]! };
        if (sameWord(f[0]!, this.#spec.type)) {
          this.#identity = "ok";
          return;
        }
        this.#identity = "wrong";
        this.#reading = false;
        this.#report("identity", `an EZO-${f[0]} answers at this address, not an EZO-${this.#spec.type}`);
        this.#drop("identity", `${this.part}: not an EZO-${this.#spec.type}`);
      },
      this.#internalFail,
    );
  }

  /** A command whose outcome goes to `done`; `compensate`: send the compensation temperature first (calibration). */
  #user(command: string, ms: number, done: (result: EzoResult) => void, compensate = false): void {
    if (this.#identity === "wrong") {
      this.#timers.set(() => done({ ok: false, command, reason: "identity", message: `${this.part}: not an EZO-${this.#spec.type}` }), 0);
      return;
    }
    this.#prepare();
    const t = this.#temperature;
    if (compensate && t !== null) {
      // The circuit relates the probe's response to its compensation temperature during calibration too.
      const T = `T,${formatArgument(t, 3)}`;
      this.#queue.push(this.#op(T, EZO_STANDARD_MS, (code) => code !== EZO_SUCCESS && this.#report("state", `the circuit rejected ${T}`), this.#internalFail));
    }
    this.#queue.push(
      this.#op(
        command,
        ms,
        (code, text) =>
          done(code === EZO_SUCCESS ? { ok: true, command, reply: text } : { ok: false, command, reason: "rejected", message: `${this.part}: the circuit answered ${command} with a syntax error` }),
        (reason, _kind, message) => done({ ok: false, command, reason, message }),
      ),
    );
    this.#pump();
  }

  #op(command: string, ms: number, ok: Op["ok"], fail: Op["fail"]): Op {
    return { command, bytes: encodeCommand(command), ms, reply: true, ok, fail, resent: false, polls: 0 };
  }

  readonly #internalFail = (reason: EzoFailure, kind: SensorErrorKind, message: string, quiet: boolean): void => {
    if (!quiet) this.#report(kind, message);
  };

  /** Fail everything queued (the circuit is gone or is not the one expected). */
  #drop(reason: EzoFailure, message: string): void {
    const ops = this.#queue.splice(0);
    for (const op of ops) op.fail(reason, reason === "identity" ? "identity" : "nack", message, true);
  }

  // ------------------------------------------------------------------------------------------------ the bus

  #pump(): void {
    if (this.#closed || this.#current || this.#timer) return;
    const op = this.#queue.shift();
    if (op) {
      this.#current = op;
      this.#send(op);
      return;
    }
    if (this.#sleep && this.#awake && this.#identity !== "wrong") {
      const sleep: Op = { ...this.#op("Sleep", 0, () => {}, this.#internalFail), reply: false };
      this.#current = sleep;
      this.#send(sleep);
    }
  }

  #send(op: Op): void {
    try {
      this.#io.write(op.bytes);
    } catch (e) {
      this.#lost(op, `${op.command} not acknowledged: ${message(e)}`);
      return;
    }
    this.#asleep = !op.reply;
    if (!op.reply) {
      this.#awake = false;
      this.#next();
      return;
    }
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      this.#collect(op);
    }, op.ms);
  }

  #collect(op: Op): void {
    try {
      this.#io.read(this.#rx);
    } catch (e) {
      this.#lost(op, `read of the reply to ${op.command} failed: ${message(e)}`);
      return;
    }
    const corrupt = decodeReply(this.#rx, this.#reply);
    if (corrupt !== undefined) {
      this.#next();
      op.fail("corrupt", "crc", `corrupt reply to ${op.command}: ${corrupt}`, false);
      return;
    }
    const { code, text } = this.#reply;
    if (code === EZO_PENDING) {
      if (++op.polls > EZO_MAX_POLLS) {
        this.#next();
        op.fail("timeout", "timeout", `${op.command}: still processing ${op.ms + EZO_MAX_POLLS * EZO_POLL_MS} ms after it was sent`, false);
        return;
      }
      this.#timer = this.#timers.set(() => {
        this.#timer = undefined;
        this.#collect(op);
      }, EZO_POLL_MS);
      return;
    }
    if (code === EZO_NO_DATA) {
      if (!op.resent) {
        // The command was lost (a circuit woken from sleep may drop the command that woke it): send it again.
        op.resent = true;
        op.polls = 0;
        this.#send(op);
        return;
      }
      this.#next();
      op.fail("no-data", "state", `${op.command}: the circuit has no reply (255) even after sending it twice`, false);
      return;
    }
    this.#awake = true;
    this.#next();
    op.ok(code, text);
  }

  /** A NACK: the circuit is not on the bus (or not answering). Everything queued fails with it. */
  #lost(op: Op, text: string): void {
    this.#current = undefined;
    this.#asleep = false;
    this.#awake = false;
    this.#applied.clear(); // it may come back restarted, with defaults
    if (this.#identity === "ok") this.#identity = "unknown";
    op.fail("nack", "nack", text, false);
    this.#drop("nack", `${this.part}: ${text}`);
    this.#schedule();
  }

  /** The current command is done: run the next on a fresh timer turn. */
  #next(): void {
    this.#current = undefined;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed || this.#timer) return;
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      this.#pump();
    }, 0);
  }

  #report(kind: SensorErrorKind, text: string): void {
    this.#errors.report(new SensorError(this.part, kind, text));
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`${this.part}: closed`);
  }
}

/**
 * One number in a reply (pH, ORP, RTD), or what is wrong with it: not a number, the circuit's no-probe value
 * (`unplugged` names it), or outside the circuit's range.
 */
export function scalarReading(text: string, what: string, min: number, max: number, noProbe?: { value: number; unplugged: string }): number | string {
  const v = parseDecimal(text);
  if (v !== v) return `reading ${JSON.stringify(text)} is not a number`;
  if (noProbe && v === noProbe.value) return `${what} ${text}: ${noProbe.unplugged}`;
  if (v < min || v > max) return `${what} ${text} is outside the circuit's range ${min}–${max}`;
  return v;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
