/**
 * Semtech SX1262 LoRa transceiver over SPI, as the `LoraRadio` the LoRaWAN MAC drives (runtime/link/lorawan/radio.ts).
 *
 * The chip is driven by opcodes (DS.SX1261-2 §11, §13), one NSS-framed SPI transaction each, with a handshake on BUSY
 * (§8.3.1): BUSY low means the chip takes a command; every "write" command raises it (within T_SW ≤ 600 ns of NSS
 * rising) until the command is processed or the mode change it asked for is done; "read" commands (Get…, Read…) do
 * not. So the driver keeps one queue of commands and, never spinning:
 * - sends a command only when BUSY reads low, otherwise waits for BUSY's falling edge (an edge interrupt);
 * - after a write command waits for that command's own BUSY pulse to end (its falling edge), never trusting a BUSY
 *   read in the same turn, which the chip may not have raised yet;
 * - guards every wait with a host timer, so a chip that never lowers BUSY becomes an error, not a hang.
 * DIO1 is the IRQ line (TxDone, RxDone, Timeout, CrcErr, HeaderErr mapped to it); its rising edge is stamped with
 * `clock.microseconds()` in the handler, which is what the MAC times RX1 from. RESET is pulsed low for 1 ms (the
 * datasheet asks for typically 100 µs, §8.1; a host timer's tick is 1 ms) and the start-up ends when BUSY falls.
 *
 * Sequences:
 * - start-up: reset, STDBY_RC, [DIO3 as TCXO supply, clear XOSC_START_ERR], regulator, Calibrate(all), CalibrateImage
 *   (the configured band), [DIO2 as RF switch], LoRa packet type, sync word, TX clamp (§15.2), PA config, buffer base,
 *   IRQ mapping, then a read-back of status and sync word (identity: a missing chip answers 0xFF or 0x00), then warm
 *   sleep.
 * - transmit: [wake], frequency, modulation (LDRO when the symbol lasts 16 ms or more: SF11/12 at 125 kHz, SF12 at
 *   250 kHz; runtime/link/lorawan/airtime.ts, shared with the MAC and the simulator), packet, IQ polarity (§15.4),
 *   TX modulation (§15.1), power, payload, clear IRQs, SetTx. TxDone ends it; the chip falls back to STDBY_RC.
 * - receive, prepared (the class A path): `prepareReceive()` ahead of the window sends [wake], frequency, modulation,
 *   packet (explicit header, up to 255 bytes), IQ polarity, [RX gain], symbol timeout (command and register: the
 *   modem counts mantissa·4^exponent·2 symbols, so the count is rounded up to that grid, even below 64) and clears
 *   the IRQs; warm sleep keeps all of it (§9.3) except the RX gain register, which is not in the chip's default
 *   register retention list (§9.6) and is written again by `wake()`. At the window `receive()` sends SetRx single
 *   alone: one transaction from the host's handler, so the window opens where the MAC's timer put it. Unprepared (or
 *   after a transmission or a fault undid the preparation), `receive()` sends the whole sequence itself.
 *   RxDone (with no CrcErr/HeaderErr) is followed by RX buffer status, buffer read and packet status (RSSI, SNR).
 * - sleep: SetSleep with warm start (configuration kept, ~0.6 µA); the next operation wakes the chip with a
 *   transaction sent regardless of BUSY (which the chip holds high in sleep) and waits for BUSY to fall.
 *
 * Errors never throw from an asynchronous path: SPI exceptions, a chip that reports a command failure in its status
 * byte, a BUSY that never falls and a DIO1 that never rises end the operation with an error (or, outside one, go to
 * `onError`), and the next operation starts with a reset. Bad parameters throw a RangeError naming the field.
 */
import type { Clock, TimerHandle, Timers } from "../../hal/host.js";
import type { Digital, DigitalClass, SPI, SPIBus } from "../../hal/io.js";
import type {
  LoraModulation,
  LoraRadio,
  LoraRadioError,
  LoraRxParams,
  LoraRxResult,
  LoraTxParams,
  LoraTxResult,
} from "../../runtime/link/lorawan/radio.js";
import { airtimeMicros, lowDataRateOptimizeNeeded, symbolMicros } from "../../runtime/link/lorawan/airtime.js";
import { SX1262_DEFAULTS, type SX1262Config } from "./config.js";
import {
  CALIBRATE_ALL,
  CHIP_MODE_RX,
  CHIP_MODE_TX,
  COMMAND_BUSY_US,
  HEADER_EXPLICIT,
  IMAGE_BANDS,
  IRQ_ALL,
  IRQ_CRC_ERR,
  IRQ_HEADER_ERR,
  IRQ_RX_DONE,
  IRQ_TIMEOUT,
  IRQ_TX_DONE,
  OP_CALIBRATE,
  OP_CALIBRATE_IMAGE,
  OP_CLEAR_DEVICE_ERRORS,
  OP_CLEAR_IRQ_STATUS,
  OP_GET_IRQ_STATUS,
  OP_GET_PACKET_STATUS,
  OP_GET_RX_BUFFER_STATUS,
  OP_GET_STATUS,
  OP_READ_BUFFER,
  OP_READ_REGISTER,
  OP_SET_BUFFER_BASE_ADDRESS,
  OP_SET_DIO2_AS_RF_SWITCH_CTRL,
  OP_SET_DIO3_AS_TCXO_CTRL,
  OP_SET_DIO_IRQ_PARAMS,
  OP_SET_LORA_SYMB_NUM_TIMEOUT,
  OP_SET_MODULATION_PARAMS,
  OP_SET_PA_CONFIG,
  OP_SET_PACKET_PARAMS,
  OP_SET_PACKET_TYPE,
  OP_SET_REGULATOR_MODE,
  OP_SET_RF_FREQUENCY,
  OP_SET_RX,
  OP_SET_SLEEP,
  OP_SET_STANDBY,
  OP_SET_TX,
  OP_SET_TX_PARAMS,
  OP_WRITE_BUFFER,
  OP_WRITE_REGISTER,
  PA_DEVICE_SX1262,
  PA_LUT,
  PACKET_TYPE_LORA,
  RAMP_40_US,
  RC_TO_RX_US,
  REG_IQ_POLARITY,
  REG_LORA_SYNC_WORD,
  REG_LORA_SYNCH_TIMEOUT,
  REG_RX_GAIN,
  REG_TX_CLAMP_CONFIG,
  REG_TX_MODULATION,
  REGULATOR_DCDC,
  REGULATOR_LDO,
  RTC_STEP_NS,
  RX_GAIN_BOOSTED,
  RX_SINGLE,
  SLEEP_WARM,
  STDBY_RC,
  SYNC_WORD_PRIVATE,
  SYNC_WORD_PUBLIC,
  TX_CLAMP_MASK,
  TX_POWER_MAX_DBM,
  TX_POWER_MIN_DBM,
  WAKE_WARM_US,
  bandwidthCode,
  chipModeOf,
  cmdStatusOf,
  frequencyToSteps,
  MAX_SYMBOL_TIMEOUT,
  paSetting,
  symbolTimeoutCode,
  tcxoCode,
  type PaSetting,
} from "./registers.js";

