/**
 * A two-wire RS-485 segment as hardware: the MCU's UART through a transceiver whose DE (with /RE tied to it) is a
 * GPIO, and the meters on the pair. It holds the link's far end (UARTLink.peer) and times every byte:
 *
 * - a byte from the MCU reaches the pair only if DE was high for the whole of its time on the wire (a DE dropped
 *   early cuts the frame's tail; one raised late, its head);
 * - a byte from a meter reaches the MCU only if DE was low (receiver enabled) for the whole of its time, and no
 *   other meter was talking at once (a collision garbles both);
 * - a meter hears only bytes framed as it expects (baud and parity): one set to 8E1 makes nothing of 8N1 requests.
 *
 * Meters attach as drops; a transceiver without a DE pin (auto-direction) passes everything.
 */
import type { SerialParity } from "../../hal/io.js";
import type { UARTLink, UARTPeer } from "../../simulator/core/buses/uart.js";
import type { Engine, Micros } from "../../simulator/core/engine.js";
import type { DigitalLine } from "../../simulator/core/io/lines.js";
import { FrameAssembler, type FrameShape } from "./assembler.js";

export interface Framing {
  baud: number;
  parity: SerialParity;
}

export interface Rs485Drop {
  /** Bytes from the pair, at the end of their time on the wire. */
  hear(bytes: Uint8Array): void;
}

export interface Rs485Tap {
  /** The drop puts `bytes` on the pair now (after any it is still sending). */
  transmit(bytes: Uint8Array): void;
}

export interface Rs485Stats {
  /** MCU bytes that never reached the pair: DE was low for part of their time. */
  txCutByDe: number;
  /** Meter bytes the MCU did not hear: DE was high for part of their time. */
  rxLostToDe: number;
  /** Meter bytes garbled by another meter talking at the same time. */
  collided: number;
  /** Frames a drop could not read: baud or parity differ from the MCU's. */
  framingMismatches: number;
}

interface Transmission {
  readonly drop: Rs485Drop;
  readonly start: Micros;
  readonly end: Micros;
}

/** How long DE history and past transmissions are kept: longer than any frame on the wire. */
const HISTORY_US = 10_000_000;

export class Rs485Bus implements UARTPeer {
  readonly stats: Rs485Stats = { txCutByDe: 0, rxLostToDe: 0, collided: 0, framingMismatches: 0 };
  readonly #link: UARTLink;
  readonly #engine: Engine;
  readonly #drops: { drop: Rs485Drop; framing: Framing; busyUntil: Micros }[] = [];
  readonly #de: DigitalLine | undefined;
  /** DE transitions: [time, level] pairs, oldest first. */
  #deChanges: number[] = [];
  #transmissions: Transmission[] = [];

