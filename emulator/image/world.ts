/**
 * The replay world: what the simulator's part models and broker did, fed back to the same portable IO classes
 * the simulator uses (simulator/core/io/*), so the device sees exactly the bytes, volts, counts, edges and
 * network traffic it saw in the simulation, while its code runs on the emulated MCU.
 *
 * - I2C: a replay target at each recorded address answers each transaction with the recorded one (ack, bytes) and
 *   checks that the device wrote what the simulated device wrote.
 * - SPI: a replay target at each recorded chip select answers each transaction with the recorded MISO bytes, checks
 *   the MOSI bytes against the recording, and writes a `P` record (virtual and real time, device work so far, MOSI)
 *   for the host to time the commands on the board's clock (a LoRa transceiver's SetTx and SetRx).
 * - ADC and pulse inputs: sources that return the recorded values in order.
 * - Digital lines: the recorded levels at boot, then each recorded change at its virtual time (a transceiver's BUSY
 *   and DIO1 edges among them), except the changes a part made inside one of the device's writes to another line (a
 *   bit-banged read's data bits): those are made inside the same write, counted from boot.
 * - Network: a stand-in for the TCP bridge. What the device sends is checked against the recording and written
 *   to the console (the uplink frames); what the broker sent is delivered where the simulator delivered it: at its
 *   virtual time, after the same number of device callbacks (so even ties at one instant keep their order).
 * Anything the device does that the recording does not have is a divergence, reported on the console.
 */
import type { I2CBusSim, I2CTarget } from "../../simulator/core/buses/i2c.js";
import type { SPIBusSim, SPITarget } from "../../simulator/core/buses/spi.js";
import type { UARTLink } from "../../simulator/core/buses/uart.js";
import { Scheduled } from "../../simulator/core/engine.js";
import type { Engine } from "../../simulator/core/engine.js";
import type { PinWorld } from "../../simulator/core/io/lines.js";
import type { NetSocket, NetSocketEvents, Network } from "../../simulator/core/network.js";
import { ClockedReads } from "./clocked-serial.js";
import { EventKind, StreamKind, WRITE_ANSWER_BYTES } from "./format.js";
import { HARNESS } from "./modes.js";
import type { Modes } from "./modes.js";
import type { Native } from "./native.js";
import { hex, oneLine } from "./out.js";
import type { Out } from "./out.js";
import type { EventCursor, Replay, ReplayEvent, StreamCursor } from "./replay.js";

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

class ReplayTarget implements I2CTarget {
  readonly #cursor: StreamCursor;
  readonly #label: string;
  readonly #out: Out;

  constructor(cursor: StreamCursor, label: string, out: Out) {
    this.#cursor = cursor;
    this.#label = label;
    this.#out = out;
  }

  write(bytes: Uint8Array): boolean {
    const c = this.#cursor;
    const length = c.nextI2C();
    if (length < 0) {
      this.#out.diverge(`${this.#label}: write of ${hex(bytes)} after the recording ends`);
      return false;
    }
    const recorded = c.region;
    const at = c.i2cStart;
    let same = c.i2cOp === 0 && length === bytes.length;
    for (let i = 0; same && i < length; i++) same = recorded[at + i] === bytes[i];
    if (!same) {
      this.#out.diverge(`${this.#label} transaction ${c.taken}: device wrote ${hex(bytes)}, the simulated device ${c.i2cOp === 0 ? "wrote " + hex(recorded.subarray(at, at + length)) : "read " + length}`);
    }
    return c.i2cAck;
  }

