/**
 * Quectel BC95-G as a UART peer that answers as the module does, in virtual time, attached to an NB-IoT network
 * (simulator/core/nbiot/access.ts: the core stand-in, coverage from the simulated world).
 *
 * AT side (BC95-G&BC68 AT Commands Manual): lines end at CR (LF ignored), answers are framed
 * `<CR><LF>info<CR><LF>` … `<CR><LF>OK<CR><LF>` (§1.3), URCs `<CR><LF>+NAME:…<CR><LF>` never between an answer
 * and its OK. Echo as ATE says (V.250 default on). Unknown commands and malformed syntax answer `ERROR`;
 * parameters out of range `+CME ERROR:50`; state errors their own code (30 no network service for AT+NSOST
 * while not registered, 3 operation not allowed for AT+CGATT=1 with the radio off, 159 uplink busy when eight
 * datagrams wait, 50 for a socket that is not open), all plain `ERROR` with AT+CMEE=0. Commands: AT, ATE,
 * +CMEE, +CFUN, +CEREG, +CSCON, +NPSMR, +CPSMS, +CEDRXS, +CGATT, +CSQ, +CGPADDR, +NUESTATS, +NSOCR, +NSOST,
 * +NSOSTF (release assistance: 0x400 ends the RRC connection after the uplink, 0x200 after the next downlink),
 * +NSORF, +NSOCL, +NRB. It boots with the banner the module prints (`Boot: …`, `REBOOT_CAUSE_…`, `Neul`, `OK`),
 * after `bootMs`, on power-up, on a RESET pulse (active low) and after AT+NRB; bytes sent while it boots are lost.
 *
 * Radio side (simulator/core/nbiot/radio.ts for the numbers):
 * - Attach: with AT+CFUN=1 and AT+CGATT=1 (or AUTOCONNECT, the factory default) it searches for a cell; with
 *   coverage the network attaches it after the CE level's attach time, then `+CEREG:1`. No cell: `+CEREG:2`, and
 *   it searches again every 10 s.
 * - Each radio access (a datagram, a page, a TAU) first sets up an RRC connection (random access with the CE
 *   level's NPRACH repetitions: `+CSCON:1`), then sends or receives for the CE level's air time with its
 *   repetitions; the CE level comes from the coverage at that moment. After the network's inactivity timer it is
 *   released (`+CSCON:0`) and idle: paged every DRX cycle (2.56 s) or the granted eDRX cycle. T3324 after the
 *   release it enters PSM (`+NPSMR:1`, deep sleep) where nothing reaches it; at T3412 it wakes for a periodic TAU.
 *   Changing AT+CPSMS or AT+CEDRXS while registered triggers a TAU, as TS 24.301 has a UE do.
 * - Downlink: a datagram the network brings waits for the next paging occasion when idle (a UE-specific offset
 *   in the cycle), is lost when the module is in PSM, and arrives after its air time; then `+NSONMI:<s>,<len>`.
 * - Waking from PSM by the UART: the module wakes on the first byte but the line it was part of is lost (the
 *   driver syncs with AT until OK); it reports `+NPSMR:0`, stays awake while the UART is used, and sleeps again
 *   10 s after the last byte unless the radio is busy (`+NPSMR:1`). Network-wise it stays in PSM until it sends.
 * - Coverage loss (the network says coverage changed): noticed 1 s later when connected, at the next paging
 *   occasion when idle, at the next wake in PSM; then `+CEREG:2`, queued datagrams are dropped, AT+NSOST fails
 *   with `+CME ERROR:30`, and it searches until a cell is back and attaches again (`+CEREG:1`).
 * - Current: each state's figure from currents.ts, integrated over virtual time (`residency()`).
 */
import type { Engine, EventHandle, Micros } from "../../simulator/core/engine.js";
import type { UARTLink, UARTPeer } from "../../simulator/core/buses/uart.js";
import type { DigitalLine } from "../../simulator/core/io/lines.js";
import type { NbiotAccess, NbiotAttachRequest, NbiotCoverage, NbiotDatagram, NbiotGrant, NbiotUe } from "../../simulator/core/nbiot/access.js";
import { connectionSetupUs, csqRssi, downlinkAirUs, NPRACH_PREAMBLE_US, ceParams, uplinkAirUs } from "../../simulator/core/nbiot/radio.js";
import { hashString } from "../../simulator/core/rng.js";
import { BC95_CURRENTS, idleMilliamps } from "./currents.js";
import { CME } from "./errors.js";
import { fromHex, toHex } from "./hex.js";
import { decodeT3324, decodeT3412, edrxCycleSeconds } from "./nas-timers.js";

export interface Bc95ModelOptions {
  engine: Engine;
  uart: UARTLink;
  /** The UE's name on the network (the node id). */
  name: string;
  /** The network; without one the module never finds a cell. */
  network?: NbiotAccess;
  /** The RESET input (active low); without one the module boots when the model is made. */
  reset?: DigitalLine;
  /** Power-on to banner, ms (default 2000). */
  bootMs?: number;
  echo?: boolean;
  /** AT+NCONFIG=AUTOCONNECT,TRUE (the factory default): radio on and attach at boot (default true). */
  autoconnect?: boolean;
  /** DRX paging cycle when no eDRX is granted, s (default 2.56). */
  drxS?: number;
  /** How long the module stays awake after the UART woke it in PSM, ms (default 10000). */
  uartAwakeMs?: number;
}

