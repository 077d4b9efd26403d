/**
 * Quectel BC95-G (BC95/BC28 class, Neul/HiSilicon "N" socket commands) over a UART, as a datagram modem.
 *
 * Command references are to the BC95-G&BC68 AT Commands Manual (V1.2 numbering; V1.5 has the same commands):
 * §2 the 3GPP TS 27.007 commands, §4 Quectel's own. The bring-up:
 *
 *   RESET pulse (optional) → AT until OK (power-on, and after PSM: the module loses the first bytes it is woken
 *   by) → ATE0 (§2.2) → AT+CMEE=1 (§2.18, numeric +CME ERROR) → AT+CFUN=1 (§2.17) → AT+CEREG=1 (§2.7)
 *   → AT+CSCON=1 (§2.8) → AT+NPSMR=1 (+NPSMR URCs on PSM entry and exit) → AT+CPSMS=1,,,"T3412","T3324"
 *   (§2.20) → AT+CEDRXS (§2.21) → AT+CGATT=1 (§2.13) → +CEREG: 1 or 5 before a deadline (polling AT+CEREG?
 *   too, in case the URC was garbled) → AT+NSOCR=DGRAM,17,<port>,1 (§4.4) → AT+CSQ (§2.10), AT+NUESTATS (§4.2).
 *
 * Data: AT+NSOST=<s>,<ip>,<port>,<len>,<hex> (§4.5, at most 512 bytes), or AT+NSOSTF (§4.6) with a release
 * assistance flag (0x200: release after the next downlink, 0x400: after this uplink); a `+NSONMI:<s>,<len>` URC is answered
 * with AT+NSORF=<s>,<len> (answer `<s>,<ip>,<port>,<len>,<hex>,<remaining>`), repeated while bytes remain.
 * State: +CEREG (registration), +CSCON (RRC connected/idle), +NPSMR (in PSM: the next command is preceded by
 * an AT sync that is retried until the module answers).
 *
 * Failures never stop the driver: a step that fails (no answer, ERROR, +CME ERROR) is reported through
 * `onError` and counted, and the bring-up starts again after a back-off that doubles up to an hour; a modem that
 * never registers gives one counted "not registered" error per attempt. Never blocks: every wait is a host timer.
 */
import type { LogLevel, Timers, TimerHandle } from "../../hal/host.js";
import type { Digital, DigitalClass, PinSpecifier } from "../../hal/io.js";
import type { DatagramModem, DatagramModemHandlers, ReleaseHint } from "../../runtime/link/nbiot/modem.js";
import { AtChannel, AtError, RAW } from "./at.js";
import type { AtChannelOptions, AtCommand, AtDone, AtStats } from "./at.js";
import { fromHex, toHex } from "./hex.js";
import { edrxCycleSeconds, encodeEdrx, encodeT3324, encodeT3412 } from "./nas-timers.js";

/** AT+NSOST's <length> limit (§4.5). */
export const BC95_MAX_DATAGRAM = 512;

/**
 * What the driver requests unless told otherwise (PSM with TAU 24 h and 60 s active time, no eDRX; registration
 * may take 180 s, CE2 attaches take tens of seconds; the module picks the local port). The part declaration
 * (part.ts) states these as its options' defaults.
 */
export const BC95_DEFAULTS = Object.freeze({ psm: true, periodicTauS: 86_400, activeTimeS: 60, edrxS: 0, attachTimeoutS: 180, localPort: 0 });

/** AT+NSOSTF <flag> values (§4.6). */
const RELEASE_FLAG: Readonly<Record<ReleaseHint, string>> = Object.freeze({ none: "0", "after-reply": "0x200", "after-send": "0x400" });

/**
 * Maximum response times, ms: 300 ms is the manual's figure for the configuration and query commands (Quectel
 * gives the same for AT+CSQ on its LTE modules); AT+CFUN=1 starts the radio and reads the SIM (85 s); AT+CGATT=1
 * answers before the attach completes (registration comes as +CEREG); the socket commands get 1 s. These were
 * taken from the command tables of the BC95-G manual as remembered, not re-read for this driver: a timeout only
 * costs a retry, and the wire time of long commands is added on top.
 */
const MAX_MS = Object.freeze({
  basic: 300,
  cfun: 85_000,
  cgatt: 1_000,
  socket: 1_000,
});