  read(count: number): Uint8Array | null {
    const c = this.#cursor;
    const length = c.nextI2C();
    if (length < 0) {
      this.#out.diverge(`${this.#label}: read of ${count} after the recording ends`);
      return null;
    }
    const at = c.i2cStart;
    if (c.i2cOp !== 1 || (c.i2cAck && length !== count)) {
      this.#out.diverge(`${this.#label} transaction ${c.taken}: device read ${count}, the simulated device ${c.i2cOp === 1 ? "read " + length : "wrote " + hex(c.region.subarray(at, at + length))}`);
      return null;
    }
    // The bytes read are the device's own (a board's read returns a new buffer too).
    return c.i2cAck ? c.region.slice(at, at + length) : null;
  }
}

/**
 * Where the device's last SPI transaction happened (its dispatch and the device + provider ticks then): a part's
 * line that changes next (a transceiver's BUSY falling, DIO1 rising) answers that command, and on the board it
 * comes that long after the command did there (emulator/host/timeline.ts). Two numbers, no garbage per transaction.
 */
class LastCommand {
  dispatch = -1;
  work = 0;
  readonly #tags: StreamTags;
  readonly #native: Native;
  constructor(tags: StreamTags, native: Native) {
    this.#tags = tags;
    this.#native = native;
  }
  note(): void {
    this.dispatch = this.#tags.dispatch;
    this.work = this.#native.work();
  }
}

/**
 * One chip select's recorded transactions: MISO as the part answered, MOSI checked. Each transaction goes on the
 * console as a `P` line (formatted in C, so logging allocates nothing in the device's heap).
 */
class ReplaySPITarget implements SPITarget {
  readonly #cursor: StreamCursor;
  readonly #index: number;
  readonly #label: string;
  readonly #out: Out;
  readonly #native: Native;
  readonly #engine: Engine;
  readonly #last: LastCommand;

  constructor(cursor: StreamCursor, index: number, label: string, out: Out, native: Native, engine: Engine, last: LastCommand) {
    this.#cursor = cursor;
    this.#index = index;
    this.#label = label;
    this.#out = out;
    this.#native = native;
    this.#engine = engine;
    this.#last = last;
  }

  /** In place, as a board's SPI does it in C: the device's MOSI bytes are logged and compared, then overwritten with
   * the part's recorded MISO bytes; nothing allocated unless the device diverged. */
  transfer(io: Uint8Array, _mode: number): void {
    this.#last.note();
    this.#native.wire("P", this.#index, this.#engine.now, io.byteOffset === 0 && io.buffer.byteLength === io.length ? (io.buffer as ArrayBuffer) : (io.slice().buffer as ArrayBuffer));
    const c = this.#cursor;
    const length = c.nextSPI();
    if (length < 0) {
      this.#out.diverge(`${this.#label}: transaction of ${hex(io)} after the recording ends`);
      io.fill(0xff);
      return;
    }
    const bytes = c.region;
    const tx = c.spiStart;
    let same = length === io.length;
    for (let i = 0; same && i < length; i++) same = bytes[tx + i] === io[i];
    if (!same) {
      this.#out.diverge(`${this.#label} transaction ${c.taken}: device sent ${hex(io)}, the simulated device ${hex(bytes.subarray(tx, tx + length))}`);
    }
    // A different length already diverged: past the recorded bytes, what a bus with nothing behind the select reads.
    for (let i = 0; i < io.length; i++) io[i] = i < length ? bytes[tx + length + i]! : 0xff;
  }

  exchange(tx: Uint8Array, mode: number): Uint8Array {
    const io = tx.slice();
    this.transfer(io, mode);
    return io;
  }
}

interface Connection {
  index: number;
  events: NetSocketEvents;
  tx: StreamCursor;
  sent: number;
}

/** Streams the dispatcher attributes each event's cost to. */
export interface StreamTags {
  edge(pin: number): number;
  net(conn: number, what: string): number;
  /** Bytes the serial port with this index (meta.uarts) delivered. */
  uart(index: number): number;
  set(stream: number): void;
  /** The dispatch running now (or the last one run, between dispatches). */
  readonly dispatch: number;
  /** The event being dispatched answers what the device did up to dispatch `after` (the `E` record says so), or,
   * with `work`, the device's command at that point of dispatch `after` (a part's line answering an SPI command). */
  answers(after: number, work?: number): void;
}