export interface Bc95ModelStats {
  commands: number;
  errors: number;
  /** Bytes that arrived while the module was off, booting or waking (lost). */
  lostBytes: number;
  boots: number;
  attaches: number;
  searches: number;
  uplinks: number;
  uplinkBytes: number;
  /** Datagrams queued by AT+NSOST and dropped because coverage was lost. */
  uplinksDropped: number;
  downlinks: number;
  downlinkBytes: number;
  /** Downlinks that came while the module was in PSM, not registered, or for a socket it does not have. */
  downlinksLost: number;
  pages: number;
  taus: number;
  /** RRC releases that AT+NSOSTF's release assistance brought forward. */
  assistedReleases: number;
  psmEntries: number;
  uartWakes: number;
  coverageLosses: number;
}

export interface Residency {
  state: string;
  milliamps: number;
  us: number;
  milliampSeconds: number;
}

interface Socket {
  port: number;
  receiveControl: number;
  rx: NbiotDatagram[];
  /** Bytes of rx[0] already read by a partial AT+NSORF. */
  offset: number;
}

type Final = "OK" | "ERROR" | { cme: number } | "none";
interface Reply {
  info: string[];
  final: Final;
  /** Processing time before the answer, µs (default 5 ms). */
  delayUs?: Micros;
  /** Runs when the answer has been sent. */
  after?: () => void;
}

const SEARCH_INTERVAL_US: Micros = 10_000_000;
const MAX_QUEUED = 8;
const MAX_SOCKETS = 7;
const RLF_US: Micros = 1_000_000;
/** BC95-style signalling sizes: a TAU request and its accept, bytes. */
const TAU_BYTES = 20;
const MAX_LINE = 1100;
const UART_CHUNK = 128;

const ok = (info: string[] = []): Reply => ({ info, final: "OK" });
const syntax = (): Reply => ({ info: [], final: "ERROR" });
const cme = (code: number): Reply => ({ info: [], final: { cme: code } });

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** Arguments of a set command: comma separated, quotes stripped (a quoted comma stays inside its argument). */
function splitArgs(text: string): string[] | undefined {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (ch === "," && !quoted) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (quoted) return undefined;
  out.push(cur);
  return out;
}

