/**
 * Event capture: the raw samples around a trigger (an alarm), a window before it and a window after, for sending
 * once the window after has been recorded — the record a bridge engineer looks at to see what the truck did.
 *
 * Every sample goes into a ring of the last `preSamples`. A trigger freezes that ring into a free slot (the
 * triggering sample is the last of the window before) and the next `postSamples` samples are appended; then the
 * slot is ready. `take()` hands out the oldest ready slot (its samples stay put, read through `samples(slot)` and
 * `length(slot)`) until `release(slot)`, when the uplink has the data. A trigger while a window is being recorded
 * belongs to that event (`merged`); one with every slot recording, ready or handed out is `missed`, so a burst of
 * alarms cannot hold more RAM than the slots. At 100 Hz, 2 s before and 5 s after is 700 samples, 2.8 KB a slot
 * (Float32: 24-bit precision, 0.0001 µε at 1000 µε, finer than any strain ADC's noise).
 *
 * Device code: all buffers are made in the constructor; push and trigger allocate nothing (the trigger copies the
 * ring, preSamples numbers, once per event).
 */

export interface EventCaptureConfig {
  /** Samples kept before the trigger, the triggering sample included (≥ 1). */
  preSamples: number;
  /** Samples recorded after the trigger (≥ 0). */
  postSamples: number;
  /** Events that can be held at once, recording, ready or being sent (default 2). */
  slots?: number;
}

const FREE = 0;
const RECORDING = 1;
const READY = 2;
const TAKEN = 3;
const WHO = "event capture";

export class EventCapture {
  readonly preSamples: number;
  readonly postSamples: number;
  readonly slots: number;
  readonly #history: Float32Array;
  #head = 0;
  /** Samples pushed so far (the next sample's number). */
  #count = 0;
  readonly #buffers: readonly Float32Array[];
  readonly #state: Uint8Array;
  readonly #length: Uint32Array;
  readonly #before: Uint32Array;
  readonly #first: Float64Array;
  readonly #triggerUs: Float64Array;
  #recording = -1;
  #captured = 0;
  #merged = 0;
  #missed = 0;

  constructor(config: EventCaptureConfig) {
    const { preSamples, postSamples } = config;
    const slots = config.slots ?? 2;
    if (!Number.isInteger(preSamples) || preSamples < 1 || preSamples > 100_000) throw new RangeError(`${WHO}: preSamples must be a whole number from 1 to 100000, got ${String(preSamples)}`);
    if (!Number.isInteger(postSamples) || postSamples < 0 || postSamples > 100_000) throw new RangeError(`${WHO}: postSamples must be a whole number from 0 to 100000, got ${String(postSamples)}`);
    if (!Number.isInteger(slots) || slots < 1 || slots > 16) throw new RangeError(`${WHO}: slots must be a whole number from 1 to 16, got ${String(slots)}`);
    this.preSamples = preSamples;
    this.postSamples = postSamples;
    this.slots = slots;
    this.#history = new Float32Array(preSamples);
    const window = preSamples + postSamples;
    const store = new Float32Array(window * slots);
    const buffers: Float32Array[] = [];
    for (let i = 0; i < slots; i++) buffers.push(store.subarray(i * window, (i + 1) * window));
    this.#buffers = Object.freeze(buffers);
    this.#state = new Uint8Array(slots);
    this.#length = new Uint32Array(slots);
    this.#before = new Uint32Array(slots);
    this.#first = new Float64Array(slots);
    this.#triggerUs = new Float64Array(slots);
  }

  /** Events recorded (triggers that got a slot). */
  get captured(): number {
    return this.#captured;
  }
  /** Triggers that came while a window was being recorded (part of that event). */
  get merged(): number {
    return this.#merged;
  }
  /** Triggers lost because every slot was busy. */
  get missed(): number {
    return this.#missed;
  }
  /** Whether a window after a trigger is being recorded. */
  get recording(): boolean {
    return this.#recording >= 0;
  }
  /** Samples pushed so far. */
  get count(): number {
    return this.#count;
  }

  /** One raw sample. */
  push(x: number): void {
    const r = this.#recording;
    if (r >= 0) {
      const n = this.#length[r]!;
      this.#buffers[r]![n] = x;
      this.#length[r] = n + 1;
      if (n + 1 === this.#before[r]! + this.postSamples) {
        this.#state[r] = READY;
        this.#recording = -1;
      }
    }
    this.#history[this.#head] = x;
    this.#head = this.#head + 1 === this.preSamples ? 0 : this.#head + 1;
    this.#count++;
  }

  /** Freeze the window before (ending with the last sample pushed) and record the window after; false if not. */
  trigger(atUs: number): boolean {
    if (this.#recording >= 0) {
      this.#merged++;
      return false;
    }
    let slot = 0;
    while (slot < this.slots && this.#state[slot] !== FREE) slot++;
    if (slot === this.slots) {
      this.#missed++;
      return false;
    }
    const pre = this.preSamples;
    const have = this.#count < pre ? this.#count : pre;
    const buf = this.#buffers[slot]!;
    let j = this.#head - have;
    if (j < 0) j += pre;
    for (let i = 0; i < have; i++) {
      buf[i] = this.#history[j]!;
      j = j + 1 === pre ? 0 : j + 1;
    }
    this.#before[slot] = have;
    this.#length[slot] = have;
    this.#first[slot] = this.#count - have;
    this.#triggerUs[slot] = atUs;
    this.#captured++;
    if (this.postSamples === 0) {
      this.#state[slot] = READY;
    } else {
      this.#state[slot] = RECORDING;
      this.#recording = slot;
    }
    return true;
  }

  /** The oldest ready event's slot, now handed out until `release`; −1 when none is ready. */
  take(): number {
    let best = -1;
    for (let i = 0; i < this.slots; i++) {
      if (this.#state[i] === READY && (best < 0 || this.#first[i]! < this.#first[best]!)) best = i;
    }
    if (best >= 0) this.#state[best] = TAKEN;
    return best;
  }

  /** The slot's buffer (its first `length(slot)` samples are the event, oldest first). */
  samples(slot: number): Float32Array {
    return this.#buffers[this.#held(slot)]!;
  }
  /** Samples in the event. */
  length(slot: number): number {
    return this.#length[this.#held(slot)]!;
  }
  /** Samples before the trigger, the triggering one included (fewer than preSamples right after boot). */
  before(slot: number): number {
    return this.#before[this.#held(slot)]!;
  }
  /** The number (0 = the first ever pushed) of the event's first sample. */
  firstSample(slot: number): number {
    return this.#first[this.#held(slot)]!;
  }
  /** The time given to `trigger`, µs. */
  triggerUs(slot: number): number {
    return this.#triggerUs[this.#held(slot)]!;
  }

  /** The uplink has the event: the slot is free again. */
  release(slot: number): void {
    this.#state[this.#held(slot)] = FREE;
  }

  #held(slot: number): number {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.slots || this.#state[slot] !== TAKEN) {
      throw new RangeError(`${WHO}: slot ${String(slot)} is not handed out (take() gives a ready one)`);
    }
    return slot;
  }
}
