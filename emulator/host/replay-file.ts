/**
 * A simulator recording (simulator/node/record.ts) as the binary blob the image reads in place
 * (layout: emulator/image/format.ts).
 */
import { LINE_ANSWERS_WRITE_CODE } from "../../simulator/core/io/lines.js";
import type { Recording } from "../../simulator/node/record.js";
import {
  EventKind,
  REPLAY_EVENT_HEADER_BYTES,
  REPLAY_HEADER_BYTES,
  REPLAY_MAGIC,
  REPLAY_MAX_BYTES,
  REPLAY_VERSION,
  StreamKind,
} from "../image/format.js";
import type { ReplayMeta } from "../image/format.js";
import { CORE_HZ, CORTEX_M4_CPI } from "./board-timing.js";
import { INSTRUCTIONS_PER_TICK } from "./timeline.js";

class Writer {
  #buf = Buffer.alloc(1 << 16);
  length = 0;
  #ensure(n: number): void {
    if (this.length + n <= this.#buf.length) return;
    let size = this.#buf.length;
    while (size < this.length + n) size *= 2;
    const next = Buffer.alloc(size);
    this.#buf.copy(next, 0, 0, this.length);
    this.#buf = next;
  }
  u8(v: number): void {
    this.#ensure(1);
    this.#buf.writeUInt8(v, this.length);
    this.length += 1;
  }
  u16(v: number): void {
    this.#ensure(2);
    this.#buf.writeUInt16LE(v, this.length);
    this.length += 2;
  }
  u32(v: number): void {
    this.#ensure(4);
    this.#buf.writeUInt32LE(v >>> 0, this.length);
    this.length += 4;
  }
  f64(v: number): void {
    this.#ensure(8);
    this.#buf.writeDoubleLE(v, this.length);
    this.length += 8;
  }
  bytes(b: Uint8Array): void {
    this.#ensure(b.length);
    this.#buf.set(b, this.length);
    this.length += b.length;
  }
  align4(): void {
    while (this.length % 4 !== 0) this.u8(0);
  }
  patch32(at: number, v: number): void {
    this.#buf.writeUInt32LE(v >>> 0, at);
  }
  done(): Uint8Array {
    return new Uint8Array(this.#buf.subarray(0, this.length));
  }
}

const fromHex = (h: string): Buffer => Buffer.from(h, "hex");

interface TimedEvent {
  at: number;
  after: number;
  kind: number;
  key: number;
  payload: Uint8Array;
  order: number;
}

export interface ReplayFigures {
  bytes: number;
  i2cTransactions: number;
  spiTransactions: number;
  analogReads: number;
  pulseReads: number;
  /** Every recorded change of a part's line, those below included. */
  lineChanges: number;
  /** Of which made inside the device's writes to other lines (replayed inside those writes, not as events). */
  writeAnswers: number;
  uartDeliveries: number;
  netEvents: number;
}

/** The lines an SPI part drives (its named pins other than the select and reset, which the device drives). */
export function answerLines(rec: Recording): number[] {
  const parts = (rec.config as { parts?: Record<string, { io?: string; select?: number; pins?: Record<string, number> }> }).parts ?? {};
  const lines = new Set<number>();
  for (const p of Object.values(parts)) {
    if (p.io !== "spi" || !p.pins) continue;
    for (const [name, pin] of Object.entries(p.pins)) if (pin !== p.select && name !== "nss" && name !== "reset") lines.add(pin);
  }
  const driven = new Set(rec.lines.filter((l) => l.driven).map((l) => l.pin));
  return [...lines].filter((pin) => driven.has(pin)).sort((a, b) => a - b);
}

/** The serial ports the replay carries, by the index its UartRx events and the image's `U` lines use: those that
 * delivered bytes in the recording, in the order they first did. */
export function replayUarts(rec: Recording): string[] {
  return [...new Set((rec.uartRx ?? []).map((e) => e.link))];
}

export function replayBlob(rec: Recording): { blob: Uint8Array; figures: ReplayFigures } {
  const uartRx = rec.uartRx ?? [];
  const uarts = replayUarts(rec);
  const w = new Writer();
  for (let i = 0; i < REPLAY_HEADER_BYTES; i++) w.u8(0);
  const meta: ReplayMeta = {
    version: REPLAY_VERSION,
    device: rec.device,
    board: rec.board,
    seed: rec.seed,
    hours: rec.hours,
    id: rec.id,
    epochMs: rec.epochMs,
    endUs: rec.endUs,
    uarts,
    spec: rec.spec as ReplayMeta["spec"],
    busTicksPerUs: CORE_HZ / 1e6 / (INSTRUCTIONS_PER_TICK * CORTEX_M4_CPI.best),
    config: rec.config,
    rolePins: rec.rolePins,
    i2c: rec.i2c.map((t) => ({ bus: t.bus, address: t.address })),
    spi: (rec.spi ?? []).map((t) => ({ bus: t.bus, select: t.select })),
    answerLines: answerLines(rec),
    lines: rec.lines,
    analogPins: rec.analog.map((a) => a.pin),
    pulsePins: rec.pulse.map((p) => p.pin),
    connections: rec.connections.map((c) => ({ address: c.address, port: c.port })),
    watchdogMs: rec.watchdogMs,
  };
  const metaBytes = Buffer.from(JSON.stringify(meta), "utf8");
  const metaOffset = w.length;
  w.bytes(metaBytes);
  w.align4();

  const streams: { kind: number; key: number; offset: number; length: number }[] = [];
  const stream = (kind: number, key: number, write: () => void): void => {
    const offset = w.length;
    write();
    streams.push({ kind, key, offset, length: w.length - offset });
    w.align4();
  };
  rec.i2c.forEach((t, i) =>
    stream(StreamKind.I2C, i, () => {
      for (const x of t.transactions) {
        const b = fromHex(x.hex);
        if (b.length > 0xffff) throw new Error(`I2C transaction of ${b.length} bytes is too long to replay`);
        w.u8(x.op === "write" ? 0 : 1);
        w.u8(x.ack ? 1 : 0);
        w.u16(b.length);
        w.bytes(b);
      }
    }),
  );
  (rec.spi ?? []).forEach((t, i) =>
    stream(StreamKind.SPI, i, () => {
      for (const x of t.transactions) {
        const tx = fromHex(x.txHex);
        const rx = fromHex(x.rxHex);
        if (tx.length > 0xffff || rx.length !== tx.length) throw new Error(`SPI ${t.bus} select ${t.select}: a transaction of ${tx.length} bytes out and ${rx.length} in cannot be replayed`);
        w.u16(tx.length);
        w.bytes(tx);
        w.bytes(rx);
      }
    }),
  );
  for (const a of rec.analog) stream(StreamKind.AnalogVolts, a.pin, () => a.volts.forEach((v) => w.f64(v)));
  for (const p of rec.pulse) {
    stream(StreamKind.PulseCount, p.pin, () => p.counts.forEach((v) => w.f64(v)));
    stream(StreamKind.PulseNext, p.pin, () => p.next.forEach((v) => w.f64(v === null ? Infinity : v)));
  }
  stream(StreamKind.Random, 0, () => rec.random.forEach((v) => w.f64(v)));
  const writeAnswers = rec.lineChanges.filter((c) => c[3] === LINE_ANSWERS_WRITE_CODE);
  stream(StreamKind.WriteAnswers, 0, () =>
    writeAnswers.forEach(([pin, , level, code, write]) => {
      if (write === undefined || pin > 0xffff) throw new Error(`line change of pin ${pin} inside a device write: no write index or pin out of range`);
      w.u32(write);
      w.u16(pin);
      w.u8(level | (code! << 1));
      w.u8(0);
    }),
  );
  rec.connections.forEach((c, i) => stream(StreamKind.TcpTx, i, () => w.bytes(fromHex(c.txHex))));

  const streamsOffset = w.length;
  for (const s of streams) {
    w.u32(s.kind);
    w.u32(s.key);
    w.u32(s.offset);
    w.u32(s.length);
  }

  // A line's payload: its level in bit 0, its timing code (LINE_TIMING_CODE) above it.
  const lines: TimedEvent[] = rec.lineChanges
    .filter((c) => c[3] !== LINE_ANSWERS_WRITE_CODE)
    .map(([pin, at, level, timing], order) => ({ at, after: -1, kind: EventKind.Line, key: pin, payload: Uint8Array.of(level | ((timing ?? 0) << 1)), order }));
  // UART deliveries share the table placed by time (ties after the line changes of the same instant).
  uartRx.forEach((e, i) => lines.push({ at: e.at, after: -1, kind: EventKind.UartRx, key: uarts.indexOf(e.link), payload: fromHex(e.hex), order: rec.lineChanges.length + i }));
  const net: TimedEvent[] = rec.net.map((e, order) => {
    const kind = e.kind === "connected" ? EventKind.TcpConnected : e.kind === "data" ? EventKind.TcpData : EventKind.TcpClosed;
    const payload = e.kind === "data" ? fromHex(e.hex ?? "") : e.kind === "closed" && e.error ? Buffer.from(e.error, "utf8") : new Uint8Array(0);
    return { at: e.at, after: e.after, kind, key: e.conn, payload, order };
  });
  const table = (events: TimedEvent[]): number => {
    // Time order, ties in recorded order.
    events.sort((a, b) => a.at - b.at || a.order - b.order);
    const offset = w.length;
    for (const e of events) {
      w.f64(e.at);
      w.f64(e.after);
      w.u16(e.kind);
      w.u16(e.key);
      w.u32(e.payload.length);
      w.bytes(e.payload);
      w.align4();
    }
    return offset;
  };
  const linesOffset = table(lines);
  const netOffset = table(net);
  void REPLAY_EVENT_HEADER_BYTES;

  w.patch32(0, REPLAY_MAGIC);
  w.patch32(4, REPLAY_VERSION);
  w.patch32(8, w.length);
  w.patch32(12, metaOffset);
  w.patch32(16, metaBytes.length);
  w.patch32(20, streamsOffset);
  w.patch32(24, streams.length);
  w.patch32(28, linesOffset);
  w.patch32(32, lines.length);
  w.patch32(36, netOffset);
  w.patch32(40, net.length);
  const blob = w.done();
  if (blob.length > REPLAY_MAX_BYTES) {
    throw new Error(`the recording needs ${blob.length} bytes of replay data, more than the ${REPLAY_MAX_BYTES} the emulator's PSRAM holds: run fewer hours`);
  }
  return {
    blob,
    figures: {
      bytes: blob.length,
      i2cTransactions: rec.i2c.reduce((a, t) => a + t.transactions.length, 0),
      spiTransactions: (rec.spi ?? []).reduce((a, t) => a + t.transactions.length, 0),
      analogReads: rec.analog.reduce((a, x) => a + x.volts.length, 0),
      pulseReads: rec.pulse.reduce((a, x) => a + x.counts.length, 0),
      lineChanges: rec.lineChanges.length,
      writeAnswers: writeAnswers.length,
      uartDeliveries: uartRx.length,
      netEvents: rec.net.length,
    },
  };
}
