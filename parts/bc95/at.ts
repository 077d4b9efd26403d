/**
 * An AT command channel over an ECMA-419 Serial, for modems that speak V.250 / 3GPP TS 27.007 (the BC95 here).
 *
 * - Framing: lines end at CR or LF (the BC95 ends its output with CR LF, BC95-G&BC68 AT Commands Manual §1.3);
 *   empty lines are skipped. A line longer than `maxLine` is an overflow, a line with a byte outside printable
 *   ASCII is garbled: both are counted and dropped whole, never parsed, so a damaged "OK" ends nothing.
 * - One command at a time. Each has a deadline: the manual's maximum response time plus the time its own bytes
 *   and the longest answer take on the wire at the port's baud rate (8N1: 10 bits a byte), so a 1 KB AT+NSOST at
 *   9600 baud is not timed out while it is still being clocked out.
 * - Final result codes end a command: `OK`, `ERROR`, `+CME ERROR: <n>` (AT+CMEE=1). Information lines are kept
 *   when they start with the prefix the command expects (or, for commands answering bare text, any line that is
 *   not a URC); URCs (`+NAME:` lines the caller registered) are dispatched whenever they come, also between a
 *   command and its final result; other lines are counted as unexpected.
 * - On a timeout the command is retried (if it has retries left) after a settling time in which late final
 *   results and information of the abandoned attempt are dropped and counted, so they are not taken for the
 *   retry's; URCs still go through.
 * - The echo of the command itself (before ATE0 takes effect) is recognised and dropped.
 * - The BC95's boot banner (`Boot: …`, `REBOOT_CAUSE_…`, `Neul`, then an `OK` of its own) is recognised: the
 *   banner's `OK` is not taken for a command's, and the reboot is reported.
 *
 * Never blocks: bytes arrive through `onReadable`, deadlines are host timers.
 */
import type { TimerHandle, Timers } from "../../hal/host.js";
import type { Serial, SerialClass, PinSpecifier, PortSpecifier } from "../../hal/io.js";
import { cmeName } from "./errors.js";
import { utf8Decode } from "../../runtime/utf8.js";

/** Information lines of a command that answers bare text (NSOCR, NSOST, NSORF, NUESTATS), not `+NAME:` lines. */
export const RAW = "";

export interface AtCommand {
  /** The command line without the terminating CR, e.g. "AT+CSQ". */
  readonly text: string;
  /** The manual's maximum response time, ms. */
  readonly maxMs: number;
  /** The information-line prefix the answer starts with ("+CSQ:"), RAW for bare lines, undefined for none. */
  readonly info?: string;
  /** Longest answer expected, bytes, for the wire time in the deadline (default 32). */
  readonly answerBytes?: number;
  /** Attempts after the first when the modem does not answer in time (default 2). */
  readonly retries?: number;
  /**
   * Whether a line with the `info` prefix is this command's answer rather than a URC of the same name (the
   * answer to AT+CEREG? starts with <n>, the +CEREG URC with <stat>). Default: any such line.
   */
  readonly accepts?: (line: string) => boolean;
}

export type AtFailureKind = "error" | "cme" | "timeout" | "closed";

/** Why a command did not succeed: the modem said ERROR or +CME ERROR, never answered, or the channel closed. */
export class AtError extends Error {
  readonly kind: AtFailureKind;
  readonly command: string;
  /** The +CME ERROR code, for kind "cme". */
  readonly code: number | undefined;
  constructor(kind: AtFailureKind, command: string, detail: string, code?: number) {
    super(`${command}: ${detail}`);
    this.kind = kind;
    this.command = command;
    this.code = code;
  }
}

export type AtDone = (error: AtError | undefined, lines: readonly string[]) => void;

/** A URC handler: the text after "+NAME:"; returns false when the URC is malformed (counted). */
export type UrcHandler = (args: string) => boolean;

export interface AtStats {
  commands: number;
  ok: number;
  errors: number;
  cmeErrors: number;
  timeouts: number;
  retries: number;
  urcs: number;
  /** Lines with bytes outside printable ASCII, dropped. */
  garbledLines: number;
  /** Lines longer than the buffer, dropped. */
  overflowLines: number;
  /** URCs whose arguments did not parse (a truncated line), dropped. */
  malformedUrcs: number;
  /** `+NAME:` lines of no registered URC and not the command's answer. */
  unknownUrcs: number;
  /** Lines that were neither an answer, a URC nor the banner (a stray OK with nothing in flight, say). */
  unexpectedLines: number;
  /** Answers of an abandoned attempt that came during the settling time. */
  lateLines: number;
  echoes: number;
  bannerLines: number;
  bytesIn: number;
  bytesOut: number;
}