  /** The bus on `link`: the one already there (meters sharing a port), or a new one. */
  static on(link: UARTLink, engine: Engine, de: DigitalLine | undefined): Rs485Bus {
    const peer = link.peer;
    if (peer instanceof Rs485Bus) {
      if (peer.#de !== de) throw new Error(`RS-485 on ${link.name}: meters on one port must share one DE pin`);
      return peer;
    }
    if (peer) throw new Error(`RS-485 on ${link.name}: the port already has a peer that is not an RS-485 bus`);
    return new Rs485Bus(link, engine, de);
  }

  constructor(link: UARTLink, engine: Engine, de: DigitalLine | undefined) {
    this.#link = link;
    this.#engine = engine;
    this.#de = de;
    if (de) {
      de.set(0); // a GPIO drives nothing until the firmware makes it an output; the transceiver's pull-down holds DE low
      de.listen((level) => {
        this.#deChanges.push(engine.now, level);
        this.#prune();
      });
    }
    link.peer = this;
  }

  attach(drop: Rs485Drop, framing: Framing): Rs485Tap {
    const entry = { drop, framing, busyUntil: 0 };
    this.#drops.push(entry);
    return {
      transmit: (bytes) => {
        const copy = bytes.slice();
        const byteUs = (bitsPerByte(framing.parity) * 1_000_000) / framing.baud;
        const start = Math.max(this.#engine.now, entry.busyUntil);
        const end = start + Math.ceil(copy.length * byteUs);
        entry.busyUntil = end;
        const t: Transmission = { drop, start, end };
        this.#transmissions.push(t);
        this.#prune();
        this.#engine.at(end, () => this.#arrive(t, copy, byteUs));
      },
    };
  }

  /** MCU → pair: the link calls this at the end of the bytes' time on the wire. */
  receive(bytes: Uint8Array): void {
    const link = this.#link;
    const byteUs = (link.bitsPerByte * 1_000_000) / link.baud;
    const end = this.#engine.now;
    const start = end - bytes.length * byteUs;
    const out = new Uint8Array(bytes.length);
    let n = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (this.#deHeld(1, start + i * byteUs, start + (i + 1) * byteUs)) out[n++] = bytes[i]!;
      else this.stats.txCutByDe++;
    }
    if (n === 0) return;
    const heard = out.subarray(0, n);
    for (const d of this.#drops) {
      if (d.framing.baud !== link.baud || d.framing.parity !== link.parity) {
        this.stats.framingMismatches++;
        continue;
      }
      d.drop.hear(heard.slice());
    }
  }

  #arrive(t: Transmission, bytes: Uint8Array, byteUs: number): void {
    const out = new Uint8Array(bytes.length);
    let n = 0;
    for (let i = 0; i < bytes.length; i++) {
      const a = t.start + i * byteUs;
      const b = a + byteUs;
      let byte = bytes[i]!;
      if (this.#overlapsOther(t, a, b)) {
        byte = ~byte & 0xff;
        this.stats.collided++;
      }
      if (this.#deHeld(0, a, b)) out[n++] = byte;
      else this.stats.rxLostToDe++;
    }
    if (n > 0) this.#link.arrived(out.subarray(0, n));
    // Other meters hear it too (and make nothing of a reply: it is not addressed to them as a request).
    for (const d of this.#drops) if (d.drop !== t.drop) d.drop.hear(bytes.slice());
  }

  #overlapsOther(t: Transmission, a: number, b: number): boolean {
    for (const o of this.#transmissions) if (o !== t && o.start < b && o.end > a) return true;
    return false;
  }

  /** Whether DE stayed at `level` throughout [a, b). */
  #deHeld(level: number, a: number, b: number): boolean {
    if (!this.#de) return true;
    if (this.#levelAt(a) !== level) return false;
    const c = this.#deChanges;
    for (let i = 0; i < c.length; i += 2) {
      const t = c[i]!;
      if (t > a && t < b) return false;
      if (t >= b) break;
    }
    return true;
  }

  #levelAt(t: number): number {
    const c = this.#deChanges;
    let level = -1;
    for (let i = 0; i < c.length; i += 2) {
      if (c[i]! <= t) level = c[i + 1]!;
      else break;
    }
    // Before the first recorded change the line was at the other level (or has never changed).
    if (level < 0) return c.length > 0 ? 1 - c[1]! : this.#de!.level;
    return level;
  }

  #prune(): void {
    const horizon = this.#engine.now - HISTORY_US;
    const c = this.#deChanges;
    let k = 0;
    // Keep the last change before the horizon: it gives the level after it.
    while (k + 2 < c.length && c[k + 2]! < horizon) k += 2;
    if (k > 0) this.#deChanges = c.slice(k);
    if (this.#transmissions.length > 16) this.#transmissions = this.#transmissions.filter((t) => t.end >= horizon);
  }
}

function bitsPerByte(parity: SerialParity): number {
  return parity === "none" ? 10 : 11;
}

/** How a model meter can be made to misbehave, reply by reply. */
export type MeterReplyFault =
  /** CS off by one. */
  | "checksum"
  /** The reply names another meter's address. */
  | "address"
  /** No reply at all. */
  | "silence"
  /** The reply comes after `slowMs`. */
  | "slow"
  /** Only the first half of the reply is sent. */
  | "truncated"
  /** Noise bytes on the pair before the reply. */
  | "garbage"
  /** The reply carries another data identifier. */
  | "identifier"
  /** The reply has a control code the request does not call for. */
  | "control";

/** A reply frame (from its 0x68, sealed) and where its fields are, so faults can be applied to it. */
export interface ModelReply {
  frame: Uint8Array;
  addressAt: number;
  controlAt: number;
  /** First byte of the data identifier in the frame, or -1. */
  identifierAt: number;
}

export interface MeterModelStats {
  /** Frames addressed to this meter (or to the wildcard). */
  requests: number;
  replies: number;
  /** Abnormal (exception) replies. */
  exceptions: number;
  /** Well-formed frames for another address, or replies of other meters. */
  ignored: number;
  /** Frame-shaped bytes with a bad checksum or end byte, and bytes outside frames. */
  malformed: number;
  /** Replies a fault was applied to (silence included). */
  faulted: number;
}

const NOISE = Object.freeze([0x00, 0x55, 0xaa, 0x13, 0x37]);

/** The byte-stream, timing and fault side of a meter on the pair; subclasses answer in their protocol. */
export abstract class MeterModel implements Rs485Drop {
  readonly stats: MeterModelStats = { requests: 0, replies: 0, exceptions: 0, ignored: 0, malformed: 0, faulted: 0 };
  /** Response delay, ms (DL/T 645 meters wait at least 20 ms and answer within 500 ms). */
  replyDelayMs: number;
  /** The delay of a "slow" reply, ms. */
  slowMs = 2000;
  /** FE bytes before each reply (0–4). */
  preamble: number;
  protected readonly engine: Engine;
  readonly #tap: Rs485Tap;
  readonly #rx: FrameAssembler;
  #lastHeard = -Infinity;
  #fault: MeterReplyFault | undefined;
  #faultLeft = 0;

  constructor(o: { engine: Engine; bus: Rs485Bus; framing: Framing; shape: FrameShape; replyDelayMs: number; preamble: number }) {
    this.engine = o.engine;
    this.replyDelayMs = o.replyDelayMs;
    this.preamble = o.preamble;
    this.#rx = new FrameAssembler(o.shape);
    this.#tap = o.bus.attach(this, o.framing);
  }

  /** Misbehave on the next `replies` replies (default: until cleared with `inject(undefined)`). */
  inject(fault: MeterReplyFault | undefined, replies = Infinity): void {
    this.#fault = fault;
    this.#faultLeft = fault ? replies : 0;
  }

  get fault(): MeterReplyFault | undefined {
    return this.#fault;
  }

  hear(bytes: Uint8Array): void {
    // A request's bytes follow each other closely; after a long gap what is held is a broken frame.
    if (this.engine.now - this.#lastHeard > 500_000) this.#rx.reset();
    this.#lastHeard = this.engine.now;
    this.#rx.push(bytes);
    for (;;) {
      const r = this.#rx.next();
      if (r.stray > 0) this.stats.malformed++;
      if (r.kind === "none") return;
      if (r.kind === "bad") {
        this.stats.malformed++;
        continue;
      }
      const reply = this.answer(r.frame);
      if (reply) this.#send(reply);
    }
  }

  /** The reply to a well-formed frame, or undefined to stay silent (another address, a reply, a broadcast). */
  protected abstract answer(frame: Uint8Array): ModelReply | undefined;

  /** Re-seal a frame after a field was changed. */
  protected abstract reseal(frame: Uint8Array): void;

  #send(reply: ModelReply): void {
    this.stats.replies++;
    let fault: MeterReplyFault | undefined;
    if (this.#fault && this.#faultLeft > 0) {
      fault = this.#fault;
      this.#faultLeft--;
      this.stats.faulted++;
    }
    const f = reply.frame;
    switch (fault) {
      case "silence":
        return;
      case "checksum":
        f[f.length - 2] = (f[f.length - 2]! + 1) & 0xff;
        break;
      case "address":
        f[reply.addressAt] = f[reply.addressAt] === 0x99 ? 0x98 : (f[reply.addressAt]! + 1) & 0xff;
        this.reseal(f);
        break;
      case "identifier":
        if (reply.identifierAt >= 0) {
          f[reply.identifierAt] = (f[reply.identifierAt]! + 1) & 0xff;
          this.reseal(f);
        }
        break;
      case "control":
        f[reply.controlAt] = (f[reply.controlAt]! ^ 0x02) & 0xff;
        this.reseal(f);
        break;
      default:
        break;
    }
    let body = f;
    if (fault === "truncated") body = f.subarray(0, f.length >> 1);
    const lead = fault === "garbage" ? NOISE.length : 0;
    const out = new Uint8Array(lead + this.preamble + body.length);
    for (let i = 0; i < lead; i++) out[i] = NOISE[i]!;
    out.fill(0xfe, lead, lead + this.preamble);
    out.set(body, lead + this.preamble);
    const delayMs = fault === "slow" ? this.slowMs : this.replyDelayMs;
    this.engine.after(Math.round(delayMs * 1000), () => this.#tap.transmit(out));
  }
}