export type Bc95State = "off" | "starting" | "configuring" | "attaching" | "ready" | "deregistered" | "backoff" | "closed";

export interface Bc95Status {
  state: Bc95State;
  /** +CEREG <stat>: 0 not registered, 1 home, 2 searching, 3 denied, 4 unknown, 5 roaming. */
  registration: number;
  /** RRC connected (+CSCON: 1). */
  connected: boolean;
  /** In PSM (+NPSMR: 1) until the next wake. */
  psm: boolean;
  /** AT+CSQ: dBm = −113 + 2·rssi (§2.10), undefined when 99 (not known). */
  rssiDbm: number | undefined;
  /** AT+NUESTATS: RSRP ("Signal power", 0.1 dBm), SNR (0.1 dB) and coverage-enhancement level (ECL). */
  rsrpDbm: number | undefined;
  snrDb: number | undefined;
  ceLevel: number | undefined;
  socket: number | undefined;
  /** The last error, for a status line. */
  lastError: string | undefined;
}

export interface Bc95Stats extends AtStats {
  bringUps: number;
  bringUpFailures: number;
  attachFailures: number;
  registrations: number;
  deregistrations: number;
  reboots: number;
  wakeSyncs: number;
  psmEntries: number;
  datagramsOut: number;
  datagramsIn: number;
  sendFailures: number;
  /** +NSONMI for a socket that is not ours, or an AT+NSORF answer that did not parse. */
  receiveErrors: number;
}

export interface Bc95Options {
  serial: AtChannelOptions["serial"];
  timer: Timers;
  /** The module's RESET input (active low: held low ≥ 100 ms resets the module) through a GPIO. */
  reset?: { io: DigitalClass; pin: PinSpecifier };
  /** Local UDP port of the socket (default BC95_DEFAULTS). */
  localPort?: number;
  /** PSM timers to request (AT+CPSMS), or false to disable PSM (default BC95_DEFAULTS). */
  psm?: { periodicTauS: number; activeTimeS: number } | false;
  /** eDRX cycle to request for NB-S1, s (AT+CEDRXS), or false (default none: PSM nodes need no paging). */
  edrxS?: number | false;
  /** How long registration may take after AT+CGATT=1, ms (default BC95_DEFAULTS). */
  attachTimeoutMs?: number;
  /** Honour `send`'s release hints with AT+NSOSTF (default true; false: always AT+NSOST). */
  releaseAssistance?: boolean;
  /** First wait before a failed bring-up is tried again, ms (default 60 s; doubles up to an hour). */
  retryMs?: number;
  /** AT tries when syncing after power-on or a reset (default 30, ~0.6 s apart: the module boots in seconds). */
  syncAttempts?: number;
  log?: (level: LogLevel, message: string) => void;
}

const REGISTERED = (stat: number) => stat === 1 || stat === 5;
/** AT+CEREG? answers `<n>,<stat>[,<tac>,<ci>,<AcT>]`: 2 or 5 fields; the URC has 1 (n=1) or 4 (n=2). */
const CEREG_ANSWER = (line: string): boolean => {
  const n = line.split(",").length;
  return n === 2 || n >= 5;
};
const STAT_NAMES: Readonly<Record<number, string>> = Object.freeze({ 0: "not registered", 1: "registered (home)", 2: "searching", 3: "registration denied", 4: "unknown", 5: "registered (roaming)" });