export interface AtChannelOptions {
  serial: { io: SerialClass; receive?: PinSpecifier; transmit?: PinSpecifier; baud: number; port?: PortSpecifier };
  timer: Timers;
  /** Longest line kept, characters (default 1200: an AT+NSORF answer for 512 bytes is about 1,070). */
  maxLine?: number;
  /** Quiet time after a timeout before the retry, ms (default 300). */
  settleMs?: number;
  /** The modem rebooted (banner seen): `cause` is the REBOOT_CAUSE_… text. */
  onReboot?: (cause: string) => void;
}

interface Pending {
  command: AtCommand;
  done: AtDone;
  lines: string[];
  attempt: number;
}

const BANNER = /^(Boot:|Security B|Protocol A|Apps A|REBOOT_CAUSE_|Neul\b|REBOOTING)/;

export class AtChannel {
  readonly stats: AtStats = {
    commands: 0,
    ok: 0,
    errors: 0,
    cmeErrors: 0,
    timeouts: 0,
    retries: 0,
    urcs: 0,
    garbledLines: 0,
    overflowLines: 0,
    malformedUrcs: 0,
    unknownUrcs: 0,
    unexpectedLines: 0,
    lateLines: 0,
    echoes: 0,
    bannerLines: 0,
    bytesIn: 0,
    bytesOut: 0,
  };
  readonly #o: AtChannelOptions;
  readonly #serial: Serial;
  readonly #baud: number;
  readonly #line: Uint8Array;
  #length = 0;
  #garbled = false;
  #overflow = false;
  readonly #urcs = new Map<string, UrcHandler>();
  readonly #queue: Pending[] = [];
  #current: Pending | undefined;
  #timer: TimerHandle | undefined;
  #settling = false;
  /** The attempt given up on, while settling: its answer lines are late, not URCs. */
  #abandoned: AtCommand | undefined;
  #bannerOk = false;
  #closed = false;