export type { SX1262Config } from "./config.js";

export interface SX1262Pins {
  /** SPI chip select. */
  nss: number;
  busy: number;
  dio1: number;
  reset: number;
}

export interface SX1262Options {
  /** The SPI bus the chip is on (`host.SPI.<name>`); the driver opens it with `select: pins.nss`, mode 0. */
  spi: SPIBus;
  /** `host.io.Digital`. */
  digital: DigitalClass;
  pins: SX1262Pins;
  timer: Timers;
  clock: Clock;
  /** Board facts (part options); missing ones take SX1262_DEFAULTS. */
  config?: Partial<SX1262Config>;
  /** Errors outside an operation (start-up), on a later turn. */
  onError?: (error: LoraRadioError) => void;
}

type StepKind = "read" | "write" | "wake" | "sleep" | "reset";

interface Step {
  kind: StepKind;
  bytes: Uint8Array;
  what: string;
  /** The operation this step belongs to (undefined: start-up or housekeeping). */
  op: Operation | undefined;
  /** Just before the transaction: fills in bytes known only then (registers read at start-up). */
  prepare?: (bytes: Uint8Array) => void;
  /** Right after the transaction, with the bytes clocked in. */
  then?: (rx: Uint8Array) => void;
  /** When the write's BUSY pulse ends, with the host µs of the falling edge. */
  settled?: (atUs: number) => void;
  /** Checked when the step's turn comes: true drops it unsent. */
  skip?: () => boolean;
}

/** A receive configuration sent ahead of its window (prepareReceive). */
interface Prepared {
  /** The parameters as the MAC gave them, compared field by field at the window (no re-validation there). */
  params: Readonly<LoraRxParams>;
  /** The window's operation and SetRx, built ahead: at the window the host allocates nothing before SetRx goes out
   * (an allocation there can start a garbage collection, milliseconds on the board). */
  op: Operation;
  setRx: Step;
  /** The configuration generation it was sent in; a reset or a transmission starts a new one. */
  generation: number;
}

interface Operation {
  kind: "tx" | "rx";
  tx?: (error: LoraRadioError | undefined, result: LoraTxResult | undefined) => void;
  rx?: (error: LoraRadioError | undefined, result: LoraRxResult | undefined) => void;
  /** `clock.microseconds()` when the MAC called. */
  calledUs: number;
  /** Time on air of the frame being sent (tx). */
  airtimeUs: number;
  /** How long DIO1 may stay silent once the chip is on the air, ms (the host-side guard). */
  irqGuardMs: number;
}

/** Spare time on the chip's own TX timeout and on the host guards, beyond the time on air. */
const TX_TIMEOUT_SPARE_US = 100_000;
const IRQ_GUARD_SPARE_MS = 200;
/** A BUSY that stays high this long (plus any TCXO start-up) is a fault: the longest wait is a 3.5 ms calibration. */
const BUSY_GUARD_MS = 20;
const RESET_LOW_MS = 1;
const SPI_MAX_HZ = 16_000_000; // §8.2
const MAX_PAYLOAD = 255;
/** Write commands before SetRx in a receive() from sleep: frequency, modulation, packet, IQ, symbol timeout ×2, IRQ clear. */
const RX_WRITES = 7;
const IRQ_ON_DIO1 = IRQ_TX_DONE | IRQ_RX_DONE | IRQ_HEADER_ERR | IRQ_CRC_ERR | IRQ_TIMEOUT;

export class SX1262 implements LoraRadio {
  readonly #spi: SPI;
  readonly #busy: Digital;
  readonly #dio1: Digital;
  readonly #reset: Digital;
  readonly #timers: Timers;
  readonly #clock: Clock;
  readonly #config: Readonly<SX1262Config>;
  readonly #pa: PaSetting;
  readonly #onError: ((error: LoraRadioError) => void) | undefined;
  readonly #rxSetupUs: number;
  readonly #busyGuardMs: number;

  #steps: Step[] = [];
  /** Waiting for BUSY to fall (before a command, or after a write's pulse). */
  #waiting = false;
  /** What BUSY is awaited for, in two parts joined only for an error message (no string built per command). */
  #waitingFor = "";
  #waitingStep = "";
  #settled: ((atUs: number) => void) | undefined;
  /** NRESET is held low: a BUSY edge now means nothing. */
  #resetting = false;
  #guard: TimerHandle | undefined;
  #irqGuard: TimerHandle | undefined;
  #op: Operation | undefined;
  #asleep = false;
  #needsStart = true;
  #closed = false;
  /** The last write command sent: what a failure status in the next transaction is about. */
  #lastWrite = "";
  /** Register values read at start-up; written back with the errata bits set per operation. */
  #iqPolarity = 0;
  #txModulation = 0;
  #lastRxSetupUs = 0;
  #irqAtUs = 0;
  readonly #preparedRxSetupUs: number;
  readonly #wakeUs: number;
  #prepared: Prepared | undefined;
  #generation = 0;
  /** The chip slept since RX gain was last written: warm sleep does not retain it (§9.6). */
  #gainLost = true;