/**
 * The recorded line changes, each at its virtual time: one engine event that reschedules itself, reading the table
 * in place, so an edge costs the device's heap nothing beyond what its own callback allocates (on the nRF52840-DK
 * the anemometer is counted by edge interrupts, tens a second; garbage made here set off collections inside them
 * that delayed the next wind sample by milliseconds).
 */
class LineChanges extends Scheduled {
  readonly #cursor: EventCursor;
  readonly #bytes: Uint8Array;
  readonly #world: PinWorld;
  readonly #tags: StreamTags;
  readonly #engine: Engine;
  /** Lines an SPI part drives in answer to its commands (pin → 1), and where the last command was. */
  readonly #answering: Uint8Array;
  readonly #last: LastCommand;
  readonly #uarts: readonly (UARTLink | undefined)[];

  constructor(cursor: EventCursor, bytes: Uint8Array, world: PinWorld, tags: StreamTags, engine: Engine, answering: Uint8Array, last: LastCommand, uarts: readonly (UARTLink | undefined)[]) {
    super();
    this.#cursor = cursor;
    this.#bytes = bytes;
    this.#world = world;
    this.#tags = tags;
    this.#engine = engine;
    this.#answering = answering;
    this.#last = last;
    this.#uarts = uarts;
  }

  /** Wait for the next change in the table (or stop: the table is done). Not while scheduled: once at the start, then from run(). */
  next(): void {
    if (this.#cursor.load()) this.#engine.schedule(this, this.#cursor.at);
  }

  run(): void {
    const c = this.#cursor;
    if (c.kind === EventKind.UartRx) {
      // A meter's or modem's reply reaches the device's Serial as it did in the simulation (a copy: the device
      // keeps what it reads, the blob is read-only).
      const link = this.#uarts[c.key];
      const bytes = this.#bytes.slice(c.payloadOffset, c.payloadOffset + c.payloadLength);
      c.consume();
      this.#tags.set(this.#tags.uart(c.key));
      this.next();
      link?.deliver?.(bytes);
      return;
    }
    const pin = c.key;
    const payload = this.#bytes[c.payloadOffset]!;
    const level = payload & 1;
    const timing = payload >> 1;
    c.consume();
    this.#tags.set(this.#tags.edge(pin));
    // Codes: simulator/core/io/lines.ts LINE_TIMING_CODE (0 answer, 1 clock-start, 2 clock). A change on the part's
    // own clock answers nothing: an interrupt at its simulated time.
    if (this.#answering[pin] === 1 && timing !== 2 && this.#last.dispatch >= 0) this.#tags.answers(this.#last.dispatch, this.#last.work);
    this.next();
    this.#world.line(pin).set(level);
  }
}

/**
 * What parts did to their lines inside the device's writes to other lines, done inside the same writes: the device's
 * n-th write (PinWorld.writes) gets the changes the simulated device's n-th write got, before the write returns, so a
 * bit-banged read (an HX711's 25 PD_SCK pulses, DOUT read after each) reads the bits the part shifted out, within
 * the one callback, as on a board. The pin world calls this only in the write it waits for; nothing is allocated.
 */
class WriteAnswers {
  readonly #cursor: StreamCursor;
  readonly #world: PinWorld;
  /** The write the loaded entry answers (-1: none left), its line and level. */
  #write = -1;
  #pin = 0;
  #level = 0;

  constructor(cursor: StreamCursor, world: PinWorld) {
    this.#cursor = cursor;
    this.#world = world;
    this.#load();
  }

  #load(): void {
    const c = this.#cursor;
    this.#write = c.nextWriteAnswer();
    this.#pin = c.answerPin;
    this.#level = c.answerPayload & 1;
    this.#world.awaitedWrite = this.#write;
  }

  /** Inside write `index`: its answers, in the recorded order (the next one is loaded first: a change can set off a
   * device callback that writes again). */
  answer(index: number): void {
    while (this.#write === index) {
      const pin = this.#pin;
      const level = this.#level;
      this.#load();
      this.#world.line(pin).set(level);
    }
  }

  /** Where the loaded entry starts in the region (the stream's end when none is left), for a native that consumes the
   * stream in place (a clocked serial read: emulator/image/clocked-serial.ts); `resumeAt` takes it back after that. */
  get pending(): number {
    const c = this.#cursor;
    return this.#write < 0 ? c.end : c.offset - WRITE_ANSWER_BYTES;
  }
  get end(): number {
    return this.#cursor.end;
  }
  resumeAt(offset: number): void {
    this.#cursor.seek(offset);
    this.#load();
  }

  /** What was never applied: the simulated device made a write this one did not. */
  leftover(): string | undefined {
    return this.#write < 0 ? undefined : `a part's answer to device write ${this.#write} never applied (this device made ${this.#world.writes} writes)`;
  }
}

/** Bytes the device wrote to one serial port, as `U` lines (formatted in C: logging allocates nothing in the device's heap). */
class SerialTxLog {
  readonly #native: Native;
  readonly #engine: Engine;
  readonly #index: number;