const int = (s: string | undefined, min: number, max: number): number | undefined => {
  if (s === undefined || !/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n >= min && n <= max ? n : undefined;
};

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export class Bc95Model implements UARTPeer, NbiotUe {
  readonly name: string;
  readonly stats: Bc95ModelStats = {
    commands: 0,
    errors: 0,
    lostBytes: 0,
    boots: 0,
    attaches: 0,
    searches: 0,
    uplinks: 0,
    uplinkBytes: 0,
    uplinksDropped: 0,
    downlinks: 0,
    downlinkBytes: 0,
    downlinksLost: 0,
    pages: 0,
    taus: 0,
    assistedReleases: 0,
    psmEntries: 0,
    uartWakes: 0,
    coverageLosses: 0,
  };
  readonly #o: Bc95ModelOptions;
  readonly #engine: Engine;
  // ------------------------------------------------------------ power and settings
  #power: "off" | "booting" | "on" = "off";
  /** Bumped at every power-off, so events of the previous life do nothing. */
  #epoch = 0;
  #echo = true;
  #cmee = 0;
  #ceregN = 0;
  #csconN = 0;
  #npsmrN = 0;
  #cpsms = { mode: 0, t3412: "", t3324: "" };
  #cedrxs = { mode: 0, value: "0010" };
  #cfun = 0;
  #attachWanted = false;
  // ------------------------------------------------------------ network state
  #stat = 0;
  #grant: NbiotGrant | undefined;
  #attaching = false;
  #searchTimer: EventHandle | undefined;
  #rrc: "idle" | "connected" = "idle";
  /** In PSM as the network sees it: unreachable until the module sends. */
  #psm = false;
  /** CPU off (PSM and not woken by the UART). */
  #deepSleep = false;
  #radio: "tx" | "rx" | "search" | undefined;
  #radioBusy = false;
  readonly #jobs: ((done: () => void) => void)[] = [];
  #inactivity: EventHandle | undefined;
  #t3324: EventHandle | undefined;
  #t3412: EventHandle | undefined;
  #uartSleep: EventHandle | undefined;
  #paging: EventHandle | undefined;
  #coverageCheck: EventHandle | undefined;
  #txMs = 0;
  #rxMs = 0;
  // ------------------------------------------------------------ data
  readonly #sockets = new Map<number, Socket>();
  readonly #uplinks: { d: NbiotDatagram; flag: number }[] = [];
  /** AT+NSOSTF 0x200: release once the next downlink is in. */
  #releaseAfterDownlink = false;
  readonly #pendingDown: NbiotDatagram[] = [];
  // ------------------------------------------------------------ UART
  #line = "";
  #lineOverflow = false;
  #discardLine = false;
  readonly #lines: string[] = [];
  #busy = false;
  // ------------------------------------------------------------ current
  #label = "off";
  #since: Micros;
  readonly #ledger = new Map<string, Residency>();

  constructor(options: Bc95ModelOptions) {
    this.#o = options;
    this.#engine = options.engine;
    this.name = options.name;
    this.#since = options.engine.now;
    options.uart.peer = this;
    const reset = options.reset;
    if (reset) {
      reset.listen((level) => (level ? this.#boot("REBOOT_CAUSE_SECURITY_RESET_PIN") : this.#powerOff()));
      if (reset.level) this.#boot("REBOOT_CAUSE_SECURITY_PMU_POWER_ON_RESET");
    } else this.#boot("REBOOT_CAUSE_SECURITY_PMU_POWER_ON_RESET");
  }

  // ================================================================ observation

  /** What the module is doing, for tests and traces. */
  get state(): { power: string; registration: number; rrc: string; psm: boolean; asleep: boolean; current: string; ip: string | undefined; grant: NbiotGrant | undefined } {
    return { power: this.#power, registration: this.#stat, rrc: this.#rrc, psm: this.#psm, asleep: this.#deepSleep, current: this.#label, ip: this.#grant?.ip, grant: this.#grant };
  }

  /** Supply current now, mA. */
  get milliamps(): number {
    return this.#milliampsOf(this.#label);
  }

  /** Time and charge in each supply state so far. */
  residency(): Residency[] {
    this.#update();
    return [...this.#ledger.values()].map((r) => ({ ...r }));
  }

  /** Mean supply current since the model was made, mA: a load for an energy estimate (emulator/host/energy.ts). */
  meanMilliamps(): number {
    const all = this.residency();
    const us = all.reduce((a, r) => a + r.us, 0);
    return us > 0 ? (all.reduce((a, r) => a + r.milliampSeconds, 0) * 1e6) / us : 0;
  }

  /** Put raw bytes on the module's TX line now (tests: garbled, truncated or interleaved lines). */
  inject(bytes: Uint8Array | string): void {
    this.#send(typeof bytes === "string" ? ascii(bytes) : bytes);
  }

  /** In pieces, as a UART delivers a stream: the MCU reads while a long answer is still arriving. */
  #send(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i += UART_CHUNK) this.#o.uart.fromPeer(bytes.subarray(i, i + UART_CHUNK));
  }

  #milliampsOf(label: string): number {
    // Idle labels name their paging cycle; their current depends on it.
    return Object.prototype.hasOwnProperty.call(BC95_CURRENTS, label) ? BC95_CURRENTS[label as keyof typeof BC95_CURRENTS] : idleMilliamps(this.#pagingCycleS());
  }

  #pagingCycleS(): number {
    return this.#grant?.edrxS ?? this.#o.drxS ?? 2.56;
  }

  #computeLabel(): string {
    if (this.#power === "off") return "off";
    if (this.#power === "booting") return "awake";
    if (this.#radio) return this.#radio;
    if (this.#deepSleep) return "psm";
    if (this.#psm || this.#cfun === 0) return "awake";
    if (this.#rrc === "connected") return "connected";
    if (this.#stat === 1) return this.#grant?.edrxS !== undefined ? `idle (eDRX ${this.#grant.edrxS} s)` : `idle (DRX ${this.#pagingCycleS()} s)`;
    return this.#attachWanted ? "search" : "awake";
  }

  /** Charge the time since the last change to the state it was in, then take the new state. */
  #update(): void {
    const now = this.#engine.now;
    const us = now - this.#since;
    if (us > 0) {
      let r = this.#ledger.get(this.#label);
      if (!r) {
        r = { state: this.#label, milliamps: this.#milliampsOf(this.#label), us: 0, milliampSeconds: 0 };
        this.#ledger.set(this.#label, r);
      }
      r.us += us;
      r.milliampSeconds += (r.milliamps * us) / 1e6;
    }
    this.#since = now;
    this.#label = this.#computeLabel();
  }

  // ================================================================ power

  #at(at: Micros, fn: () => void): EventHandle {
    const epoch = this.#epoch;
    return this.#engine.at(at, () => {
      if (epoch === this.#epoch) fn();
    });
  }

  #after(us: Micros, fn: () => void): EventHandle {
    return this.#at(this.#engine.now + us, fn);
  }

  #cancel(...handles: (EventHandle | undefined)[]): void {
    for (const h of handles) this.#engine.cancel(h);
  }

  #powerOff(): void {
    this.#epoch++;
    this.#power = "off";
    if (this.#grant) this.#o.network?.detach(this.name);
    this.#reset();
    this.#update();
  }

  #reset(): void {
    this.#cancel(this.#searchTimer, this.#inactivity, this.#t3324, this.#t3412, this.#uartSleep, this.#paging, this.#coverageCheck);
    this.#searchTimer = this.#inactivity = this.#t3324 = this.#t3412 = this.#uartSleep = this.#paging = this.#coverageCheck = undefined;
    this.#echo = this.#o.echo ?? true;
    this.#cmee = 0;
    this.#ceregN = 0;
    this.#csconN = 0;
    this.#npsmrN = 0;
    this.#cpsms = { mode: 0, t3412: "", t3324: "" };
    this.#cedrxs = { mode: 0, value: "0010" };
    this.#cfun = 0;
    this.#attachWanted = false;
    this.#stat = 0;
    this.#grant = undefined;
    this.#attaching = false;
    this.#rrc = "idle";
    this.#psm = false;
    this.#deepSleep = false;
    this.#radio = undefined;
    this.#radioBusy = false;
    this.#jobs.length = 0;
    this.#sockets.clear();
    this.#uplinks.length = 0;
    this.#pendingDown.length = 0;
    this.#line = "";
    this.#lineOverflow = false;
    this.#discardLine = false;
    this.#lines.length = 0;
    this.#busy = false;
  }

  #boot(cause: string): void {
    if (this.#power !== "off") this.#powerOff();
    this.#epoch++;
    this.#reset();
    this.#power = "booting";
    this.stats.boots++;
    this.#update();
    this.#after((this.#o.bootMs ?? 2000) * 1000, () => {
      this.#power = "on";
      this.#update();
      this.#write(`\r\nBoot: Unsigned\r\nSecurity B.. Verified\r\nProtocol A.. Verified\r\nApps A...... Verified\r\n\r\n${cause}\r\nNeul \r\nOK\r\n`);
      if (this.#o.autoconnect ?? true) {
        this.#cfun = 1;
        this.#attachWanted = true;
        this.#update();
        this.#startAttach();
      }
    });
  }

  // ================================================================ UART

  #write(text: string): void {
    // An AT+NSORF answer for 512 bytes is about 1,070 characters: more than a typical receive buffer holds.
    if (this.#power !== "off") this.#send(ascii(text));
  }

  #urc(text: string): void {
    this.#write(`\r\n${text}\r\n`);
  }

  receive(bytes: Uint8Array): void {
    if (this.#power !== "on") {
      this.stats.lostBytes += bytes.length;
      return;
    }
    if (this.#deepSleep) this.#wakeByUart();
    if (this.#psm) this.#keepAwake();
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (this.#discardLine) {
        this.stats.lostBytes++;
        if (b === 13) this.#discardLine = false;
        continue;
      }
      if (b === 13) {
        const line = this.#line;
        const overflow = this.#lineOverflow;
        this.#line = "";
        this.#lineOverflow = false;
        if (this.#echo) this.#write(`${line}\r`);
        this.#lines.push(overflow ? "\u0000overflow" : line);
        this.#pump();
      } else if (b !== 10) {
        if (this.#line.length < MAX_LINE) this.#line += String.fromCharCode(b);
        else this.#lineOverflow = true;
      }
    }
  }

  #wakeByUart(): void {
    // The module wakes on the first edge; the line that woke it is lost.
    this.stats.uartWakes++;
    this.#deepSleep = false;
    this.#discardLine = true;
    this.#update();
    if (this.#npsmrN === 1) this.#after(2000, () => this.#urc("+NPSMR:0"));
  }

  /** Awake in PSM because of the UART: back to deep sleep once the UART and the radio are quiet. */
  #keepAwake(): void {
    this.#cancel(this.#uartSleep);
    this.#uartSleep = this.#after((this.#o.uartAwakeMs ?? 10_000) * 1000, () => {
      this.#uartSleep = undefined;
      if (!this.#psm || this.#deepSleep || this.#radioBusy || this.#busy) return;
      this.#deepSleep = true;
      this.#update();
      if (this.#npsmrN === 1) this.#urc("+NPSMR:1");
    });
  }

  #pump(): void {
    if (this.#busy) return;
    const line = this.#lines.shift();
    if (line === undefined) return;
    this.#busy = true;
    this.stats.commands++;
    const reply = line.startsWith("\u0000") ? syntax() : this.#execute(line);
    this.#after(reply.delayUs ?? 5_000, () => {
      let text = "";
      for (const l of reply.info) text += `\r\n${l}\r\n`;
      const f = reply.final;
      if (f !== "OK" && f !== "none") this.stats.errors++;
      if (f === "OK") text += "\r\nOK\r\n";
      else if (f === "ERROR") text += "\r\nERROR\r\n";
      else if (f !== "none") text += this.#cmee === 1 ? `\r\n+CME ERROR:${f.cme}\r\n` : "\r\nERROR\r\n";
      if (text) this.#write(text);
      this.#busy = false;
      reply.after?.();
      this.#pump();
    });
  }

  // ================================================================ commands

  #execute(raw: string): Reply {
    const line = raw.trim();
    if (!/^AT/i.test(line)) return syntax();
    const body = line.slice(2);
    if (body === "") return ok();
    const e = /^E([01]?)$/i.exec(body);
    if (e) {
      this.#echo = e[1] === "1";
      return ok();
    }
    const m = /^\+([A-Z]+)(=\?|\?|=(.*))?$/i.exec(body);
    if (!m) return syntax();
    const name = m[1]!.toUpperCase();
    const form = m[2] === undefined ? "exec" : m[2] === "?" ? "read" : m[2] === "=?" ? "test" : "set";
    const args = form === "set" ? splitArgs(m[3]!) : [];
    if (!args) return syntax();
    switch (name) {
      case "CMEE":
        return this.#flag(form, args, "CMEE", () => this.#cmee, (v) => (this.#cmee = v), 1);
      case "CEREG":
        if (form === "read") return ok([`+CEREG:${this.#ceregN},${this.#stat}${this.#ceregN >= 2 && this.#stat === 1 ? this.#location() : ""}`]);
        return this.#flag(form, args, "CEREG", () => this.#ceregN, (v) => (this.#ceregN = v), 5);
      case "CSCON":
        if (form === "read") return ok([`+CSCON:${this.#csconN},${this.#rrc === "connected" ? 1 : 0}`]);
        return this.#flag(form, args, "CSCON", () => this.#csconN, (v) => (this.#csconN = v), 1);
      case "NPSMR":
        if (form === "read") return ok([this.#npsmrN === 1 ? `+NPSMR:1,${this.#psm ? 1 : 0}` : "+NPSMR:0"]);
        return this.#flag(form, args, "NPSMR", () => this.#npsmrN, (v) => (this.#npsmrN = v), 1);
      case "CFUN":
        return this.#cfunCommand(form, args);
      case "CGATT":
        return this.#cgatt(form, args);
      case "CPSMS":
        return this.#cpsmsCommand(form, args);
      case "CEDRXS":
        return this.#cedrxsCommand(form, args);
      case "CSQ":
        if (form !== "exec") return form === "test" ? ok(["+CSQ:(0-31,99),(99)"]) : syntax();
        return ok([`+CSQ:${this.#cfun === 1 && this.#stat === 1 ? csqRssi(this.#coverage()?.rssiDbm) : 99},99`]);
      case "CGPADDR":
        if (form === "read" || form === "test") return form === "test" ? ok(["+CGPADDR:(0)"]) : syntax();
        return ok([this.#grant ? `+CGPADDR:0,${this.#grant.ip}` : "+CGPADDR:0"]);
      case "NUESTATS":
        if (form === "read" || form === "test" || (form === "set" && args[0]!.toUpperCase() !== "RADIO")) return syntax();
        return ok(this.#nuestats());
      case "NSOCR":
        return form === "set" ? this.#nsocr(args) : syntax();
      case "NSOST":
        return form === "set" ? this.#nsost(args, false) : syntax();
      case "NSOSTF":
        return form === "set" ? this.#nsost(args, true) : syntax();
      case "NSORF":
        return form === "set" ? this.#nsorf(args) : syntax();
      case "NSOCL":
        if (form !== "set") return syntax();
        return this.#nsocl(args);
      case "NRB":
        if (form !== "exec") return syntax();
        return { info: ["REBOOTING"], final: "none", delayUs: 10_000, after: () => this.#boot("REBOOT_CAUSE_APPLICATION_AT") };
      default:
        return syntax();
    }
  }

  /** A setting 0…max: set, read ("+NAME:<n>") or test. */
  #flag(form: string, args: string[], name: string, get: () => number, set: (v: number) => void, max: number): Reply {
    if (form === "read") return ok([`+${name}:${get()}`]);
    if (form === "test") return ok([`+${name}:(0-${max})`]);
    if (form !== "set" || args.length !== 1) return syntax();
    const v = int(args[0], 0, max);
    if (v === undefined) return cme(CME.INCORRECT_PARAMETERS);
    set(v);
    return ok();
  }

  #location(): string {
    const c = this.#coverage();
    return c ? `,"${(c.cellId >> 8).toString(16).toUpperCase().padStart(4, "0")}","${c.cellId.toString(16).toUpperCase().padStart(8, "0")}",9` : "";
  }

  #cfunCommand(form: string, args: string[]): Reply {
    if (form === "read") return ok([`+CFUN:${this.#cfun}`]);
    if (form === "test") return ok(["+CFUN:(0,1),(0)"]);
    if (form !== "set") return syntax();
    const v = int(args[0], 0, 1);
    if (v === undefined || args.length > 2) return cme(CME.INCORRECT_PARAMETERS);
    if (v === this.#cfun) return ok();
    if (v === 1) {
      // Radio on and the SIM read: the answer comes when that is done.
      return { info: [], final: "OK", delayUs: 1_200_000, after: () => {
        this.#cfun = 1;
        this.#update();
        this.#startAttach();
      } };
    }
    return { info: [], final: "OK", delayUs: 200_000, after: () => {
      this.#deregister(0);
      this.#cfun = 0;
      this.#attachWanted = false;
      this.#update();
    } };
  }

  #cgatt(form: string, args: string[]): Reply {
    if (form === "read") return ok([`+CGATT:${this.#stat === 1 ? 1 : 0}`]);
    if (form === "test") return ok(["+CGATT:(0,1)"]);
    if (form !== "set") return syntax();
    const v = int(args[0], 0, 1);
    if (v === undefined || args.length !== 1) return cme(CME.INCORRECT_PARAMETERS);
    if (v === 1) {
      if (this.#cfun !== 1) return cme(CME.OPERATION_NOT_ALLOWED);
      return { info: [], final: "OK", after: () => {
        this.#attachWanted = true;
        this.#update();
        this.#startAttach();
      } };
    }
    return { info: [], final: "OK", delayUs: 100_000, after: () => {
      this.#attachWanted = false;
      this.#deregister(0);
    } };
  }

  #cpsmsCommand(form: string, args: string[]): Reply {
    const c = this.#cpsms;
    if (form === "read") return ok([`+CPSMS:${c.mode},,,${c.t3412},${c.t3324}`]);
    if (form === "test") return ok(["+CPSMS:(0,1,2),,,(00000000-11111111),(00000000-11111111)"]);
    if (form !== "set") return syntax();
    const mode = int(args[0], 0, 2);
    if (mode === undefined || args.length > 5) return cme(CME.INCORRECT_PARAMETERS);
    if (mode === 1) {
      const t3412 = args[3] ?? c.t3412;
      const t3324 = args[4] ?? c.t3324;
      if (decodeT3412(t3412) === undefined || decodeT3324(t3324) === undefined) return cme(CME.INCORRECT_PARAMETERS);
      this.#cpsms = { mode, t3412, t3324 };
    } else this.#cpsms = mode === 2 ? { mode: 0, t3412: "", t3324: "" } : { ...c, mode };
    return { info: [], final: "OK", after: () => this.#parametersChanged() };
  }

  #cedrxsCommand(form: string, args: string[]): Reply {
    if (form === "read") return ok(this.#cedrxs.mode === 1 || this.#cedrxs.mode === 2 ? [`+CEDRXS:5,"${this.#cedrxs.value}"`] : []);
    if (form === "test") return ok(['+CEDRXS:(0,1,2,3),(5),("0000"-"1111")']);
    if (form !== "set") return syntax();
    const mode = int(args[0], 0, 3);
    if (mode === undefined || args.length > 3) return cme(CME.INCORRECT_PARAMETERS);
    if (args[1] !== undefined && args[1] !== "5") return cme(CME.INCORRECT_PARAMETERS);
    const value = args[2] ?? this.#cedrxs.value;
    if (edrxCycleSeconds(value) === undefined) return cme(CME.INCORRECT_PARAMETERS);
    this.#cedrxs = mode === 3 ? { mode: 0, value: "0010" } : { mode, value };
    return { info: [], final: "OK", after: () => this.#parametersChanged() };
  }

  #nuestats(): string[] {
    const c = this.#stat === 1 ? this.#coverage() : undefined;
    return [
      `Signal power:${c ? Math.round(c.rsrpDbm * 10) : -32768}`,
      `Total power:${c ? Math.round(c.rssiDbm * 10) : -32768}`,
      `TX power:${c ? 230 : -32768}`,
      `TX time:${Math.round(this.#txMs)}`,
      `RX time:${Math.round(this.#rxMs)}`,
      `Cell ID:${c ? c.cellId : 0}`,
      `ECL:${c ? c.ce : 255}`,
      `SNR:${c ? Math.round(c.snrDb * 10) : -32768}`,
      `EARFCN:${c ? c.earfcn : 0}`,
      `PCI:${c ? c.pci : 0}`,
      `RSRQ:${c ? -108 : -32768}`,
    ];
  }

  #nsocr(args: string[]): Reply {
    if (args.length < 3 || args.length > 4) return syntax();
    if (args[0] !== "DGRAM" || args[1] !== "17") return cme(CME.OPERATION_NOT_SUPPORTED);
    const port = int(args[2], 0, 65535);
    const rc = args[3] === undefined ? 1 : int(args[3], 0, 1);
    if (port === undefined || rc === undefined) return cme(CME.INCORRECT_PARAMETERS);
    for (const s of this.#sockets.values()) if (port !== 0 && s.port === port) return cme(CME.OPERATION_NOT_SUPPORTED);
    let id = 0;
    while (this.#sockets.has(id)) id++;
    if (id >= MAX_SOCKETS) return cme(CME.OPERATION_NOT_SUPPORTED);
    this.#sockets.set(id, { port: port === 0 ? 56_000 + id : port, receiveControl: rc, rx: [], offset: 0 });
    return ok([String(id)]);
  }

  /** AT+NSOST=<s>,<ip>,<port>,<len>,<hex>, or AT+NSOSTF=<s>,<ip>,<port>,<flag>,<len>,<hex> (flag 0x100 exception, 0x200 release after the next downlink, 0x400 release after this uplink). */
  #nsost(all: string[], flagged: boolean): Reply {
    if (all.length !== (flagged ? 6 : 5)) return syntax();
    const flagText = flagged ? all[3]! : "0";
    const flag = /^0x[0-9a-f]{1,4}$/i.test(flagText) ? parseInt(flagText.slice(2), 16) : /^\d+$/.test(flagText) ? Number(flagText) : -1;
    const args = flagged ? [...all.slice(0, 3), ...all.slice(4)] : all;
    const s = int(args[0], 0, MAX_SOCKETS - 1);
    const socket = s === undefined ? undefined : this.#sockets.get(s);
    const ip = IPV4.exec(args[1]!);
    const port = int(args[2], 1, 65535);
    const len = int(args[3], 1, 512);
    const data = fromHex(args[4]!);
    const flagOk = flag >= 0 && (flag & ~0x700) === 0 && (flag & 0x600) !== 0x600;
    if (!socket || !ip || ip.slice(1).some((o) => Number(o) > 255) || port === undefined || len === undefined || !data || data.length !== len || !flagOk) return cme(CME.INCORRECT_PARAMETERS);
    if (this.#stat !== 1 || !this.#grant) return cme(CME.NO_NETWORK_SERVICE);
    if (this.#uplinks.length >= MAX_QUEUED) return cme(CME.UPLINK_BUSY);
    return { info: [`${s},${len}`], final: "OK", after: () => {
      this.#uplinks.push({ d: { localPort: socket.port, address: args[1]!, port, payload: data }, flag });
      this.#radioJob((done) => this.#sendOne(done));
    } };
  }

  #nsorf(args: string[]): Reply {
    if (args.length !== 2) return syntax();
    const s = int(args[0], 0, MAX_SOCKETS - 1);
    const want = int(args[1], 1, 512);
    const socket = s === undefined ? undefined : this.#sockets.get(s);
    if (!socket || want === undefined) return cme(CME.INCORRECT_PARAMETERS);
    const d = socket.rx[0];
    if (!d) return ok();
    const part = d.payload.subarray(socket.offset, socket.offset + want);
    socket.offset += part.length;
    const remaining = d.payload.length - socket.offset;
    if (remaining === 0) {
      socket.rx.shift();
      socket.offset = 0;
    }
    return ok([`${s},${d.address},${d.port},${part.length},${toHex(part)},${remaining}`]);
  }

  #nsocl(args: string[]): Reply {
    const s = int(args[0], 0, MAX_SOCKETS - 1);
    if (args.length !== 1 || s === undefined || !this.#sockets.has(s)) return cme(CME.INCORRECT_PARAMETERS);
    this.#sockets.delete(s);
    return ok();
  }

  // ================================================================ network: attach and registration

  #coverage(): NbiotCoverage | undefined {
    return this.#o.network?.coverage(this.name);
  }

  #request(): NbiotAttachRequest {
    const psm = this.#cpsms.mode === 1;
    const edrx = this.#cedrxs.mode === 1 || this.#cedrxs.mode === 2;
    return {
      ...(psm ? { t3412S: decodeT3412(this.#cpsms.t3412), t3324S: decodeT3324(this.#cpsms.t3324) } : {}),
      ...(edrx ? { edrxS: edrxCycleSeconds(this.#cedrxs.value) } : {}),
    };
  }

  #setStat(stat: number): void {
    if (stat === this.#stat) return;
    this.#stat = stat;
    this.#update();
    if (this.#ceregN >= 1) this.#urc(`+CEREG:${stat}${this.#ceregN >= 2 && stat === 1 ? this.#location() : ""}`);
  }

  #startAttach(): void {
    if (this.#power !== "on" || this.#cfun !== 1 || !this.#attachWanted || this.#stat === 1 || this.#attaching) return;
    this.#cancel(this.#searchTimer);
    this.#searchTimer = undefined;
    this.stats.searches++;
    this.#setStat(2);
    const network = this.#o.network;
    if (!network || !this.#coverage()) {
      this.#searchTimer = this.#after(SEARCH_INTERVAL_US, () => {
        this.#searchTimer = undefined;
        this.#startAttach();
      });
      return;
    }
    this.#attaching = true;
    this.#radio = "rx";
    this.#update();
    const asked = this.#request();
    network.attach(this, asked, (grant) => {
      if (this.#power !== "on") return;
      this.#attaching = false;
      this.#radio = undefined;
      if (!grant || this.#cfun !== 1 || !this.#attachWanted) {
        this.#update();
        if (this.#attachWanted) this.#startAttach();
        return;
      }
      this.stats.attaches++;
      this.#grant = grant;
      this.#setStat(1);
      this.#connected();
      // Timers changed while the attach was under way: tell the network with a TAU.
      if (JSON.stringify(asked) !== JSON.stringify(this.#request())) this.#radioJob((done) => this.#tau(done));
    });
  }

  /** Out of service: +CEREG, RRC gone, queued data dropped; search again when attach is wanted. */
  #deregister(stat: number): void {
    this.#cancel(this.#inactivity, this.#t3324, this.#t3412, this.#paging, this.#coverageCheck);
    this.#inactivity = this.#t3324 = this.#t3412 = this.#paging = this.#coverageCheck = undefined;
    if (this.#grant) this.#o.network?.detach(this.name);
    this.#grant = undefined;
    this.stats.uplinksDropped += this.#uplinks.length;
    this.#releaseAfterDownlink = false;
    this.#uplinks.length = 0;
    this.stats.downlinksLost += this.#pendingDown.length;
    this.#pendingDown.length = 0;
    const wasConnected = this.#rrc === "connected";
    this.#rrc = "idle";
    this.#psm = false;
    this.#deepSleep = false;
    if (wasConnected && this.#csconN === 1) this.#urc("+CSCON:0");
    this.#cancel(this.#searchTimer);
    this.#searchTimer = undefined;
    this.#setStat(stat);
    this.#update();
    if (stat === 2 && this.#attachWanted) {
      this.#searchTimer = this.#after(SEARCH_INTERVAL_US, () => {
        this.#searchTimer = undefined;
        this.#startAttach();
      });
    }
  }

  #lostCoverage(): void {
    this.stats.coverageLosses++;
    this.#deregister(2);
  }

  coverageChanged(): void {
    if (this.#power !== "on") return;
    if (this.#stat !== 1) {
      if (this.#attachWanted && !this.#attaching) this.#startAttach();
      return;
    }
    // When the module notices depends on what its receiver is doing.
    this.#cancel(this.#coverageCheck);
    let at: Micros | undefined;
    if (this.#rrc === "connected") at = this.#engine.now + RLF_US;
    else if (!this.#psm) at = this.#nextPagingOccasion();
    if (at === undefined) return; // in PSM: noticed at the next wake
    this.#coverageCheck = this.#at(at, () => {
      this.#coverageCheck = undefined;
      if (this.#stat === 1 && !this.#coverage()) this.#lostCoverage();
    });
  }

  /** AT+CPSMS / AT+CEDRXS changed while registered: renegotiate with a TAU. */
  #parametersChanged(): void {
    if (this.#stat === 1) this.#radioJob((done) => this.#tau(done));
  }

  // ================================================================ network: RRC, PSM, paging

  /** The RRC connection is up (after an attach or a set-up): report it and restart the inactivity timer. */
  #connected(): void {
    const was = this.#rrc;
    this.#rrc = "connected";
    this.#psm = false;
    this.#deepSleep = false;
    this.#cancel(this.#t3324, this.#t3412, this.#uartSleep);
    this.#t3324 = this.#t3412 = this.#uartSleep = undefined;
    this.#update();
    if (was !== "connected" && this.#csconN === 1) this.#urc("+CSCON:1");
    this.#touch();
  }

  #touch(): void {
    this.#cancel(this.#inactivity);
    this.#inactivity = this.#after((this.#grant?.inactivityMs ?? 20_000) * 1000, () => {
      this.#inactivity = undefined;
      if (this.#radioBusy || this.#uplinks.length > 0) return this.#touch();
      this.#release();
    });
  }

  #release(): void {
    this.#rrc = "idle";
    this.#releaseAfterDownlink = false;
    this.#update();
    if (this.#csconN === 1) this.#urc("+CSCON:0");
    const g = this.#grant;
    if (!g) return;
    if (g.t3324S !== undefined) this.#t3324 = this.#after(g.t3324S * 1_000_000, () => this.#enterPsm());
    // T3412 runs in idle and PSM alike; without PSM the network's default periodic TAU is 54 min (TS 24.301).
    this.#t3412 = this.#after((g.t3412S ?? 3240) * 1_000_000, () => {
      this.#t3412 = undefined;
      this.#radioJob((done) => this.#tau(done));
    });
    if (this.#pendingDown.length > 0) this.#schedulePaging();
  }

  #enterPsm(): void {
    this.#t3324 = undefined;
    if (this.#rrc === "connected" || this.#stat !== 1) return;
    this.#psm = true;
    this.#deepSleep = true;
    this.stats.psmEntries++;
    this.#cancel(this.#paging);
    this.#paging = undefined;
    this.stats.downlinksLost += this.#pendingDown.length;
    this.#pendingDown.length = 0;
    this.#update();
    if (this.#npsmrN === 1) this.#urc("+NPSMR:1");
  }

  #leavePsm(): void {
    if (!this.#psm) return;
    const wasAsleep = this.#deepSleep;
    this.#psm = false;
    this.#deepSleep = false;
    this.#update();
    if (wasAsleep && this.#npsmrN === 1) this.#urc("+NPSMR:0");
  }

  /** The next paging occasion at or after now: a UE-specific offset within the DRX or eDRX cycle. */
  #nextPagingOccasion(): Micros {
    const cycle = Math.round(this.#pagingCycleS() * 1_000_000);
    const offset = hashString(this.name) % cycle;
    const now = this.#engine.now;
    const k = Math.ceil((now - offset) / cycle);
    return Math.max(now, k * cycle + offset);
  }

  #schedulePaging(): void {
    if (this.#paging || this.#rrc === "connected" || this.#psm) return;
    this.#paging = this.#at(this.#nextPagingOccasion(), () => {
      this.#paging = undefined;
      this.stats.pages++;
      this.#radioJob((done) => this.#receivePending(done));
    });
  }

  downlink(d: NbiotDatagram): void {
    if (this.#power !== "on" || this.#stat !== 1 || this.#psm) {
      this.stats.downlinksLost++;
      return;
    }
    this.#pendingDown.push(d);
    if (this.#rrc === "connected") this.#radioJob((done) => this.#receivePending(done));
    else this.#schedulePaging();
  }

  // ================================================================ radio jobs

  /** Radio work runs one job at a time, in order. */
  #radioJob(job: (done: () => void) => void): void {
    this.#jobs.push(job);
    if (!this.#radioBusy) this.#nextJob();
  }

  #nextJob(): void {
    const job = this.#jobs.shift();
    if (!job) {
      this.#radioBusy = false;
      return;
    }
    this.#radioBusy = true;
    job(() => this.#nextJob());
  }

  /** Make sure the RRC connection is up (random access and set-up when idle or in PSM), then `then(ce)`. */
  #connect(then: (ce: 0 | 1 | 2) => void, abort: () => void): void {
    const c = this.#coverage();
    if (this.#stat !== 1 || !c) {
      if (this.#stat === 1) this.#lostCoverage();
      return abort();
    }
    if (this.#rrc === "connected") return then(c.ce);
    this.#leavePsm();
    const prach = ceParams(c.ce).prachRepetitions * NPRACH_PREAMBLE_US;
    this.#phase("tx", prach, () => {
      this.#phase("rx", connectionSetupUs(c.ce) - prach, () => {
        this.#connected();
        then(c.ce);
      });
    });
  }

  /** Transmit or receive for `us`, then `next`. */
  #phase(radio: "tx" | "rx", us: Micros, next: () => void): void {
    this.#radio = radio;
    this.#update();
    if (radio === "tx") this.#txMs += us / 1000;
    else this.#rxMs += us / 1000;
    this.#after(us, () => {
      this.#radio = undefined;
      this.#update();
      next();
    });
  }

  #sendOne(done: () => void): void {
    const next = this.#uplinks[0];
    if (!next) return done();
    const { d, flag } = next;
    this.#connect(
      (ce) => {
        this.#phase("tx", uplinkAirUs(d.payload.length, ce), () => {
          this.#uplinks.shift();
          this.stats.uplinks++;
          this.stats.uplinkBytes += d.payload.length;
          this.#o.network?.uplink(this.name, d);
          this.#touch();
          if (flag & 0x200) this.#releaseAfterDownlink = true;
          if (flag & 0x400) this.#releaseWhenQuiet();
          done();
        });
      },
      done,
    );
  }

  /** Release assistance: end the RRC connection as soon as nothing is left to send or receive. */
  #releaseWhenQuiet(): void {
    this.#after(0, () => {
      if (this.#rrc !== "connected" || this.#radioBusy || this.#uplinks.length > 0 || this.#pendingDown.length > 0) return;
      this.stats.assistedReleases++;
      this.#cancel(this.#inactivity);
      this.#inactivity = undefined;
      this.#release();
    });
  }

  #receivePending(done: () => void): void {
    if (this.#pendingDown.length === 0) return done();
    this.#connect(
      (ce) => {
        const d = this.#pendingDown.shift()!;
        this.#phase("rx", downlinkAirUs(d.payload.length, ce), () => {
          this.#deliver(d);
          this.#touch();
          if (this.#releaseAfterDownlink) {
            this.#releaseAfterDownlink = false;
            this.#releaseWhenQuiet();
          }
          this.#receivePending(done);
        });
      },
      done,
    );
  }

  #deliver(d: NbiotDatagram): void {
    for (const [id, s] of this.#sockets) {
      if (s.port !== d.localPort) continue;
      s.rx.push(d);
      this.stats.downlinks++;
      this.stats.downlinkBytes += d.payload.length;
      if (s.receiveControl === 1) this.#urc(`+NSONMI:${id},${d.payload.length}`);
      return;
    }
    this.stats.downlinksLost++;
  }

  #tau(done: () => void): void {
    this.#connect(
      (ce) => {
        this.#phase("tx", uplinkAirUs(TAU_BYTES, ce, false), () => {
          this.#phase("rx", downlinkAirUs(TAU_BYTES, ce, false), () => {
            this.stats.taus++;
            const grant = this.#o.network?.tau(this.name, this.#request());
            if (!grant) {
              this.#lostCoverage();
              return done();
            }
            this.#grant = grant;
            this.#touch();
            this.#update();
            done();
          });
        });
      },
      done,
    );
  }
}