export class Bc95 implements DatagramModem {
  readonly maxDatagram = BC95_MAX_DATAGRAM;
  readonly status: Bc95Status = {
    state: "off",
    registration: 0,
    connected: false,
    psm: false,
    rssiDbm: undefined,
    rsrpDbm: undefined,
    snrDb: undefined,
    ceLevel: undefined,
    socket: undefined,
    lastError: undefined,
  };
  readonly #o: Bc95Options;
  readonly #at: AtChannel;
  readonly #extra = {
    bringUps: 0,
    bringUpFailures: 0,
    attachFailures: 0,
    registrations: 0,
    deregistrations: 0,
    reboots: 0,
    wakeSyncs: 0,
    psmEntries: 0,
    datagramsOut: 0,
    datagramsIn: 0,
    sendFailures: 0,
    receiveErrors: 0,
  };
  #reset: Digital | undefined;
  #handlers: DatagramModemHandlers = {};
  #timer: TimerHandle | undefined;
  #attachTimer: TimerHandle | undefined;
  #pollTimer: TimerHandle | undefined;
  #backoffMs: number;
  /** Bumped whenever a bring-up is abandoned, so callbacks of the old one do nothing. */
  #generation = 0;
  #reading = false;
  /** A +NSONMI came while a read was in progress: read again when it is done. */
  #readAgain = 0;

  constructor(options: Bc95Options) {
    this.#o = options;
    this.#backoffMs = options.retryMs ?? 60_000;
    this.#at = new AtChannel({ serial: options.serial, timer: options.timer, onReboot: (cause) => this.#rebooted(cause) });
    this.#at.onUrc("CEREG", (args) => this.#cereg(args, false));
    this.#at.onUrc("CSCON", (args) => this.#cscon(args));
    this.#at.onUrc("NPSMR", (args) => this.#npsmr(args));
    this.#at.onUrc("NSONMI", (args) => this.#nsonmi(args));
    if (options.psm) {
      // Refuse unencodable timers at construction, naming the field, rather than at the first bring-up.
      encodeT3412(options.psm.periodicTauS);
      encodeT3324(options.psm.activeTimeS);
    }
    if (options.edrxS !== undefined && options.edrxS !== false) encodeEdrx(options.edrxS);
  }

  get stats(): Bc95Stats {
    return { ...this.#at.stats, ...this.#extra };
  }

  get ready(): boolean {
    return this.status.state === "ready";
  }

  start(handlers: DatagramModemHandlers): void {
    this.#handlers = handlers;
    if (this.#o.reset && !this.#reset) this.#reset = new this.#o.reset.io({ pin: this.#o.reset.pin, mode: this.#o.reset.io.Output });
    this.#reset?.write(1);
    this.#bringUp();
  }

  // ------------------------------------------------------------------ bring-up

  #log(level: LogLevel, message: string): void {
    this.#o.log?.(level, `bc95: ${message}`);
  }

  #set(state: Bc95State): void {
    this.status.state = state;
  }

  #bringUp(): void {
    const gen = ++this.#generation;
    this.#extra.bringUps++;
    this.#set("starting");
    this.status.socket = undefined;
    this.status.psm = false;
    if (this.#reset) {
      // RESET low for 100 ms, then the module boots and prints its banner.
      this.#reset.write(0);
      this.#timer = this.#o.timer.set(() => {
        this.#timer = undefined;
        this.#reset?.write(1);
        this.#sync(gen);
      }, 100);
    } else this.#sync(gen);
  }

  #sync(gen: number): void {
    this.#command({ text: "AT", maxMs: MAX_MS.basic, retries: (this.#o.syncAttempts ?? 30) - 1 }, gen, () => this.#configure(gen));
  }

  /** Run `command`; on success `next(lines)`, on failure the bring-up fails (and is retried later). */
  #command(command: AtCommand, gen: number, next: (lines: readonly string[]) => void): void {
    this.#exec(command, (error, lines) => {
      if (gen !== this.#generation) return;
      if (error) this.#failed(error);
      else next(lines);
    });
  }

  /** Each step of the configuration, then the attach. */
  #configure(gen: number): void {
    this.#set("configuring");
    const psm = this.#o.psm ?? { periodicTauS: BC95_DEFAULTS.periodicTauS, activeTimeS: BC95_DEFAULTS.activeTimeS };
    const edrx = this.#o.edrxS ?? (BC95_DEFAULTS.edrxS || false);
    const steps: AtCommand[] = [
      { text: "ATE0", maxMs: MAX_MS.basic },
      { text: "AT+CMEE=1", maxMs: MAX_MS.basic },
      { text: "AT+CFUN=1", maxMs: MAX_MS.cfun, retries: 0 },
      { text: "AT+CEREG=1", maxMs: MAX_MS.basic },
      { text: "AT+CSCON=1", maxMs: MAX_MS.basic },
      { text: "AT+NPSMR=1", maxMs: MAX_MS.basic },
      psm ? { text: `AT+CPSMS=1,,,"${encodeT3412(psm.periodicTauS)}","${encodeT3324(psm.activeTimeS)}"`, maxMs: MAX_MS.basic } : { text: "AT+CPSMS=0", maxMs: MAX_MS.basic },
      edrx === false ? { text: "AT+CEDRXS=0,5", maxMs: MAX_MS.basic } : { text: `AT+CEDRXS=1,5,"${encodeEdrx(edrx)}"`, maxMs: MAX_MS.basic },
      { text: "AT+CGATT=1", maxMs: MAX_MS.cgatt },
    ];
    const run = (i: number): void => {
      if (i === steps.length) return this.#awaitRegistration(gen);
      this.#command(steps[i]!, gen, () => run(i + 1));
    };
    run(0);
  }

  #awaitRegistration(gen: number): void {
    if (REGISTERED(this.status.registration)) return this.#openSocket(gen);
    this.#set("attaching");
    const deadline = this.#o.attachTimeoutMs ?? BC95_DEFAULTS.attachTimeoutS * 1000;
    this.#attachTimer = this.#o.timer.set(() => {
      this.#attachTimer = undefined;
      if (gen !== this.#generation) return;
      this.#extra.attachFailures++;
      this.#signal(() => {
        if (gen !== this.#generation) return;
        const csq = this.status.rssiDbm === undefined ? "CSQ 99 (no signal)" : `${this.status.rssiDbm} dBm`;
        this.#failed(new Error(`bc95: not registered ${deadline / 1000} s after AT+CGATT=1 (+CEREG stat ${this.status.registration}, ${STAT_NAMES[this.status.registration] ?? "?"}; ${csq})`));
      });
    }, deadline);
    this.#poll(gen);
  }

  /** Ask AT+CEREG? every 10 s while waiting: a garbled +CEREG URC must not leave the driver waiting forever. */
  #poll(gen: number): void {
    this.#pollTimer = this.#o.timer.set(() => {
      this.#pollTimer = undefined;
      if (gen !== this.#generation || this.#attachTimer === undefined) return;
      this.#exec({ text: "AT+CEREG?", maxMs: MAX_MS.basic, info: "+CEREG:", accepts: CEREG_ANSWER }, (error, lines) => {
        if (gen !== this.#generation) return;
        if (!error && lines[0]) this.#cereg(lines[0].slice(7), true);
        if (this.#attachTimer !== undefined) this.#poll(gen);
      });
    }, 10_000);
  }

  #registered(): void {
    this.#o.timer.clear(this.#attachTimer);
    this.#o.timer.clear(this.#pollTimer);
    this.#attachTimer = undefined;
    this.#pollTimer = undefined;
    const gen = this.#generation;
    if (this.status.state === "attaching") this.#openSocket(gen);
    else if (this.status.state === "deregistered") this.#up();
  }

  #openSocket(gen: number): void {
    if (this.status.socket !== undefined) return this.#up();
    this.#command({ text: `AT+NSOCR=DGRAM,17,${this.#o.localPort ?? BC95_DEFAULTS.localPort},1`, maxMs: MAX_MS.socket, info: RAW }, gen, (lines) => {
      const id = Number(lines[0]);
      if (!(Number.isInteger(id) && id >= 0)) return this.#failed(new Error(`bc95: AT+NSOCR answered ${JSON.stringify(lines[0] ?? "")} instead of a socket number`));
      this.status.socket = id;
      this.#signal(() => {
        if (gen !== this.#generation) return;
        this.#up();
      });
    });
  }

  #up(): void {
    this.#set("ready");
    this.#backoffMs = this.#o.retryMs ?? 60_000;
    this.status.lastError = undefined;
    this.#log("info", `ready: ${this.describe()}`);
    this.#handlers.onReady?.();
  }

  #failed(error: Error): void {
    this.#extra.bringUpFailures++;
    this.#abandon();
    this.status.lastError = error.message;
    this.#set("backoff");
    const wait = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, 3_600_000);
    this.#log("warn", `${error.message}; trying again in ${wait / 1000} s`);
    this.#handlers.onError?.(error);
    this.#timer = this.#o.timer.set(() => {
      this.#timer = undefined;
      this.#bringUp();
    }, wait);
  }

  #abandon(): void {
    this.#generation++;
    for (const t of [this.#timer, this.#attachTimer, this.#pollTimer]) this.#o.timer.clear(t);
    this.#timer = this.#attachTimer = this.#pollTimer = undefined;
  }

  #rebooted(cause: string): void {
    this.#extra.reboots++;
    const wasReady = this.ready;
    this.status.socket = undefined;
    this.status.registration = 0;
    this.status.connected = false;
    this.status.psm = false;
    if (this.status.state === "starting") return; // the reset the driver itself asked for
    this.#log("warn", `modem rebooted (${cause})`);
    this.#abandon();
    if (wasReady) this.#handlers.onDown?.(`modem rebooted (${cause})`);
    // The banner ends with the module ready for commands; start over from the AT sync.
    this.#bringUp();
  }

  // ------------------------------------------------------------------ commands and URCs

  /** Queue a command, preceded by AT syncs until the module answers when it is in PSM. */
  #exec(command: AtCommand, done: AtDone): void {
    if (this.status.psm) {
      this.#extra.wakeSyncs++;
      this.status.psm = false;
      this.#at.send({ text: "AT", maxMs: MAX_MS.basic, retries: 5 }, () => undefined);
    }
    this.#at.send(command, done);
  }

  #cereg(args: string, query: boolean): boolean {
    const fields = args.split(",");
    // The answer to AT+CEREG? starts with <n>; the URC with <stat>.
    const stat = Number(query ? fields[1] : fields[0]);
    if (!(Number.isInteger(stat) && stat >= 0 && stat <= 5) || fields[0]!.length === 0) return false;
    const was = this.status.registration;
    this.status.registration = stat;
    if (REGISTERED(stat) && !REGISTERED(was)) {
      this.#extra.registrations++;
      this.#registered();
    } else if (!REGISTERED(stat) && REGISTERED(was)) {
      this.#extra.deregistrations++;
      this.status.connected = false;
      if (this.status.state === "ready") {
        this.#set("deregistered");
        this.#log("warn", `deregistered: +CEREG ${stat} (${STAT_NAMES[stat]})`);
        this.#handlers.onDown?.(`deregistered (+CEREG ${stat}, ${STAT_NAMES[stat]})`);
        // Wait for the module to find the network again, with the same deadline as an attach.
        const gen = this.#generation;
        this.#attachTimer = this.#o.timer.set(() => {
          this.#attachTimer = undefined;
          if (gen !== this.#generation) return;
          this.#extra.attachFailures++;
          this.#failed(new Error(`bc95: lost the network and did not register again within ${(this.#o.attachTimeoutMs ?? BC95_DEFAULTS.attachTimeoutS * 1000) / 1000} s`));
        }, this.#o.attachTimeoutMs ?? BC95_DEFAULTS.attachTimeoutS * 1000);
        this.#poll(gen);
      }
    }
    return true;
  }

  #cscon(args: string): boolean {
    const mode = args.split(",").pop();
    if (mode !== "0" && mode !== "1") return false;
    this.status.connected = mode === "1";
    return true;
  }

  #npsmr(args: string): boolean {
    const mode = args.split(",").pop();
    if (mode !== "0" && mode !== "1") return false;
    if (mode === "1" && !this.status.psm) this.#extra.psmEntries++;
    this.status.psm = mode === "1";
    if (this.status.psm) this.status.connected = false;
    return true;
  }

  #nsonmi(args: string): boolean {
    const [s, len] = args.split(",").map(Number);
    if (!(Number.isInteger(s) && Number.isInteger(len) && len! > 0 && len! <= BC95_MAX_DATAGRAM)) return false;
    if (s !== this.status.socket) {
      this.#extra.receiveErrors++;
      return true;
    }
    this.#read(s!, len!);
    return true;
  }

  #read(socket: number, length: number): void {
    if (this.#reading) {
      this.#readAgain = Math.max(this.#readAgain, length);
      return;
    }
    this.#reading = true;
    this.#exec({ text: `AT+NSORF=${socket},${length}`, maxMs: MAX_MS.socket, info: RAW, answerBytes: 2 * length + 48 }, (error, lines) => {
      this.#reading = false;
      const again = this.#readAgain;
      this.#readAgain = 0;
      if (again > 0 && socket === this.status.socket) this.#read(socket, again);
      if (error) {
        this.#extra.receiveErrors++;
        this.#handlers.onError?.(error);
        return;
      }
      if (lines.length === 0) return; // nothing buffered (already read)
      const f = (lines[0] ?? "").split(",");
      const data = f.length === 6 ? fromHex(f[4]!) : undefined;
      const port = Number(f[2]);
      const remaining = Number(f[5]);
      if (!data || data.length !== Number(f[3]) || Number(f[0]) !== socket || !Number.isInteger(port) || !Number.isInteger(remaining)) {
        this.#extra.receiveErrors++;
        this.#handlers.onError?.(new Error(`bc95: AT+NSORF answer does not parse: ${JSON.stringify((lines[0] ?? "").slice(0, 80))}`));
        return;
      }
      this.#extra.datagramsIn++;
      this.#handlers.onDatagram?.(f[1]!, port, data);
      if (remaining > 0 && socket === this.status.socket) this.#read(socket, Math.min(remaining, BC95_MAX_DATAGRAM));
    });
  }

  // ------------------------------------------------------------------ API

  send(address: string, port: number, payload: Uint8Array, done?: (error: Error | undefined) => void, release: ReleaseHint = "none"): void {
    if (payload.length > BC95_MAX_DATAGRAM) throw new RangeError(`bc95: datagram of ${payload.length} bytes exceeds AT+NSOST's ${BC95_MAX_DATAGRAM}`);
    if (payload.length === 0) throw new RangeError("bc95: AT+NSOST needs at least one byte");
    if (!this.ready || this.status.socket === undefined) throw new Error(`bc95: not ready (${this.status.state})`);
    const s = this.status.socket;
    const flagged = release !== "none" && this.#o.releaseAssistance !== false;
    const text = flagged
      ? `AT+NSOSTF=${s},${address},${port},${RELEASE_FLAG[release]},${payload.length},${toHex(payload)}`
      : `AT+NSOST=${s},${address},${port},${payload.length},${toHex(payload)}`;
    this.#exec({ text, maxMs: MAX_MS.socket, info: RAW, answerBytes: 16, retries: 0 }, (error, lines) => {
      if (!error && lines[0] !== `${s},${payload.length}`) error = new AtError("error", flagged ? "AT+NSOSTF" : "AT+NSOST", `answered ${JSON.stringify(lines[0] ?? "")} instead of "${s},${payload.length}"`);
      if (error) {
        this.#extra.sendFailures++;
      } else this.#extra.datagramsOut++;
      done?.(error);
    });
  }

  /** AT+CSQ and AT+NUESTATS into `status`; `done` runs when both have answered (or failed). */
  refreshSignal(done?: () => void): void {
    this.#signal(() => done?.());
  }

  #signal(done: () => void): void {
    this.#exec({ text: "AT+CSQ", maxMs: MAX_MS.basic, info: "+CSQ:" }, (error, lines) => {
      if (!error && lines[0]) {
        const rssi = Number(lines[0].slice(5).split(",")[0]);
        this.status.rssiDbm = Number.isInteger(rssi) && rssi >= 0 && rssi <= 31 ? -113 + 2 * rssi : undefined;
      }
      this.#exec({ text: "AT+NUESTATS", maxMs: MAX_MS.basic, info: RAW, answerBytes: 256 }, (e, stats) => {
        if (!e) {
          for (const line of stats) {
            const colon = line.indexOf(":");
            const key = line.slice(0, colon);
            const value = Number(line.slice(colon + 1));
            if (!Number.isFinite(value)) continue;
            if (key === "Signal power") this.status.rsrpDbm = value / 10;
            else if (key === "SNR") this.status.snrDb = value / 10;
            else if (key === "ECL") this.status.ceLevel = value;
          }
        }
        done();
      });
    });
  }

  /** One line for logs: registration, signal, coverage level, PSM/eDRX as requested. */
  describe(): string {
    const s = this.status;
    const edrx = this.#o.edrxS ? `, eDRX ${edrxCycleSeconds(encodeEdrx(this.#o.edrxS))} s` : "";
    const psm = this.#o.psm === false ? "PSM off" : "PSM requested";
    return `${STAT_NAMES[s.registration] ?? s.registration}, socket ${s.socket ?? "-"}, RSSI ${s.rssiDbm ?? "?"} dBm, RSRP ${s.rsrpDbm ?? "?"} dBm, CE${s.ceLevel ?? "?"}, ${psm}${edrx}`;
  }

  close(): void {
    this.#abandon();
    this.#set("closed");
    this.#at.close();
    this.#reset?.close();
    this.#reset = undefined;
  }
}