  constructor(native: Native, engine: Engine, index: number) {
    this.#native = native;
    this.#engine = engine;
    this.#index = index;
  }

  sent(bytes: Uint8Array): void {
    this.#native.wire("U", this.#index, this.#engine.now, bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length ? (bytes.buffer as ArrayBuffer) : (bytes.slice().buffer as ArrayBuffer));
  }
}

export class ReplayWorld implements Network {
  readonly #replay: Replay;
  readonly #native: Native;
  readonly #modes: Modes;
  readonly #out: Out;
  readonly #engine: Engine;
  readonly #lines: EventCursor;
  readonly #net: EventCursor;
  readonly #connections: Connection[] = [];
  readonly #random: StreamCursor;
  readonly #tags: StreamTags;
  readonly #last: LastCommand;
  #writeAnswers: WriteAnswers | undefined;

  constructor(replay: Replay, native: Native, modes: Modes, out: Out, engine: Engine, tags: StreamTags) {
    this.#replay = replay;
    this.#native = native;
    this.#modes = modes;
    this.#out = out;
    this.#engine = engine;
    this.#tags = tags;
    this.#lines = replay.lineEvents();
    this.#net = replay.netEvents();
    this.#random = replay.stream(StreamKind.Random, 0);
    // Called from the SPI target, already the harness's.
    this.#last = new LastCommand(tags, native);
  }

