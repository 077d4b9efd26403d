/**
 * Reading the replay blob in the image, in place: a DataView over the host buffer `native.replay`, cursors that
 * walk each stream and the event table. Nothing is copied until device code gets its bytes.
 */
import { REPLAY_EVENT_HEADER_BYTES, REPLAY_HEADER_BYTES, REPLAY_MAGIC, REPLAY_STREAM_ENTRY_BYTES, REPLAY_VERSION, WRITE_ANSWER_BYTES } from "./format.js";
import type { ReplayMeta } from "./format.js";
import type { Native } from "./native.js";


/** Values of one stream, in the order the simulator produced them. */
export class StreamCursor {
  readonly #view: DataView;
  readonly #bytes: Uint8Array;
  #at: number;
  readonly #end: number;
  /** Values read so far. */
  taken = 0;

  constructor(view: DataView, bytes: Uint8Array, offset: number, length: number) {
    this.#view = view;
    this.#bytes = bytes;
    this.#at = offset;
    this.#end = offset + length;
  }

  get done(): boolean {
    return this.#at >= this.#end;
  }

  /** Next f64, or undefined past the end. */
  f64(): number | undefined {
    if (this.#at + 8 > this.#end) return undefined;
    const v = this.#view.getFloat64(this.#at, true);
    this.#at += 8;
    this.taken++;
    return v;
  }

  /** The last `nextI2C()` transaction: 0 a write, 1 a read; whether the part acknowledged; where its bytes start in
   * `region`. */
  i2cOp = 0;
  i2cAck = false;
  i2cStart = 0;

  /** Next I2C transaction: its length (fields above), -1 past the end. Nothing is allocated (see nextSPI). */
  nextI2C(): number {
    if (this.#at + 4 > this.#end) return -1;
    this.i2cOp = this.#bytes[this.#at]!;
    this.i2cAck = this.#bytes[this.#at + 1]! !== 0;
    const length = this.#view.getUint16(this.#at + 2, true);
    this.i2cStart = this.#at + 4;
    this.#at = this.i2cStart + length;
    this.taken++;
    return length;
  }

  /** Where the last `nextSPI()` transaction's MOSI bytes start in `bytes` (its MISO bytes follow them). */
  spiStart = 0;

  /** Next SPI transaction (u16 length, MOSI, MISO): its length, its bytes at `spiStart` in `region`; -1 past the end.
   * Nothing is allocated: a converter's every sample is a transaction, and garbage made here would set off
   * collections a board's in-place transfer (in C) never causes. */
  nextSPI(): number {
    if (this.#at + 2 > this.#end) return -1;
    const length = this.#view.getUint16(this.#at, true);
    this.spiStart = this.#at + 2;
    this.#at = this.spiStart + 2 * length;
    this.taken++;
    return length;
  }

  /** The last `nextWriteAnswer()` entry's line and payload (a Line event's: level in bit 0). */
  answerPin = 0;
  answerPayload = 0;

  /** Next WriteAnswers entry: the index of the device write it answers (its line and payload in the fields above),
   * -1 past the end. Nothing is allocated: a bit-banged read makes some thirteen of them. */
  nextWriteAnswer(): number {
    if (this.#at + WRITE_ANSWER_BYTES > this.#end) return -1;
    const write = this.#view.getUint32(this.#at, true);
    this.answerPin = this.#view.getUint16(this.#at + 4, true);
    this.answerPayload = this.#bytes[this.#at + 6]!;
    this.#at += WRITE_ANSWER_BYTES;
    this.taken++;
    return write;
  }

  /** Where the next value starts in the region, and where the stream ends (a native that reads the stream in place
   * takes it from here and `seek`s past what it read: emulator/image/clocked-serial.ts). */
  get offset(): number {
    return this.#at;
  }
  get end(): number {
    return this.#end;
  }
  seek(offset: number): void {
    this.#at = offset < this.#end ? offset : this.#end;
  }

  /** The replay region the cursor reads (read-only: copy before handing bytes on). */
  get region(): Uint8Array {
    return this.#bytes;
  }

  /** The next `n` bytes (a view), or fewer at the end. */
  bytes(n: number): Uint8Array {
    const start = this.#at;
    const end = Math.min(this.#end, start + n);
    this.#at = end;
    this.taken += end - start;
    return this.#bytes.subarray(start, end);
  }
}

export interface ReplayEvent {
  at: number;
  /** Device callbacks run before the simulator posted it; -1 when it is placed by time alone. */
  after: number;
  kind: number;
  key: number;
  payload: Uint8Array;
}

/**
 * Walks one event table in order. `load()` reads the next event's header into the cursor's own fields without
 * allocating (the line-change table is walked once per edge, a hot path on the device's heap); `peek()` and
 * `next()` hand the event out as an object for the paths that keep it.
 */
export class EventCursor {
  readonly #replay: Replay;
  readonly #count: number;
  #offset: number;
  #index = 0;
  #loaded = false;
  #peeked: ReplayEvent | undefined;
  /** The loaded event (valid while `load()` last returned true): see ReplayEvent. */
  at = 0;
  after = 0;
  kind = 0;
  key = 0;
  payloadOffset = 0;
  payloadLength = 0;

  constructor(replay: Replay, offset: number, count: number) {
    this.#replay = replay;
    this.#offset = offset;
    this.#count = count;
  }

  /** Read the next event's header into the fields (once: until `consume()`); false past the end. */
  load(): boolean {
    if (this.#loaded) return true;
    if (this.#index >= this.#count) return false;
    const view = this.#replay.view;
    const o = this.#offset;
    this.at = view.getFloat64(o, true);
    this.after = view.getFloat64(o + 8, true);
    this.kind = view.getUint16(o + 16, true);
    this.key = view.getUint16(o + 18, true);
    this.payloadLength = view.getUint32(o + 20, true);
    this.payloadOffset = o + REPLAY_EVENT_HEADER_BYTES;
    this.#offset = this.payloadOffset + ((this.payloadLength + 3) & ~3);
    this.#index++;
    this.#loaded = true;
    return true;
  }

  /** Done with the loaded event. */
  consume(): void {
    this.#loaded = false;
    this.#peeked = undefined;
  }

  peek(): ReplayEvent | undefined {
    if (this.#peeked) return this.#peeked;
    if (!this.load()) return undefined;
    const start = this.payloadOffset;
    this.#peeked = { at: this.at, after: this.after, kind: this.kind, key: this.key, payload: this.#replay.bytes.subarray(start, start + this.payloadLength) };
    return this.#peeked;
  }

  next(): ReplayEvent | undefined {
    const e = this.peek();
    this.consume();
    return e;
  }
}

export class Replay {
  readonly meta: ReplayMeta;
  readonly view: DataView;
  readonly bytes: Uint8Array;
  readonly #lines: { offset: number; count: number };
  readonly #net: { offset: number; count: number };
  readonly #streams = new Map<string, { offset: number; length: number }>();

  constructor(native: Native) {
    const buffer = native.replay;
    if (!buffer) throw new Error("no replay data: run the image with its replay blob loaded");
    const view = new DataView(buffer);
    if (view.byteLength < REPLAY_HEADER_BYTES || view.getUint32(0, true) !== REPLAY_MAGIC) throw new Error("replay data: bad magic");
    if (view.getUint32(4, true) !== REPLAY_VERSION) throw new Error(`replay data: version ${view.getUint32(4, true)}, image reads ${REPLAY_VERSION}`);
    this.view = view;
    this.bytes = new Uint8Array(buffer);
    const metaOffset = view.getUint32(12, true);
    const metaLength = view.getUint32(16, true);
    this.meta = JSON.parse(native.string(metaOffset, metaLength)) as ReplayMeta;
    const streamsOffset = view.getUint32(20, true);
    const streams = view.getUint32(24, true);
    for (let i = 0; i < streams; i++) {
      const o = streamsOffset + i * REPLAY_STREAM_ENTRY_BYTES;
      const kind = view.getUint32(o, true);
      const key = view.getUint32(o + 4, true);
      this.#streams.set(`${kind}:${key}`, { offset: view.getUint32(o + 8, true), length: view.getUint32(o + 12, true) });
    }
    this.#lines = { offset: view.getUint32(28, true), count: view.getUint32(32, true) };
    this.#net = { offset: view.getUint32(36, true), count: view.getUint32(40, true) };
  }

  /** A fresh cursor over one stream (an empty one when the recording has none). */
  stream(kind: number, key: number): StreamCursor {
    const s = this.#streams.get(`${kind}:${key}`);
    return new StreamCursor(this.view, this.bytes, s ? s.offset : 0, s ? s.length : 0);
  }

  lineEvents(): EventCursor {
    return new EventCursor(this, this.#lines.offset, this.#lines.count);
  }

  netEvents(): EventCursor {
    return new EventCursor(this, this.#net.offset, this.#net.count);
  }
}
