/**
 * Frames out of a meter bus's byte stream, for the two protocols that share its layout: a 0x68 start, a fixed
 * header ending in the data length L, L data bytes, CS (the sum modulo 256 of every byte from the first 0x68 up to
 * the last data byte) and 0x16.
 *
 *   DL/T 645-2007 §4.1: 68 A0…A5 68 C L DATA CS 16            (L at index 9, a second 0x68 at index 7)
 *   CJ/T 188-2004:      68 T A0…A6 C L DATA CS 16             (L at index 10)
 *
 * 0xFE bytes before a start are the wake-up preamble (both standards let a sender put up to four before a frame)
 * and are skipped silently; any other byte outside a frame is stray, counted so the caller can report it. A start
 * whose header cannot be a frame's (no second 0x68, L beyond the protocol's maximum, neither CS nor the end byte
 * right) is taken for a stray 0x68 and skipped, so a frame hidden behind garbage is still found.
 */

export interface FrameShape {
  /** For messages: "DL/T 645", "CJ/T 188". */
  readonly protocol: string;
  /** Index of L in the frame. */
  readonly lengthAt: number;
  /** Index of a second 0x68 every frame has (DL/T 645), or -1. */
  readonly secondStartAt: number;
  /** Largest L the protocol allows. */
  readonly maxData: number;
}

export const FRAME_START = 0x68;
export const FRAME_END = 0x16;
export const PREAMBLE = 0xfe;
/** How many preamble bytes a sender puts before a frame at most, and what both protocols send by default. */
export const WAKE_UP_BYTES = 4;

/** Bytes around the data: the header up to L, then CS and the end byte. */
export function frameLength(shape: FrameShape, dataLength: number): number {
  return shape.lengthAt + 1 + dataLength + 2;
}

/** Sum modulo 256 of `bytes[start…end)`. */
export function checksum(bytes: Uint8Array, start: number, end: number): number {
  let cs = 0;
  for (let i = start; i < end; i++) cs = (cs + bytes[i]!) & 0xff;
  return cs;
}

/** Fill in CS and the end byte of a frame whose header and data are in place at `start`. */
export function sealFrame(shape: FrameShape, out: Uint8Array, start: number): number {
  const total = frameLength(shape, out[start + shape.lengthAt]!);
  out[start + total - 2] = checksum(out, start, start + total - 2);
  out[start + total - 1] = FRAME_END;
  return start + total;
}

export type ScanResult =
  /** A frame with a right checksum and end byte, and how many stray bytes came before it. */
  | { readonly kind: "frame"; readonly frame: Uint8Array; readonly stray: number }
  /** A frame-shaped run of bytes that fails its checksum or end byte; consumed. */
  | { readonly kind: "bad"; readonly fault: "checksum" | "framing"; readonly message: string; readonly stray: number }
  /** Nothing complete yet. */
  | { readonly kind: "none"; readonly stray: number };

export class FrameAssembler {
  readonly #shape: FrameShape;
  readonly #buf: Uint8Array;
  #len = 0;
  #stray = 0;
  /** Bytes that did not fit (more than a frame's worth arrived without a frame in it). */
  overflow = 0;

  constructor(shape: FrameShape) {
    this.#shape = shape;
    this.#buf = new Uint8Array(frameLength(shape, shape.maxData) + 8);
  }

  reset(): void {
    this.#len = 0;
    this.#stray = 0;
  }

  /** Bytes held after the preamble and stray bytes: an incomplete frame's start. */
  get pending(): number {
    return this.#len;
  }

  /** The bytes held, for a message about a truncated frame. */
  held(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }

  /** Length the frame being assembled will have, once its L has arrived (0 before). */
  get expected(): number {
    const at = this.#shape.lengthAt;
    return this.#len > at ? frameLength(this.#shape, this.#buf[at]!) : 0;
  }

  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (this.#len === 0 && b !== FRAME_START) {
        if (b !== PREAMBLE) this.#stray++;
        continue;
      }
      if (this.#len === this.#buf.length) {
        // A frame never completes in this much: drop the oldest start and look again from the next 0x68.
        this.#skip(1);
        this.overflow++;
        if (this.#len === 0 && b !== FRAME_START) {
          if (b !== PREAMBLE) this.#stray++;
          continue;
        }
      }
      this.#buf[this.#len++] = b;
    }
  }

  next(): ScanResult {
    const { lengthAt, secondStartAt, maxData, protocol } = this.#shape;
    const buf = this.#buf;
    for (;;) {
      if (this.#len <= lengthAt) {
        if (this.#len > secondStartAt && secondStartAt >= 0 && buf[secondStartAt] !== FRAME_START) {
          this.#skip(1);
          continue;
        }
        return { kind: "none", stray: this.#takeStray() };
      }
      if ((secondStartAt >= 0 && buf[secondStartAt] !== FRAME_START) || buf[lengthAt]! > maxData) {
        this.#skip(1);
        continue;
      }
      const total = frameLength(this.#shape, buf[lengthAt]!);
      if (this.#len < total) return { kind: "none", stray: this.#takeStray() };
      const cs = checksum(buf, 0, total - 2);
      const csOk = cs === buf[total - 2];
      const endOk = buf[total - 1] === FRAME_END;
      if (!csOk && !endOk) {
        this.#skip(1);
        continue;
      }
      const frame = buf.slice(0, total);
      this.#consume(total);
      const stray = this.#takeStray();
      if (!csOk) {
        return { kind: "bad", fault: "checksum", stray, message: `${protocol} frame checksum 0x${hex(frame[total - 2]!)} where its bytes sum to 0x${hex(cs)}` };
      }
      if (!endOk) return { kind: "bad", fault: "framing", stray, message: `${protocol} frame ends in 0x${hex(frame[total - 1]!)}, not 0x16` };
      return { kind: "frame", frame, stray };
    }
  }

  #takeStray(): number {
    const n = this.#stray;
    this.#stray = 0;
    return n;
  }

  /** Drop a false start: its 0x68 is stray, and so is what follows up to the next 0x68. */
  #skip(n: number): void {
    this.#stray += n;
    this.#consume(n);
    let k = 0;
    while (k < this.#len && this.#buf[k] !== FRAME_START) {
      if (this.#buf[k] !== PREAMBLE) this.#stray++;
      k++;
    }
    this.#consume(k);
  }

  #consume(n: number): void {
    this.#buf.copyWithin(0, n, this.#len);
    this.#len -= n;
  }
}

function hex(b: number): string {
  return (b < 16 ? "0" : "") + b.toString(16).toUpperCase();
}