  /** Put the recording where the models were: I2C, SPI and UART targets, ADC and pulse sources, line levels and changes. */
  attach(world: PinWorld, buses: Readonly<Record<string, I2CBusSim>>, spiBuses: Readonly<Record<string, SPIBusSim>>, uarts: Readonly<Record<string, UARTLink>> = {}): void {
    const meta = this.#replay.meta;
    meta.i2c.forEach((t, i) => {
      const bus = buses[t.bus];
      if (!bus) {
        this.#out.diverge(`the recording has I2C bus "${t.bus}", this board has ${Object.keys(buses).join(", ") || "none"}`);
        return;
      }
      const label = `I2C ${t.bus} 0x${t.address.toString(16)}`;
      // The peripherals, the ADC's volts and the network are the world outside the MCU: the harness's, not the device's.
      const target = new ReplayTarget(this.#replay.stream(StreamKind.I2C, i), label, this.#out);
      this.#modes.methodsInMode(HARNESS, target);
      bus.attach(t.address, target);
    });
    (meta.spi ?? []).forEach((t, i) => {
      const bus = spiBuses[t.bus];
      if (!bus) {
        this.#out.diverge(`the recording has SPI bus "${t.bus}", this board has ${Object.keys(spiBuses).join(", ") || "none"}`);
        return;
      }
      const target = new ReplaySPITarget(this.#replay.stream(StreamKind.SPI, i), i, `SPI ${t.bus} select ${t.select}`, this.#out, this.#native, this.#engine, this.#last);
      this.#modes.methodsInMode(HARNESS, target);
      bus.attach(t.select, target);
    });
    for (const pin of meta.analogPins) {
      const cursor = this.#replay.stream(StreamKind.AnalogVolts, pin);
      world.analog.set(
        pin,
        this.#modes.inMode(HARNESS, () => {
          const v = cursor.f64();
          if (v === undefined) {
            this.#out.diverge(`ADC pin ${pin}: read ${cursor.taken + 1} after the recording ends`);
            return 0;
          }
          return v;
        }),
      );
    }
    for (const pin of meta.pulsePins) {
      const counts = this.#replay.stream(StreamKind.PulseCount, pin);
      const nexts = this.#replay.stream(StreamKind.PulseNext, pin);
      world.pulse.set(pin, {
        count: this.#modes.inMode(HARNESS, () => {
          const v = counts.f64();
          if (v === undefined) {
            this.#out.diverge(`pulse input ${pin}: count read after the recording ends`);
            return 0;
          }
          return v;
        }),
        nextAfter: this.#modes.inMode(HARNESS, () => {
          const v = nexts.f64();
          if (v === undefined) {
            this.#out.diverge(`pulse input ${pin}: next-pulse query after the recording ends`);
            return Infinity;
          }
          return v;
        }),
      });
    }
    for (const l of meta.lines) {
      const line = world.line(l.pin);
      line.set(l.level);
      line.driven = l.driven;
    }
    const answering = new Uint8Array(256);
    for (const pin of meta.answerLines ?? []) if (pin >= 0 && pin < answering.length) answering[pin] = 1;
    const links = (meta.uarts ?? []).map((name) => {
      const link = uarts[name];
      if (!link) this.#out.diverge(`the recording has serial port "${name}", this board has ${Object.keys(uarts).join(", ") || "none"}`);
      return link;
    });
    links.forEach((link, i) => {
      if (!link) return;
      // What the device writes to a modem or meter goes on the console (`U`), for the host to compare with the
      // simulated device's and to find the uplink in (an NB-IoT datagram in AT+NSOST).
      const log = new SerialTxLog(this.#native, this.#engine, i);
      this.#modes.methodsInMode(HARNESS, log);
      const previous = link.recorder;
      link.recorder = (t) => {
        previous?.(t);
        if (t.dir === "tx") log.sent(t.bytes);
      };
    });
    const answers = new WriteAnswers(this.#replay.stream(StreamKind.WriteAnswers, 0), world);
    this.#writeAnswers = answers;
    // Called in the provider's write: the replay's work is the harness's, not charged to the board.
    world.onWrite = this.#modes.inMode(HARNESS, (index: number) => answers.answer(index));
    // A ClockedSerial's pulse train is C here, as on a board, and consumes the same answers in place.
    world.train = new ClockedReads(world, answers, this.#native, this.#modes, this.#out);
    new LineChanges(this.#lines, this.#replay.bytes, world, this.#tags, this.#engine, answering, this.#last, links).next();
  }

  random(): number {
    const v = this.#random.f64();
    if (v === undefined) {
      this.#out.diverge(`host.random() called more often than in the recording`);
      return 0.5;
    }
    return v;
  }

  connect(_node: string, address: string, port: number, events: NetSocketEvents): NetSocket {
    const index = this.#connections.length;
    const expected = this.#replay.meta.connections[index];
    if (!expected) this.#out.diverge(`connection ${index} to ${address}:${port}: the simulated device opened only ${index}`);
    else if (expected.address !== address || expected.port !== port) {
      this.#out.diverge(`connection ${index}: device dialled ${address}:${port}, the simulated device ${expected.address}:${expected.port}`);
    }
    const conn: Connection = { index, events, tx: this.#replay.stream(StreamKind.TcpTx, index), sent: 0 };
    this.#connections.push(conn);
    this.#out.line(`O ${index} ${this.#engine.now} ${address}:${port}`);
    const native = this.#native;
    const out = this.#out;
    const engine = this.#engine;
    const socket: NetSocket = {
      write(bytes: Uint8Array): void {
        const expect = conn.tx.bytes(bytes.length);
        if (!same(expect, bytes)) {
          out.diverge(`connection ${index}: device sent ${hex(bytes)} at byte ${conn.sent}, the simulated device ${hex(expect)}`);
        }
        conn.sent += bytes.length;
        native.wire("T", index, engine.now, bytes.buffer.byteLength === bytes.length && bytes.byteOffset === 0 ? (bytes.buffer as ArrayBuffer) : (bytes.slice().buffer as ArrayBuffer));
      },
      close(): void {
        out.line(`X ${index} ${engine.now}`);
      },
    };
    this.#modes.methodsInMode(HARNESS, socket);
    return socket;
  }

  /**
   * Post the network events the simulator had posted by the time `callbacks` device callbacks had run. Called before
   * every dispatch, so the usual path (nothing due) must allocate nothing: XS makes the closure cells of a block's
   * captured variables when the block is entered, so the posting, with its closures, is a method of its own.
   */
  inject(callbacks: number): void {
    for (;;) {
      const ev = this.#net.peek();
      if (!ev || ev.after > callbacks) return;
      const conn = this.#connections[ev.key];
      if (!conn) return; // the device has not opened it yet: wait (a divergence if it never does)
      this.#net.next();
      this.#post(ev, conn);
    }
  }

  #post(ev: ReplayEvent, conn: Connection): void {
    const engine = this.#engine;
    const at = ev.at > engine.now ? ev.at : engine.now;
    const tags = this.#tags;
    const native = this.#native;
    // The broker answered what the device had done by the end of the last dispatch (it is posted after that many of
    // the device's callbacks): on a board its bytes cannot arrive before that handler ran (emulator/host/timeline.ts).
    const after = tags.dispatch;
    if (ev.kind === EventKind.TcpConnected) {
      engine.at(at, () => {
        tags.set(tags.net(ev.key, "connected"));
        tags.answers(after);
        conn.events.connected();
      });
    } else if (ev.kind === EventKind.TcpData) {
      const bytes = ev.payload.slice();
      engine.at(at, () => {
        tags.set(tags.net(ev.key, "data"));
        tags.answers(after);
        native.wire("R", ev.key, engine.now, bytes.buffer as ArrayBuffer);
        conn.events.data(bytes);
      });
    } else if (ev.kind === EventKind.TcpClosed) {
      const message = ev.payload.length > 0 ? native.string(ev.payload.byteOffset, ev.payload.length) : "";
      const out = this.#out;
      engine.at(at, () => {
        tags.set(tags.net(ev.key, "closed"));
        tags.answers(after);
        out.line(`R ${ev.key} ${engine.now} closed ${oneLine(message)}`);
        conn.events.closed(message ? new Error(message) : undefined);
      });
    }
  }

  /** What the recording still had when the run ended (the device did less than the simulated one). */
  leftovers(): string[] {
    const left: string[] = [];
    const unanswered = this.#writeAnswers?.leftover();
    if (unanswered) left.push(unanswered);
    const ev = this.#net.peek();
    if (ev && ev.at <= this.#replay.meta.endUs) left.push(`network event at ${ev.at} µs never delivered (after ${ev.after} callbacks)`);
    this.#connections.forEach((c) => {
      if (!c.tx.done) left.push(`connection ${c.index}: the simulated device sent more bytes than this one (${c.sent} sent)`);
    });
    return left;
  }
}