  constructor(options: SX1262Options) {
    if (!options || typeof options !== "object") throw new TypeError("sx1262: options object required");
    const { spi, digital, pins, timer, clock } = options;
    if (!spi || !digital || !pins || !timer || !clock) throw new TypeError("sx1262: spi, digital, pins, timer and clock are required");
    for (const key of ["nss", "busy", "dio1", "reset"] as const) {
      if (typeof pins[key] !== "number") throw new TypeError(`sx1262: pins.${key} must be a pin number, got ${String(pins[key])}`);
    }
    const config: SX1262Config = { ...SX1262_DEFAULTS, ...(options.config ?? {}) };
    validateConfig(config);
    this.#config = Object.freeze(config);
    this.#pa = paSetting(config.maxPowerDbm);
    this.#timers = timer;
    this.#clock = clock;
    this.#onError = options.onError;
    const tcxoUs = config.tcxoVolts > 0 ? rtcSteps(config.tcxoStartUs) * (RTC_STEP_NS / 1000) : 0;
    this.#busyGuardMs = BUSY_GUARD_MS + Math.ceil(tcxoUs / 1000);
    // Warm wake (Table 8-2), the write commands before SetRx at their processing time, then STDBY_RC → RX, which
    // also waits for a TCXO to start (§13.3.6). The host's own time per command (SPI clocking, the interpreter) is
    // not in it: it depends on the engine and is measured as `lastRxSetupUs`.
    this.#rxSetupUs = WAKE_WARM_US + (config.rxBoosted ? RX_WRITES + 1 : RX_WRITES) * COMMAND_BUSY_US + RC_TO_RX_US + tcxoUs;
    // Prepared and awake: SetRx's own transfer (4 bytes), then STDBY_RC → RX and any TCXO start-up.
    this.#preparedRxSetupUs = Math.ceil((4 * 8 * 1e6) / Math.min(spi.hz, SPI_MAX_HZ)) + RC_TO_RX_US + tcxoUs;
    this.#wakeUs = WAKE_WARM_US + (config.rxBoosted ? COMMAND_BUSY_US : 0);

    this.#spi = new spi.io({
      clock: spi.clock,
      ...(spi.in !== undefined ? { in: spi.in } : {}),
      ...(spi.out !== undefined ? { out: spi.out } : {}),
      ...(spi.port !== undefined ? { port: spi.port } : {}),
      select: pins.nss,
      active: 0,
      hz: Math.min(spi.hz, SPI_MAX_HZ),
      mode: 0,
    });
    this.#busy = new digital({ pin: pins.busy, mode: digital.Input, edge: digital.Falling, onReadable: () => this.#busyFell() });
    // The time is read first thing in the handler: class A windows are timed from it.
    this.#dio1 = new digital({ pin: pins.dio1, mode: digital.InputPullDown, edge: digital.Rising, onReadable: () => this.#irq(this.#clock.microseconds()) });
    this.#reset = new digital({ pin: pins.reset, mode: digital.Output });
    this.#reset.write(1);
    this.#start();
    this.#pump();
  }

  /** µs from `receive()` to the receiver listening, from warm sleep: Table 8-2 plus the commands in between. */
  get rxSetupUs(): number {
    return this.#rxSetupUs;
  }

  /** µs from a prepared `receive()` on an awake chip to the receiver listening: SetRx alone. */
  get preparedRxSetupUs(): number {
    return this.#preparedRxSetupUs;
  }

  /** µs `wake()` takes: the warm start (Table 8-2) and the RX gain sleep does not keep. */
  get wakeUs(): number {
    return this.#wakeUs;
  }

  /** What the last `receive()` took to get the receiver listening, host µs (includes the host's own time). */
  get lastRxSetupUs(): number {
    return this.#lastRxSetupUs;
  }

  get config(): Readonly<SX1262Config> {
    return this.#config;
  }

  transmit(payload: Uint8Array, params: LoraTxParams, done: (error: LoraRadioError | undefined, result: LoraTxResult | undefined) => void): void {
    this.#assertOpen();
    if (!(payload instanceof Uint8Array)) throw new TypeError("sx1262: payload must be a Uint8Array");
    if (payload.length > MAX_PAYLOAD) throw new RangeError(`sx1262: payload is ${payload.length} bytes; the buffer holds ${MAX_PAYLOAD}`);
    const m = this.#modulation(params);
    const power = params.powerDbm;
    if (typeof power !== "number" || !Number.isInteger(power) || power < TX_POWER_MIN_DBM || power > this.#pa.maxDbm) {
      throw new RangeError(`sx1262: powerDbm must be an integer ${TX_POWER_MIN_DBM}…${this.#pa.maxDbm} dBm (maxPowerDbm ${this.#pa.maxDbm}), got ${String(power)}`);
    }
    const airtimeUs = airtimeMicros({ ...m, explicitHeader: true, payloadBytes: payload.length });
    const op: Operation = { kind: "tx", tx: done, calledUs: this.#clock.microseconds(), airtimeUs, irqGuardMs: Math.ceil(airtimeUs / 1000) + IRQ_GUARD_SPARE_MS };
    if (!this.#begin(op)) return;
    this.#generation++; // the transmission's frequency, modulation, packet and IQ replace a prepared receiver's

    const s = this.#steps;
    this.#configure(op, m, payload.length);
    // §15.1: bit 2 of TxModulation is 0 only for LoRa at 500 kHz, set before every transmission.
    const wide = m.bandwidthHz === 500_000;
    s.push(this.#writeRegister(op, REG_TX_MODULATION, () => (wide ? this.#txModulation & ~0x04 : this.#txModulation | 0x04), "WriteRegister(TX modulation (§15.1))"));
    // Table 13-21: the PA row gives its maximum at +22 dBm; lower powers come off that.
    s.push(this.#write(op, "SetTxParams", OP_SET_TX_PARAMS, (TX_POWER_MAX_DBM - (this.#pa.maxDbm - power)) & 0xff, RAMP_40_US));
    const buffer = new Uint8Array(2 + payload.length);
    buffer[0] = OP_WRITE_BUFFER;
    buffer[1] = 0x00;
    buffer.set(payload, 2);
    s.push({ kind: "write", bytes: buffer, what: "WriteBuffer", op });
    s.push(this.#write(op, "ClearIrqStatus", OP_CLEAR_IRQ_STATUS, IRQ_ALL >> 8, IRQ_ALL & 0xff));
    const timeout = Math.min(0xfffffe, rtcSteps(airtimeUs + TX_TIMEOUT_SPARE_US));
    const setTx = this.#write(op, "SetTx", OP_SET_TX, timeout >> 16, (timeout >> 8) & 0xff, timeout & 0xff);
    // BUSY falls when the PA has ramped and the preamble starts (§8.3.1): from then on DIO1 must rise.
    setTx.settled = () => this.#started(op, CHIP_MODE_TX, "SetTx");
    s.push(setTx);
    this.#pump();
  }

  prepareReceive(params: LoraRxParams): void {
    this.#assertOpen();
    const rx = this.#rxParams(params);
    if (this.#op) throw new Error(`sx1262: prepareReceive() while a ${this.#op.kind === "tx" ? "transmission" : "reception"} is running`);
    if (this.#needsStart) this.#start();
    this.#configureRx(undefined, rx.m, rx.timeout);
    const op: Operation = { kind: "rx", rx: undefined, calledUs: 0, airtimeUs: 0, irqGuardMs: rx.irqGuardMs };
    this.#prepared = { params: { ...params }, op, setRx: this.#setRx(op), generation: this.#generation };
    this.#pump();
  }

  wake(): void {
    this.#assertOpen();
    this.#steps.push({ kind: "wake", bytes: Uint8Array.of(OP_GET_STATUS, 0x00), what: "wake-up", op: undefined });
    if (this.#config.rxBoosted) this.#steps.push(this.#rxGain(undefined));
    this.#pump();
  }

  receive(params: LoraRxParams, done: (error: LoraRadioError | undefined, result: LoraRxResult | undefined) => void): void {
    this.#assertOpen();
    // At the window the host's time is the window's error: a prepared window checks only that these are the
    // parameters it prepared (already validated), then sends SetRx, built ahead.
    const p = this.#prepared;
    if (p !== undefined && p.generation === this.#generation && !this.#needsStart && sameRx(p.params, params)) {
      const op = p.op;
      this.#prepared = undefined; // one window per preparation: its operation is not reused
      op.rx = done;
      op.calledUs = this.#clock.microseconds();
      if (!this.#begin(op)) return;
      // Asleep (wake() not called, or not yet done): the wake-up and what sleep undid go first.
      if (this.#asleep || this.#steps.length > 0) {
        this.#steps.push({ kind: "wake", bytes: Uint8Array.of(OP_GET_STATUS, 0x00), what: "wake-up", op });
        if (this.#config.rxBoosted) this.#steps.push(this.#rxGain(op));
      }
      this.#steps.push(p.setRx);
      this.#pump();
      return;
    }
    const rx = this.#rxParams(params);
    const op: Operation = { kind: "rx", rx: done, calledUs: this.#clock.microseconds(), airtimeUs: 0, irqGuardMs: rx.irqGuardMs };
    if (!this.#begin(op)) return;
    this.#configureRx(op, rx.m, rx.timeout);
    this.#steps.push(this.#setRx(op));
    this.#pump();
  }

  /** SetRx single for `op`; BUSY falls once the receiver is up (§8.3.1). */
  #setRx(op: Operation): Step {
    const setRx = this.#write(op, "SetRx", OP_SET_RX, RX_SINGLE >> 16, (RX_SINGLE >> 8) & 0xff, RX_SINGLE & 0xff);
    setRx.settled = (atUs) => {
      this.#lastRxSetupUs = atUs - op.calledUs;
      this.#started(op, CHIP_MODE_RX, "SetRx");
    };
    return setRx;
  }

  /** Checked receive parameters, the symbol timeout on the chip's grid, and the host guard on the window. */
  #rxParams(params: LoraRxParams): { m: Modulation; timeout: { symbols: number; register: number }; irqGuardMs: number } {
    const m = this.#modulation(params);
    const requested = params.timeoutSymbols;
    if (typeof requested !== "number" || !Number.isInteger(requested) || requested < 1 || requested > 255) {
      throw new RangeError(`sx1262: timeoutSymbols must be an integer 1…255 (SetLoRaSymbNumTimeout), got ${String(requested)}`);
    }
    // The contract allows up to 255 symbols; the chip counts on a mantissa-exponent grid that ends at
    // MAX_SYMBOL_TIMEOUT, so longer requests get the longest timeout it has (a few symbols short, never an error).
    const timeout = symbolTimeoutCode(Math.min(requested, MAX_SYMBOL_TIMEOUT));
    // The receiver stays up for the symbol timeout, then for the longest frame it may have caught.
    const windowUs = timeout.symbols * symbolMicros(m.sf, m.bandwidthHz) + airtimeMicros({ ...m, explicitHeader: true, payloadBytes: MAX_PAYLOAD });
    return { m, timeout, irqGuardMs: Math.ceil(windowUs / 1000) + IRQ_GUARD_SPARE_MS };
  }

  /** The receive configuration: frequency, modulation, packet, IQ, [RX gain], symbol timeout, IRQs cleared. */
  #configureRx(op: Operation | undefined, m: Modulation, timeout: { symbols: number; register: number }): void {
    const s = this.#steps;
    this.#configure(op, m, MAX_PAYLOAD);
    if (this.#config.rxBoosted) s.push(this.#rxGain(op));
    s.push(this.#write(op, "SetLoRaSymbNumTimeout", OP_SET_LORA_SYMB_NUM_TIMEOUT, timeout.symbols));
    s.push(this.#writeRegister(op, REG_LORA_SYNCH_TIMEOUT, timeout.register, "WriteRegister(symbol timeout)"));
    s.push(this.#write(op, "ClearIrqStatus", OP_CLEAR_IRQ_STATUS, IRQ_ALL >> 8, IRQ_ALL & 0xff));
  }

  /** RX gain, sent only when the chip slept since it was last written (§9.6: not in the default retention list). */
  #rxGain(op: Operation | undefined): Step {
    const step = this.#writeRegister(op, REG_RX_GAIN, RX_GAIN_BOOSTED, "WriteRegister(RX gain)");
    step.skip = () => !this.#gainLost;
    step.then = () => {
      this.#gainLost = false;
    };
    return step;
  }

  sleep(): void {
    this.#assertOpen();
    const op = this.#op;
    if (op) {
      this.#abort(op, { kind: "busy", message: `sx1262: ${op.kind === "tx" ? "transmission" : "reception"} aborted by sleep()` });
      this.#steps.push(this.#write(undefined, "SetStandby", OP_SET_STANDBY, STDBY_RC));
    }
    const last = this.#steps[this.#steps.length - 1];
    if (last ? last.kind === "sleep" : this.#asleep) return;
    this.#steps.push({ kind: "sleep", bytes: Uint8Array.of(OP_SET_SLEEP, SLEEP_WARM), what: "SetSleep", op: undefined });
    this.#pump();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#timers.clear(this.#guard);
    this.#timers.clear(this.#irqGuard);
    this.#guard = this.#irqGuard = undefined;
    this.#steps = [];
    this.#op = undefined;
    this.#spi.close();
    this.#busy.close();
    this.#dio1.close();
    this.#reset.close();
  }

  // ------------------------------------------------------------------ sequences

  /** Reset and configure the chip, then put it to sleep (queued ahead of anything else). */
  #start(): void {
    const c = this.#config;
    const s: Step[] = [];
    s.push({ kind: "reset", bytes: new Uint8Array(0), what: "reset", op: undefined });
    s.push(this.#write(undefined, "SetStandby", OP_SET_STANDBY, STDBY_RC));
    if (c.tcxoVolts > 0) {
      const steps = rtcSteps(c.tcxoStartUs);
      s.push(this.#write(undefined, "SetDIO3AsTcxoCtrl", OP_SET_DIO3_AS_TCXO_CTRL, tcxoCode(c.tcxoVolts), steps >> 16, (steps >> 8) & 0xff, steps & 0xff));
      // With a TCXO the chip flags XOSC_START_ERR at power-on, before it knows (§13.3.6): expected, and cleared.
      s.push(this.#write(undefined, "ClearDeviceErrors", OP_CLEAR_DEVICE_ERRORS, 0x00, 0x00));
    }
    s.push(this.#write(undefined, "SetRegulatorMode", OP_SET_REGULATOR_MODE, c.regulator === "dcdc" ? REGULATOR_DCDC : REGULATOR_LDO));
    s.push(this.#write(undefined, "Calibrate", OP_CALIBRATE, CALIBRATE_ALL));
    const band = IMAGE_BANDS[c.band];
    s.push(this.#write(undefined, "CalibrateImage", OP_CALIBRATE_IMAGE, band[2], band[3]));
    if (c.dio2RfSwitch) s.push(this.#write(undefined, "SetDIO2AsRfSwitchCtrl", OP_SET_DIO2_AS_RF_SWITCH_CTRL, 0x01));
    s.push(this.#write(undefined, "SetPacketType", OP_SET_PACKET_TYPE, PACKET_TYPE_LORA));
    const sync = c.network === "public" ? SYNC_WORD_PUBLIC : SYNC_WORD_PRIVATE;
    s.push(this.#write(undefined, "WriteRegister(sync word)", OP_WRITE_REGISTER, REG_LORA_SYNC_WORD >> 8, REG_LORA_SYNC_WORD & 0xff, sync >> 8, sync & 0xff));
    // §15.2: the PA clamp over-protects (5–6 dB less power on a mismatched antenna) unless bits 4:1 are all set.
    s.push(
      this.#readRegister(REG_TX_CLAMP_CONFIG, 1, (v) => {
        this.#front(this.#writeRegister(undefined, REG_TX_CLAMP_CONFIG, v[0]! | TX_CLAMP_MASK, "WriteRegister(TX clamp (§15.2))"));
      }),
    );
    s.push(
      this.#readRegister(REG_IQ_POLARITY, 1, (v) => {
        this.#iqPolarity = v[0]!;
      }),
    );
    s.push(
      this.#readRegister(REG_TX_MODULATION, 1, (v) => {
        this.#txModulation = v[0]!;
      }),
    );
    s.push(this.#write(undefined, "SetPaConfig", OP_SET_PA_CONFIG, this.#pa.paDutyCycle, this.#pa.hpMax, PA_DEVICE_SX1262, PA_LUT));
    s.push(this.#write(undefined, "SetBufferBaseAddress", OP_SET_BUFFER_BASE_ADDRESS, 0x00, 0x00));
    s.push(
      this.#write(undefined, "SetDioIrqParams", OP_SET_DIO_IRQ_PARAMS, IRQ_ON_DIO1 >> 8, IRQ_ON_DIO1 & 0xff, IRQ_ON_DIO1 >> 8, IRQ_ON_DIO1 & 0xff, 0, 0, 0, 0),
    );
    s.push(
      this.#readRegister(REG_LORA_SYNC_WORD, 2, (v) => {
        const read = (v[0]! << 8) | v[1]!;
        if (read !== sync) this.#fail("bus", `sx1262: sync word reads back 0x${hex(read, 4)}, wrote 0x${hex(sync, 4)}: not an SX126x, or SPI miswired`);
      }),
    );
    s.push({ kind: "sleep", bytes: Uint8Array.of(OP_SET_SLEEP, SLEEP_WARM), what: "SetSleep", op: undefined });
    this.#needsStart = false;
    this.#generation++; // a reset loses any prepared receiver
    this.#gainLost = true;
    this.#steps = s.concat(this.#steps);
  }

  /** Frequency, modulation, packet and IQ polarity: what both directions set. */
  #configure(op: Operation | undefined, m: Modulation, payloadLength: number): void {
    const s = this.#steps;
    s.push({ kind: "wake", bytes: Uint8Array.of(OP_GET_STATUS, 0x00), what: "wake-up", op });
    const f = frequencyToSteps(m.frequencyHz);
    s.push(this.#write(op, "SetRfFrequency", OP_SET_RF_FREQUENCY, (f >>> 24) & 0xff, (f >> 16) & 0xff, (f >> 8) & 0xff, f & 0xff));
    s.push(this.#write(op, "SetModulationParams", OP_SET_MODULATION_PARAMS, m.sf, bandwidthCode(m.bandwidthHz), m.codingRate - 4, m.lowDataRateOptimize ? 1 : 0));
    s.push(
      this.#write(op, "SetPacketParams", OP_SET_PACKET_PARAMS, m.preamble >> 8, m.preamble & 0xff, HEADER_EXPLICIT, payloadLength, m.crc ? 1 : 0, m.invertIq ? 1 : 0),
    );
    // §15.4: bit 2 of the IQ polarity register is 0 with inverted IQ, 1 with standard IQ.
    const inverted = m.invertIq;
    s.push(this.#writeRegister(op, REG_IQ_POLARITY, () => (inverted ? this.#iqPolarity & ~0x04 : this.#iqPolarity | 0x04), "WriteRegister(IQ polarity (§15.4))"));
  }

  /** Start an operation: false (and the error delivered later) when one is already running. */
  #begin(op: Operation): boolean {
    if (this.#op) {
      this.#deliver(op, { kind: "busy", message: `sx1262: a ${this.#op.kind === "tx" ? "transmission" : "reception"} is still running` }, undefined);
      return false;
    }
    this.#op = op;
    if (this.#needsStart) this.#start();
    return true;
  }

  #abort(op: Operation, error: LoraRadioError): void {
    this.#steps = this.#steps.filter((step) => step.op !== op);
    this.#timers.clear(this.#irqGuard);
    this.#irqGuard = undefined;
    this.#op = undefined;
    this.#deliver(op, error, undefined);
  }

  // ------------------------------------------------------------------ IRQ

  /** DIO1 rose: read what happened (read commands need no BUSY wait), clear it, finish the operation. */
  #irq(atUs: number): void {
    if (this.#closed) return;
    this.#irqAtUs = atUs;
    const op = this.#op;
    this.#front({
      kind: "read",
      bytes: Uint8Array.of(OP_GET_IRQ_STATUS, 0, 0, 0),
      what: "GetIrqStatus",
      op,
      then: (rx) => this.#irqStatus(op, (rx[2]! << 8) | rx[3]!),
    });
    this.#pump();
  }

  #irqStatus(op: Operation | undefined, irq: number): void {
    const clear = this.#write(undefined, "ClearIrqStatus", OP_CLEAR_IRQ_STATUS, IRQ_ALL >> 8, IRQ_ALL & 0xff);
    if (!op || this.#op !== op) {
      this.#front(clear); // a late IRQ after an abort: just clear it
      return;
    }
    const at = this.#irqAtUs;
    if (op.kind === "tx") {
      if (irq & IRQ_TX_DONE) this.#finish(op, clear, undefined, { txEndUs: at, airtimeUs: op.airtimeUs });
      else if (irq & IRQ_TIMEOUT) this.#finish(op, clear, { kind: "timeout", message: `sx1262: TX timeout before TxDone (IRQ 0x${hex(irq, 4)})` }, undefined);
      else this.#front(clear);
      return;
    }
    if (irq & IRQ_HEADER_ERR) {
      this.#finish(op, clear, { kind: "header", message: `sx1262: LoRa header CRC error (IRQ 0x${hex(irq, 4)})` }, undefined);
    } else if (irq & IRQ_CRC_ERR) {
      this.#finish(op, clear, { kind: "crc", message: `sx1262: payload CRC error (IRQ 0x${hex(irq, 4)})` }, undefined);
    } else if (irq & IRQ_RX_DONE) {
      this.#front({
        kind: "read",
        bytes: Uint8Array.of(OP_GET_RX_BUFFER_STATUS, 0, 0, 0),
        what: "GetRxBufferStatus",
        op,
        then: (rx) => this.#readPayload(op, rx[2]!, rx[3]!, at),
      });
    } else if (irq & IRQ_TIMEOUT) {
      this.#finish(op, clear, { kind: "timeout", message: "sx1262: no preamble within the symbol timeout" }, undefined);
    } else {
      this.#front(clear);
    }
  }

  #readPayload(op: Operation, length: number, start: number, at: number): void {
    const read = new Uint8Array(3 + length);
    read[0] = OP_READ_BUFFER;
    read[1] = start;
    this.#front({
      kind: "read",
      bytes: read,
      what: "ReadBuffer",
      op,
      then: (rx) => {
        const payload = rx.slice(3);
        this.#front({
          kind: "read",
          bytes: Uint8Array.of(OP_GET_PACKET_STATUS, 0, 0, 0, 0),
          what: "GetPacketStatus",
          op,
          then: (ps) => {
            // §13.5.3: RssiPkt = −value/2 dBm, SnrPkt a signed value in quarter dB.
            const snr = ps[3]! >= 128 ? ps[3]! - 256 : ps[3]!;
            const clear = this.#write(undefined, "ClearIrqStatus", OP_CLEAR_IRQ_STATUS, IRQ_ALL >> 8, IRQ_ALL & 0xff);
            this.#finish(op, clear, undefined, { payload, rssiDbm: -ps[2]! / 2, snrDb: snr / 4, rxEndUs: at });
          },
        });
      },
    });
  }

  #finish(op: Operation, step: Step, error: LoraRadioError | undefined, result: LoraTxResult | LoraRxResult | undefined): void {
    this.#timers.clear(this.#irqGuard);
    this.#irqGuard = undefined;
    this.#op = undefined;
    this.#front(step);
    this.#deliver(op, error, result);
  }

  /**
   * SetTx/SetRx has settled: its status (a read, so no BUSY wait) must show the chip in that mode, or the command
   * failed (the 32 MHz reference did not start, say) and no IRQ will ever come.
   */
  #started(op: Operation, mode: number, what: string): void {
    this.#front({
      kind: "read",
      bytes: Uint8Array.of(OP_GET_STATUS, 0x00),
      what: "GetStatus",
      op,
      then: (rx) => {
        if (this.#op !== op) return; // the IRQ came first (a very short packet) and finished it
        if (chipModeOf(rx[1]!) !== mode) {
          this.#fail("bus", `sx1262: ${what} left the chip in mode ${chipModeOf(rx[1]!)} (status 0x${hex(rx[1]!, 2)})`);
          return;
        }
        this.#armIrqGuard(op);
      },
    });
  }

  #armIrqGuard(op: Operation): void {
    if (this.#op !== op) return;
    this.#timers.clear(this.#irqGuard);
    this.#irqGuard = this.#timers.set(() => {
      this.#irqGuard = undefined;
      if (this.#op !== op) return;
      this.#fail("timeout", `sx1262: no IRQ on DIO1 ${op.irqGuardMs} ms after ${op.kind === "tx" ? "the transmission started" : "the receiver opened"}: DIO1 not wired, or not mapped`);
    }, op.irqGuardMs);
  }

  // ------------------------------------------------------------------ the command queue

  #pump(): void {
    while (!this.#waiting && !this.#closed && this.#steps.length > 0) {
      const step = this.#steps[0]!;
      if (step.skip && step.skip()) {
        this.#steps.shift();
        continue;
      }
      if (step.kind === "reset") {
        this.#steps.shift();
        this.#pulseReset();
        return;
      }
      if (step.kind === "wake") {
        if (!this.#asleep) {
          this.#steps.shift();
          continue;
        }
      } else if (step.kind === "sleep" && (this.#asleep || this.#wakeQueued())) {
        // Already asleep, or an operation queued behind would only wake it again: stay in standby.
        this.#steps.shift();
        continue;
      } else if (this.#busy.read() === 1) {
        this.#await("BUSY low before ", step.what);
        return;
      }
      this.#steps.shift();
      if (step.prepare) step.prepare(step.bytes);
      try {
        this.#spi.transfer(step.bytes);
        this.#spi.flush(true);
      } catch (e) {
        this.#fail("bus", `sx1262: ${step.what}: SPI transfer failed: ${message(e)}`);
        return;
      }
      // A sleeping chip answers nothing while it wakes: its MISO floats.
      if (step.kind !== "wake" && !this.#statusOk(step)) return;
      switch (step.kind) {
        case "wake":
          this.#asleep = false;
          this.#await("BUSY to fall after the wake-up", "");
          break;
        case "write":
          this.#lastWrite = step.what;
          this.#settled = step.settled;
          this.#await("BUSY to fall after ", step.what);
          break;
        case "sleep":
          this.#lastWrite = step.what;
          this.#asleep = true; // BUSY stays high until the next NSS falling edge wakes the chip
          this.#gainLost = true;
          break;
      }
      if (step.then) step.then(step.bytes);
    }
  }

  /** A wake-up is queued (behind the step at the head). */
  #wakeQueued(): boolean {
    const steps = this.#steps;
    for (let i = 0; i < steps.length; i++) if (steps[i]!.kind === "wake") return true;
    return false;
  }

  /** Insert steps at the head of the queue (IRQ handling and read-modify-writes run before anything queued). */
  #front(step: Step): void {
    this.#steps.unshift(step);
  }

  /** Status byte 1 of every transaction: the chip is there, and did not reject the previous write (§13.5.1). */
  #statusOk(step: Step): boolean {
    if (step.bytes.length < 2) return true;
    const status = step.bytes[1]!;
    const mode = chipModeOf(status);
    if (mode < 2 || mode > 6) {
      this.#fail("bus", `sx1262: no answer to ${step.what} (status byte 0x${hex(status, 2)}): no chip on select, or it is still asleep`);
      return false;
    }
    const cmd = cmdStatusOf(status);
    if (cmd === 4 || cmd === 5) {
      this.#fail("bus", `sx1262: the chip rejected ${this.#lastWrite} (${cmd === 4 ? "command processing error" : "failure to execute"}, status 0x${hex(status, 2)})`);
      return false;
    }
    return true;
  }

  #await(what: string, step: string): void {
    this.#waiting = true;
    this.#waitingFor = what;
    this.#waitingStep = step;
    this.#timers.clear(this.#guard);
    this.#guard = this.#timers.set(this.#onBusyGuard, this.#busyGuardMs);
  }

  /** The BUSY guard's handler, made once: arming it on every command allocates no closure. */
  readonly #onBusyGuard = (): void => {
    this.#guard = undefined;
    if (this.#waiting) this.#fail("busy", `sx1262: waited ${this.#busyGuardMs} ms for ${this.#waitingFor}${this.#waitingStep}; BUSY reads ${this.#busy.read() ? "high" : "low"}`);
  };


  #busyFell(): void {
    if (this.#closed || !this.#waiting || this.#resetting) return;
    const at = this.#clock.microseconds();
    this.#waiting = false;
    this.#timers.clear(this.#guard);
    this.#guard = undefined;
    const settled = this.#settled;
    this.#settled = undefined;
    if (settled) settled(at);
    this.#pump();
  }

  /** NRESET low for a timer tick (≥ 100 µs, §8.1), then wait for the start-up to end with BUSY falling. */
  #pulseReset(): void {
    this.#resetting = true;
    this.#waiting = true;
    this.#waitingFor = "the reset";
    this.#waitingStep = "";
    this.#asleep = false;
    this.#reset.write(0);
    this.#timers.clear(this.#guard);
    this.#guard = this.#timers.set(() => {
      this.#guard = undefined;
      this.#resetting = false;
      // The chip holds BUSY high in reset (Table 8-3) and through the start-up that follows.
      const busy = this.#busy.read();
      this.#reset.write(1);
      if (busy === 0) {
        this.#fail("bus", "sx1262: BUSY reads low with NRESET held low: no chip, or BUSY or NRESET not wired");
        return;
      }
      this.#await("BUSY to fall after the reset (start-up and calibration)", "");
    }, RESET_LOW_MS);
  }

  #fail(kind: LoraRadioError["kind"], text: string): void {
    const error: LoraRadioError = { kind, message: text };
    this.#timers.clear(this.#guard);
    this.#guard = undefined;
    this.#waiting = false;
    this.#resetting = false;
    this.#settled = undefined;
    this.#steps = [];
    this.#needsStart = true; // the next operation starts over with a reset
    const op = this.#op;
    if (op) {
      this.#abort(op, error);
      return;
    }
    const onError = this.#onError;
    if (onError) this.#timers.set(() => onError(error), 0);
  }

  /** Callbacks always run on a later turn, never inside a public method. */
  #deliver(op: Operation, error: LoraRadioError | undefined, result: LoraTxResult | LoraRxResult | undefined): void {
    this.#timers.set(() => {
      if (op.kind === "tx") op.tx!(error, result as LoraTxResult | undefined);
      else op.rx!(error, result as LoraRxResult | undefined);
    }, 0);
  }

  // ------------------------------------------------------------------ encoding

  #write(op: Operation | undefined, what: string, ...bytes: number[]): Step {
    return { kind: "write", bytes: Uint8Array.from(bytes), what, op };
  }

  /**
   * A one-byte register write; a function value is read when the command goes out, not when it is queued. `what`
   * names the step whole ("WriteRegister(…)"), a constant: no string is built per command.
   */
  #writeRegister(op: Operation | undefined, address: number, value: number | (() => number), what: string): Step {
    const step = this.#write(op, what, OP_WRITE_REGISTER, address >> 8, address & 0xff, typeof value === "number" ? value & 0xff : 0);
    if (typeof value === "function") {
      step.prepare = (bytes) => {
        bytes[3] = value() & 0xff;
      };
    }
    return step;
  }

  #readRegister(address: number, length: number, then: (value: Uint8Array) => void): Step {
    const bytes = new Uint8Array(4 + length);
    bytes[0] = OP_READ_REGISTER;
    bytes[1] = address >> 8;
    bytes[2] = address & 0xff;
    return { kind: "read", bytes, what: `ReadRegister(0x${hex(address, 4)})`, op: undefined, then: (rx) => then(rx.subarray(4)) };
  }

  #modulation(p: LoraModulation): Modulation {
    if (!p || typeof p !== "object") throw new TypeError("sx1262: modulation parameters required");
    const band = IMAGE_BANDS[this.#config.band];
    const f = p.frequencyHz;
    if (typeof f !== "number" || !(f >= band[0] * 1e6 && f <= band[1] * 1e6)) {
      throw new RangeError(`sx1262: frequencyHz ${String(f)} is outside the module's band ${this.#config.band} MHz (option "band")`);
    }
    // SF5/SF6 (the SX126x's own, with a different preamble sync) are outside LoRaWAN and the shared airtime formula.
    if (!Number.isInteger(p.sf) || p.sf < 7 || p.sf > 12) throw new RangeError(`sx1262: sf must be 7…12, got ${String(p.sf)}`);
    bandwidthCode(p.bandwidthHz); // throws naming the bandwidth
    if (!Number.isInteger(p.codingRate) || p.codingRate < 5 || p.codingRate > 8) throw new RangeError(`sx1262: codingRate must be 5…8 (4/5…4/8), got ${String(p.codingRate)}`);
    if (!Number.isInteger(p.preamble) || p.preamble < 1 || p.preamble > 0xffff) throw new RangeError(`sx1262: preamble must be 1…65535 symbols, got ${String(p.preamble)}`);
    return {
      frequencyHz: f,
      sf: p.sf,
      bandwidthHz: p.bandwidthHz,
      codingRate: p.codingRate,
      preamble: p.preamble,
      invertIq: p.invertIq === true,
      crc: p.crc === true,
      lowDataRateOptimize: lowDataRateOptimizeNeeded(p.sf, p.bandwidthHz),
    };
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("sx1262: closed");
  }
}