  constructor(options: AtChannelOptions) {
    this.#o = options;
    this.#line = new Uint8Array(options.maxLine ?? 1200);
    this.#baud = options.serial.baud;
    const self = this;
    const { io, ...wiring } = options.serial;
    this.#serial = new io({
      ...wiring,
      onReadable(count: number) {
        self.#readable(count);
      },
    });
  }

  /** Commands waiting or in flight. */
  get pending(): number {
    return this.#queue.length + (this.#current ? 1 : 0);
  }

  /** Handle `+NAME:` URCs (name without "+" and ":"). */
  onUrc(name: string, handler: UrcHandler): void {
    this.#urcs.set(`+${name}:`, handler);
  }

  /** Queue a command; `done` runs once, from a later turn. */
  send(command: AtCommand, done: AtDone): void {
    if (this.#closed) {
      this.#o.timer.set(() => done(new AtError("closed", command.text, "channel closed"), []), 0);
      return;
    }
    this.#queue.push({ command, done, lines: [], attempt: 0 });
    this.#next();
  }


  #wireMs(bytes: number): number {
    return Math.ceil((bytes * 10 * 1000) / this.#baud);
  }

  #next(): void {
    if (this.#current || this.#settling || this.#closed) return;
    const p = this.#queue.shift();
    if (!p) return;
    this.#current = p;
    this.#transmit(p);
  }

  #transmit(p: Pending): void {
    const text = p.command.text;
    const bytes = new Uint8Array(text.length + 1);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
    bytes[text.length] = 13;
    p.lines = [];
    this.stats.commands++;
    this.stats.bytesOut += bytes.length;
    this.#serial.write(bytes);
    const ms = p.command.maxMs + this.#wireMs(bytes.length + (p.command.answerBytes ?? 32));
    this.#timer = this.#o.timer.set(() => this.#timeout(), ms);
  }

  #timeout(): void {
    this.#timer = undefined;
    const p = this.#current;
    if (!p) return;
    this.stats.timeouts++;
    this.#current = undefined;
    const retry = p.attempt < (p.command.retries ?? 2);
    if (retry) {
      p.attempt++;
      this.stats.retries++;
      this.#queue.unshift(p);
    }
    // Whatever the abandoned attempt still says must not be taken for the next command's answer.
    this.#settling = true;
    this.#abandoned = p.command;
    this.#timer = this.#o.timer.set(() => {
      this.#timer = undefined;
      this.#settling = false;
      this.#abandoned = undefined;
      this.#next();
    }, this.#o.settleMs ?? 300);
    if (!retry) p.done(new AtError("timeout", p.command.text, `no answer within ${p.command.maxMs} ms (+ wire time), ${p.attempt + 1} attempts`), []);
  }

  #finish(error: AtError | undefined): void {
    const p = this.#current!;
    this.#o.timer.clear(this.#timer);
    this.#timer = undefined;
    this.#current = undefined;
    if (!error) this.stats.ok++;
    p.done(error, p.lines);
    this.#next();
  }

  #readable(count: number): void {
    if (this.#closed) return;
    const data = this.#serial.read(count);
    if (!data) return;
    const bytes = new Uint8Array(data);
    this.stats.bytesIn += bytes.length;
    for (let i = 0; i < bytes.length; i++) this.#byte(bytes[i]!);
  }

  #byte(b: number): void {
    if (b === 13 || b === 10) {
      if (this.#overflow) this.stats.overflowLines++;
      else if (this.#garbled) this.stats.garbledLines++;
      // Printable ASCII only (anything else made the line garbled), which UTF-8 decodes as itself, in pieces small
      // enough for a board's JS stack: an NSORF answer line is over 1,000 characters.
      else if (this.#length > 0) this.#onLine(utf8Decode(this.#line, 0, this.#length)!);
      this.#length = 0;
      this.#garbled = false;
      this.#overflow = false;
      return;
    }
    if (this.#length >= this.#line.length) {
      this.#overflow = true;
      return;
    }
    if (b < 0x20 || b > 0x7e) this.#garbled = true;
    this.#line[this.#length++] = b;
  }

  #onLine(line: string): void {
    if (BANNER.test(line)) {
      this.stats.bannerLines++;
      if (line.startsWith("REBOOT_CAUSE_")) this.#o.onReboot?.(line);
      this.#bannerOk = line.startsWith("Neul");
      return;
    }
    if (this.#bannerOk && line === "OK") {
      this.#bannerOk = false;
      this.stats.bannerLines++;
      return;
    }
    this.#bannerOk = false;
    const p = this.#current;
    if (p && line === p.command.text) {
      this.stats.echoes++;
      return;
    }
    const final = line === "OK" || line === "ERROR" || line.startsWith("+CME ERROR:");
    if (final) {
      if (this.#settling) {
        this.stats.lateLines++;
        return;
      }
      if (!p) {
        this.stats.unexpectedLines++;
        return;
      }
      if (line === "OK") return this.#finish(undefined);
      if (line === "ERROR") {
        this.stats.errors++;
        return this.#finish(new AtError("error", p.command.text, "ERROR"));
      }
      const code = Number(line.slice(11).trim());
      if (!Number.isInteger(code)) {
        // "+CME ERROR:" with its number cut off is still an error, of unknown kind.
        this.stats.malformedUrcs++;
        this.stats.cmeErrors++;
        return this.#finish(new AtError("cme", p.command.text, "+CME ERROR without a number", -1));
      }
      this.stats.cmeErrors++;
      return this.#finish(new AtError("cme", p.command.text, cmeName(code), code));
    }
    const late = this.#abandoned?.info;
    if (late && late !== RAW && line.startsWith(late)) {
      this.stats.lateLines++;
      return;
    }
    const info = p?.command.info;
    if (p && info !== undefined && info !== RAW && line.startsWith(info) && p.lines.length === 0 && !this.#settling && (p.command.accepts?.(line) ?? true)) {
      p.lines.push(line);
      return;
    }
    if (line.charCodeAt(0) === 43 /* + */) {
      const colon = line.indexOf(":");
      const handler = colon > 0 ? this.#urcs.get(line.slice(0, colon + 1)) : undefined;
      if (!handler) {
        this.stats.unknownUrcs++;
        return;
      }
      this.stats.urcs++;
      if (!handler(line.slice(colon + 1).trim())) this.stats.malformedUrcs++;
      return;
    }
    if (p && info === RAW && !this.#settling) {
      p.lines.push(line);
      return;
    }
    if (this.#settling) this.stats.lateLines++;
    else this.stats.unexpectedLines++;
  }

  /** Fail everything queued and in flight, and release the port. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#o.timer.clear(this.#timer);
    this.#timer = undefined;
    const all = [...(this.#current ? [this.#current] : []), ...this.#queue.splice(0)];
    this.#current = undefined;
    this.#serial.close();
    for (const p of all) p.done(new AtError("closed", p.command.text, "channel closed"), []);
  }
}