interface Modulation {
  frequencyHz: number;
  sf: number;
  bandwidthHz: number;
  codingRate: number;
  preamble: number;
  invertIq: boolean;
  crc: boolean;
  lowDataRateOptimize: boolean;
}

function sameRx(a: Readonly<LoraRxParams>, b: LoraRxParams): boolean {
  return (
    a.frequencyHz === b.frequencyHz &&
    a.sf === b.sf &&
    a.bandwidthHz === b.bandwidthHz &&
    a.codingRate === b.codingRate &&
    a.preamble === b.preamble &&
    a.invertIq === b.invertIq &&
    a.crc === b.crc &&
    a.timeoutSymbols === b.timeoutSymbols
  );
}

function validateConfig(c: SX1262Config): void {
  if (!Object.prototype.hasOwnProperty.call(IMAGE_BANDS, c.band)) {
    throw new RangeError(`sx1262: band must be one of ${Object.keys(IMAGE_BANDS).join(", ")} MHz (CalibrateImage bands), got ${String(c.band)}`);
  }
  if (c.tcxoVolts !== 0) tcxoCode(c.tcxoVolts);
  if (typeof c.tcxoStartUs !== "number" || !(c.tcxoStartUs >= 0) || rtcSteps(c.tcxoStartUs) > 0xffffff) {
    throw new RangeError(`sx1262: tcxoStartUs must be 0…262 s in µs, got ${String(c.tcxoStartUs)}`);
  }
  if (c.regulator !== "dcdc" && c.regulator !== "ldo") throw new RangeError(`sx1262: regulator must be "dcdc" or "ldo", got ${String(c.regulator)}`);
  paSetting(c.maxPowerDbm);
  if (c.network !== "public" && c.network !== "private") throw new RangeError(`sx1262: network must be "public" or "private", got ${String(c.network)}`);
}

/** µs → RTC steps of 15.625 µs, rounded up. */
function rtcSteps(us: number): number {
  return Math.ceil((us * 1000) / RTC_STEP_NS);
}

function hex(n: number, digits: number): string {
  return n.toString(16).padStart(digits, "0");
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
