/**
 * Semtech SX1262 as an SPI target: the command decoder, state machine, BUSY/DIO1 timing, air interface and supply
 * current of the chip, in virtual time.
 *
 * - Commands (DS.SX1261-2 §11, §13): one NSS-framed transaction each; the chip clocks its status byte out on every
 *   byte that carries no data. Write commands raise BUSY (as an engine event, like the chip's T_SW after NSS rises)
 *   for their processing time: the Table 8-2 switching time for a mode change (plus the TCXO start-up from
 *   STDBY_RC), 3.5 ms for Calibrate, COMMAND_BUSY_US otherwise. Read commands do not.
 * - A transaction while BUSY is high is dropped: the datasheet only says the host must wait (§8.3.1), and the chip
 *   silently loses such commands in the field (lora-rs PR #427); `dropped` counts them. A command the chip cannot run
 *   in its mode (SetSleep outside STDBY, SetRegulatorMode/SetPacketType/Calibrate outside STDBY_RC, TX/RX when the
 *   32 MHz reference does not start) reports "failure to execute" (5) in the next status byte; an unknown opcode or
 *   a bad parameter "command processing error" (4).
 * - Sleep: BUSY held high; the next transaction's NSS edge wakes the chip (its bytes are lost), 340 µs warm start
 *   with the configuration kept except the RX gain register (§9.6: it returns to power-saving gain unless the host
 *   put its address in the register retention list at 0x029F), 3.5 ms cold start back to the reset configuration. NRESET held low ≥ 100 µs (§8.1)
 *   resets it; the start-up after it (and at power-on) takes the cold-start time.
 * - TX: SetTx raises BUSY until the preamble starts; the frame goes on the air (the simulator's RadioChannel, which
 *   decides who hears it, how strongly, and what collides) and TxDone rises on DIO1 one time on air later (§6.1.4,
 *   runtime/link/lorawan/airtime.ts), or Timeout if SetTx's timeout ends first. RX: SetRx raises BUSY until the
 *   receiver is up; it keeps a frame whose preamble starts while it listens, or started at most (preamble −
 *   LOCK_SYMBOLS) symbols before (a receiver opened late still detects the symbols left), on the same channel (carriers within a
 *   quarter of the bandwidth: an assumption, channel plans are 200 kHz apart), SF, bandwidth, IQ polarity, sync word
 *   and explicit header, before the symbol timeout (SetLoRaSymbNumTimeout) or SetRx's RTC timeout (which stops at
 *   the end of a valid header) expire; RxDone rises at the frame's last symbol, with CrcErr when the channel says the
 *   frame was not decodable and it carries a CRC (HeaderErr when it carries none). Frames without SX126x details
 *   (a gateway's) count as public LoRaWAN with an explicit header. Afterwards the chip goes to its fallback mode
 *   (STDBY_RC unless SetRxTxFallbackMode).
 * - Errata (§15): the model counts operations run without the datasheet's workarounds (IQ polarity 15.4, TX
 *   modulation 15.1, TX clamp 15.2) in `workaroundsMissing`, without inventing their effect on the air.
 * - Current (Tables 3-5, 3-6, 25 °C, 3.3 V): each state's typical figure, by regulator (DC-DC/LDO) and RX gain, the
 *   TX current by PA configuration and output power; `residency()` gives time and charge per state for an energy
 *   estimate.
 * Not modelled: GFSK and LR-FHSS, SF5/SF6, CAD, RX duty cycle, instantaneous RSSI, implicit-header reception,
 *   registers other than RX gain dropped by a warm sleep.
 */
import type { EventHandle, Engine, Micros } from "../../simulator/core/engine.js";
import type { SPITarget } from "../../simulator/core/buses/spi.js";
import type { DigitalLine } from "../../simulator/core/io/lines.js";
import { airtimeMicros, lowDataRateOptimizeNeeded, symbolMicros } from "../../runtime/link/lorawan/airtime.js";
import type { LoraAirFrame, Position, RadioChannel, RadioReceiver, Reception } from "../../simulator/core/radio/channel.js";
import { onChannel } from "../../simulator/core/radio/channel.js";
import {
  CALIBRATE_ALL_US,
  CHIP_MODE_FS,
  CHIP_MODE_RX,
  CHIP_MODE_STDBY_RC,
  CHIP_MODE_STDBY_XOSC,
  CHIP_MODE_TX,
  CMD_STATUS_DATA_AVAILABLE,
  CMD_STATUS_EXEC_FAILURE,
  CMD_STATUS_PROCESSING_ERROR,
  CMD_STATUS_TIMEOUT,
  CMD_STATUS_TX_DONE,
  COMMAND_BUSY_US,
  DEVICE_ERROR_XOSC_START,
  FALLBACK_FS,
  FALLBACK_STDBY_RC,
  FALLBACK_STDBY_XOSC,
  FS_TO_RX_US,
  FS_TO_TX_US,
  HEADER_IMPLICIT,
  IRQ_CRC_ERR,
  IRQ_HEADER_ERR,
  IRQ_HEADER_VALID,
  IRQ_PREAMBLE_DETECTED,
  IRQ_RX_DONE,
  IRQ_TIMEOUT,
  IRQ_TX_DONE,
  OP_CALIBRATE,
  OP_CALIBRATE_IMAGE,
  OP_CLEAR_DEVICE_ERRORS,
  OP_CLEAR_IRQ_STATUS,
  OP_GET_DEVICE_ERRORS,
  OP_GET_IRQ_STATUS,
  OP_GET_PACKET_STATUS,
  OP_GET_PACKET_TYPE,
  OP_GET_RX_BUFFER_STATUS,
  OP_GET_STATUS,
  OP_READ_BUFFER,
  OP_READ_REGISTER,
  OP_SET_BUFFER_BASE_ADDRESS,
  OP_SET_DIO2_AS_RF_SWITCH_CTRL,
  OP_SET_DIO3_AS_TCXO_CTRL,
  OP_SET_DIO_IRQ_PARAMS,
  OP_SET_FS,
  OP_SET_LORA_SYMB_NUM_TIMEOUT,
  OP_SET_MODULATION_PARAMS,
  OP_SET_PA_CONFIG,
  OP_SET_PACKET_PARAMS,
  OP_SET_PACKET_TYPE,
  OP_SET_REGULATOR_MODE,
  OP_SET_RF_FREQUENCY,
  OP_SET_RX,
  OP_SET_RX_TX_FALLBACK_MODE,
  OP_SET_SLEEP,
  OP_SET_STANDBY,
  OP_SET_TX,
  OP_SET_TX_PARAMS,
  OP_WRITE_BUFFER,
  OP_WRITE_REGISTER,
  PA_DEVICE_SX1262,
  PA_SETTINGS,
  PACKET_TYPE_GFSK,
  PACKET_TYPE_LORA,
  RC_TO_FS_US,
  RC_TO_RX_US,
  RC_TO_TX_US,
  RC_TO_XOSC_US,
  REG_IQ_POLARITY,
  REG_LORA_SYNC_WORD,
  REG_LORA_SYNCH_TIMEOUT,
  REG_OCP,
  REG_RX_GAIN,
  REG_TX_CLAMP_CONFIG,
  REG_TX_MODULATION,
  REGULATOR_DCDC,
  RESET_PULSE_US,
  RTC_STEP_NS,
  RX_CONTINUOUS,
  RX_GAIN_BOOSTED,
  RX_GAIN_POWER_SAVING,
  RX_SINGLE,
  RX_TO_FS_US,
  RX_TO_TX_US,
  SLEEP_RTC,
  SLEEP_WARM,
  STDBY_XOSC,
  SYNC_WORD_PRIVATE,
  SYNC_WORD_PUBLIC,
  TCXO_VOLTS,
  TX_CLAMP_MASK,
  WAKE_COLD_US,
  WAKE_WARM_US,
  XOSC_TO_FS_US,
  XOSC_TO_RX_US,
  XOSC_TO_TX_US,
  bandwidthHz,
  isReadCommand,
  statusByte,
  stepsToFrequency,
  symbolTimeoutCode,
  symbolTimeoutSymbols,
} from "./registers.js";

export type ChipMode = "reset" | "sleep" | "stdby-rc" | "stdby-xosc" | "fs" | "rx" | "tx";

/**
 * Typical supply currents, mA, at 25 °C and VBAT 3.3 V, TCXO and RF switch excluded (DS.SX1261-2 Table 3-5 for the
 * receive-side states, Table 3-6 for the SX1262's transmitter at 868/915 MHz; the datasheet's 490 MHz rows, the CN470
 * band, were not in the sources read). The PA runs from VBAT, so the regulator does not change the TX figures.
 */
export const SX1262_CURRENTS = Object.freeze({
  sleepCold: 0.00016,
  sleepWarm: 0.0006,
  sleepWarmRtc: 0.0012,
  stdbyRc: 0.6,
  /** Table 3-5 gives 0.8 mA for STDBY_XOSC; no LDO figure was found, so both regulators use it. */
  stdbyXosc: 0.8,
  fs: Object.freeze({ dcdc: 2.1, ldo: 3.55 }),
  rx: Object.freeze({ dcdc: 4.6, ldo: 8.8 }),
  rxBoosted: Object.freeze({ dcdc: 5.3, ldo: 10.1 }),
  /** PA configured for +22 dBm (paDutyCycle 4, hpMax 7): output dBm → mA; the model interpolates between rows. */
  txFullPa: Object.freeze([Object.freeze([14, 90] as const), Object.freeze([17, 95] as const), Object.freeze([20, 102] as const), Object.freeze([22, 118] as const)]),
  /** PA configured for a lower maximum (Table 13-21's other rows), at that maximum. */
  txReducedPa: Object.freeze({ 20: 84, 17: 58, 14: 45 } as const),
});

/** TX current at `dbm` output with the PA configured for +22 dBm, mA: Table 3-6's rows, interpolated between them. */
export function fullPaTxMilliamps(dbm: number): number {
  const table = SX1262_CURRENTS.txFullPa;
  if (dbm <= table[0]![0]) return table[0]![1]; // below +14 dBm the datasheet gives no figure: hold the lowest
  for (let i = 1; i < table.length; i++) {
    const [d1, m1] = table[i]!;
    const [d0, m0] = table[i - 1]!;
    if (dbm <= d1) return m0 + ((m1 - m0) * (dbm - d0)) / (d1 - d0);
  }
  return table[table.length - 1]![1];
}

export interface SX1262ModelOptions {
  engine: Engine;
  busy: DigitalLine;
  dio1: DigitalLine;
  reset: DigitalLine;
  /** The air (the simulator's RadioChannel); without one, frames go nowhere and nothing is heard. */
  air?: LoraAir;
  /** Name on the air (the channel keys positions and links by it). */
  name?: string;
  /** Where the antenna is (default: the origin, 1.5 m up). */
  position?: Position;
  /** The board's TCXO on DIO3, V; absent for a crystal. The driver must program the same supply. */
  tcxoVolts?: number;
}

export interface StateResidency {
  state: string;
  milliamps: number;
  us: number;
  milliampSeconds: number;
}

/** The part of the radio channel a transceiver uses: put frames on the air, and be heard from. */
export type LoraAir = Pick<RadioChannel, "transmit" | "listen">;

/** What an SX126x puts on the air beyond what the channel needs; receiving SX126x models check it. */
export interface SX126xAirFrame extends LoraAirFrame {
  readonly syncWord: number;
  readonly explicitHeader: boolean;
  readonly lowDataRateOptimize: boolean;
  /** Cut off by SetTx's timeout: no receiver can finish it. */
  readonly truncated: boolean;
}

/**
 * Receiver noise figure, dB, implied by the datasheet: sensitivity −137 dBm at SF12/125 kHz in boosted gain
 * (Table 3-8) = −174 dBm/Hz + 10·log10(125 kHz) + NF + SNR floor −20 dB (§6.1.2) gives NF ≈ 6 dB.
 */
export const SX1262_NOISE_FIGURE_DB = 6;
/** Preamble symbols a receiver opened late must still hear to lock (an assumption: LoRaMac-node's default minimum). */
const LOCK_SYMBOLS = 6;
/** §9.6: the register retention list (how many, then their addresses) that a warm sleep keeps beyond its default. */
const REG_RETENTION_LIST = 0x029f;

/** Register reset values the driver relies on (Table 12-1, §15.2); unlisted registers read 0x00. */
function resetRegisters(): Map<number, number> {
  return new Map<number, number>([
    [REG_LORA_SYNC_WORD, SYNC_WORD_PRIVATE >> 8],
    [REG_LORA_SYNC_WORD + 1, SYNC_WORD_PRIVATE & 0xff],
    [REG_OCP, 0x18],
    [REG_RX_GAIN, RX_GAIN_POWER_SAVING],
    [REG_TX_CLAMP_CONFIG, 0x08], // bits 4:1 = 0100
  ]);
}

export class SX1262Model implements SPITarget, RadioReceiver {
  readonly name: string;
  readonly position: Position;
  readonly noiseFigureDb = SX1262_NOISE_FIGURE_DB;
  readonly #engine: Engine;
  readonly #busy: DigitalLine;
  readonly #dio1: DigitalLine;
  readonly #air: LoraAir | undefined;
  readonly #boardTcxo: number | undefined;

  // ---------------------------------------------------------------- counters (tests, traces)
  transactions = 0;
  /** Transactions sent while BUSY was high: lost. */
  dropped = 0;
  /** Transactions in an SPI mode other than 0 (§8.2): garbage. */
  badSpiMode = 0;
  /** Commands that ended with status 4 or 5. */
  rejected = 0;
  /** Opcodes this model does not implement, answered with status 4. */
  readonly unmodelled: number[] = [];
  framesSent = 0;
  framesReceived = 0;
  /** Frames whose preamble went by while the receiver was not listening (or busy with another). */
  framesMissed = 0;
  /** Frames heard while listening but on another channel, SF, bandwidth, IQ or sync word. */
  framesIgnored = 0;
  resetGlitches = 0;
  readonly workaroundsMissing = { iqPolarity: 0, txModulation: 0, txClamp: 0, lowDataRateOptimize: 0 };
  /** Every frame this chip put on the air. */
  readonly sent: SX126xAirFrame[] = [];

  // ---------------------------------------------------------------- chip state
  #mode: ChipMode = "reset";
  #gen = 0;
  #busyUntil: Micros = 0;
  #cmdStatus = 1;
  #resetLow = false;
  #resetDone = false;
  #sleepWarm = true;
  #sleepRtc = false;

  #registers = resetRegisters();
  #buffer = new Uint8Array(256);
  #packetType = PACKET_TYPE_GFSK;
  #freqSteps = 0;
  #sf = 7;
  #bwCode = 0x04;
  #cr = 1;
  #ldro = 0;
  #preamble = 8;
  #headerType = 0;
  #payloadLength = 0;
  #crcOn = 1;
  #invertIq = 0;
  #txBase = 0;
  #rxBase = 0;
  #irqMask = 0;
  #dio1Mask = 0;
  #irq = 0;
  #powerDbm = 0;
  #paDuty = 0x04;
  #hpMax = 0x07;
  #deviceSel = 0x01;
  #regulator = 0;
  #rfSwitch = false;
  #tcxoCode: number | undefined;
  #tcxoDelaySteps = 0;
  #fallback = FALLBACK_STDBY_RC;
  #deviceErrors = 0;
  #rxLength = 0;
  #rxStart = 0;
  #rssiPkt = 0;
  #snrPkt = 0;

  // ---------------------------------------------------------------- radio activity
  #listening = false;
  /** Frames whose preamble started while this receiver was not listening: one may still be caught (#listen). */
  #passing: LoraAirFrame[] = [];
  #continuous = false;
  #rtcTimeoutAt: Micros = Infinity;
  /** The frame the receiver locked on at its preamble. */
  #locked: LoraAirFrame | undefined;
  #radioEvents: EventHandle[] = [];
  #dio1Scheduled = false;

  // ---------------------------------------------------------------- supply current
  #state = "reset";
  #milliamps: number = SX1262_CURRENTS.stdbyRc;
  #since: Micros = 0;
  readonly #ledger = new Map<string, { milliamps: number; us: number; milliampSeconds: number }>();

  constructor(options: SX1262ModelOptions) {
    this.#engine = options.engine;
    this.#busy = options.busy;
    this.#dio1 = options.dio1;
    this.#air = options.air;
    this.name = options.name ?? "sx1262";
    this.position = options.position ?? { x: 0, y: 0, height: 1.5 };
    this.#boardTcxo = options.tcxoVolts;
    if (options.tcxoVolts !== undefined && !TCXO_VOLTS.includes(options.tcxoVolts)) {
      throw new RangeError(`sx1262 model: tcxoVolts must be one of ${TCXO_VOLTS.join(", ")} V, got ${options.tcxoVolts}`);
    }
    this.#since = this.#engine.now;
    // The chip drives BUSY and DIO1 from power-on: BUSY high through the start-up, DIO1 low.
    this.#busy.driven = true;
    this.#dio1.driven = true;
    this.#busy.set(1);
    this.#dio1.set(0);
    options.reset.listen((level) => this.#nreset(level));
    this.#startUp(this.#engine.now);
    this.#air?.listen(this);
  }

  // ---------------------------------------------------------------- observation

  get mode(): ChipMode {
    return this.#mode;
  }

  /** What the chip draws now, mA. */
  get milliamps(): number {
    return this.#milliamps;
  }

  /** The label of the current supply state ("RX", "TX +14 dBm", "sleep (warm)", …). */
  get supplyState(): string {
    return this.#state;
  }

  get frequencyHz(): number {
    return stepsToFrequency(this.#freqSteps);
  }

  get irq(): number {
    return this.#irq;
  }

  get deviceErrors(): number {
    return this.#deviceErrors;
  }

  get rfSwitchOnDio2(): boolean {
    return this.#rfSwitch;
  }

  register(address: number): number {
    return this.#registers.get(address) ?? 0;
  }

  /** Time and charge per supply state since power-on, up to now. */
  residency(): StateResidency[] {
    this.#account(this.#engine.now);
    return [...this.#ledger].map(([state, r]) => ({ state, milliamps: r.milliamps, us: r.us, milliampSeconds: r.milliampSeconds }));
  }

  // ---------------------------------------------------------------- SPI

  exchange(tx: Uint8Array, mode: number): Uint8Array {
    const now = this.#engine.now;
    const rx = new Uint8Array(tx.length).fill(0xff); // MISO floats high when nothing drives it
    this.transactions++;
    if (this.#resetLow) return rx;
    if (this.#mode === "reset") {
      this.dropped++; // the start-up holds BUSY high
      return rx;
    }
    if (this.#mode === "sleep") {
      this.#wake(now);
      return rx;
    }
    if (mode !== 0) {
      this.badSpiMode++;
      return rx;
    }
    rx.fill(this.#status());
    if (now < this.#busyUntil) {
      this.dropped++;
      return rx;
    }
    if (tx.length === 0) return rx;
    const opcode = tx[0]!;
    if (isReadCommand(opcode)) {
      this.#read(opcode, tx, rx);
      return rx;
    }
    const busyUs = this.#execute(opcode, tx, now);
    if (busyUs === CMD_STATUS_EXEC_FAILURE_MARK || busyUs === CMD_STATUS_PROCESSING_ERROR_MARK) {
      this.#cmdStatus = busyUs === CMD_STATUS_EXEC_FAILURE_MARK ? CMD_STATUS_EXEC_FAILURE : CMD_STATUS_PROCESSING_ERROR;
      this.rejected++;
      this.#busyFor(COMMAND_BUSY_US);
    } else if (busyUs !== SLEEPING_MARK) {
      this.#cmdStatus = 1;
      this.#busyFor(busyUs);
    }
    return rx;
  }

  #status(): number {
    const code =
      this.#mode === "tx" ? CHIP_MODE_TX : this.#mode === "rx" ? CHIP_MODE_RX : this.#mode === "fs" ? CHIP_MODE_FS : this.#mode === "stdby-xosc" ? CHIP_MODE_STDBY_XOSC : CHIP_MODE_STDBY_RC;
    return statusByte(code, this.#cmdStatus);
  }

  #read(opcode: number, tx: Uint8Array, rx: Uint8Array): void {
    switch (opcode) {
      case OP_GET_STATUS:
        return;
      case OP_GET_IRQ_STATUS:
        put(rx, 2, this.#irq >> 8, this.#irq & 0xff);
        return;
      case OP_GET_RX_BUFFER_STATUS:
        put(rx, 2, this.#rxLength, this.#rxStart);
        return;
      case OP_GET_PACKET_STATUS:
        put(rx, 2, this.#rssiPkt, this.#snrPkt, this.#rssiPkt);
        return;
      case OP_GET_PACKET_TYPE:
        put(rx, 2, this.#packetType);
        return;
      case OP_GET_DEVICE_ERRORS:
        put(rx, 2, this.#deviceErrors >> 8, this.#deviceErrors & 0xff);
        return;
      case OP_READ_REGISTER: {
        const address = ((tx[1] ?? 0) << 8) | (tx[2] ?? 0);
        for (let i = 4; i < rx.length; i++) rx[i] = this.register((address + i - 4) & 0xffff);
        return;
      }
      case OP_READ_BUFFER: {
        const offset = tx[1] ?? 0;
        for (let i = 3; i < rx.length; i++) rx[i] = this.#buffer[(offset + i - 3) & 0xff]!;
        return;
      }
    }
    this.#unmodelled(opcode); // GetRssiInst, GetStats
    this.#cmdStatus = CMD_STATUS_PROCESSING_ERROR;
    this.rejected++;
    rx.fill(this.#status(), 2);
  }

  /** Run a write command; returns BUSY's duration, or a mark for a rejected command or sleep. */
  #execute(opcode: number, tx: Uint8Array, now: Micros): number {
    const p = (i: number): number => tx[i] ?? 0;
    const mode = this.#mode;
    switch (opcode) {
      case OP_SET_SLEEP:
        if (mode !== "stdby-rc" && mode !== "stdby-xosc") return CMD_STATUS_EXEC_FAILURE_MARK;
        this.#enterSleep((p(1) & SLEEP_WARM) !== 0, (p(1) & SLEEP_RTC) !== 0, now);
        return SLEEPING_MARK;
      case OP_SET_STANDBY: {
        const xosc = p(1) === STDBY_XOSC;
        this.#stopRadio();
        if (xosc) {
          if (!this.#xoscStarts()) return CMD_STATUS_EXEC_FAILURE_MARK;
          const us = mode === "stdby-rc" ? RC_TO_XOSC_US + this.#tcxoUs() : COMMAND_BUSY_US;
          this.#setMode("stdby-xosc", now);
          return us;
        }
        this.#setMode("stdby-rc", now);
        return COMMAND_BUSY_US;
      }
      case OP_SET_FS: {
        if (!this.#xoscStarts()) return CMD_STATUS_EXEC_FAILURE_MARK;
        const us = mode === "stdby-rc" ? RC_TO_FS_US + this.#tcxoUs() : mode === "stdby-xosc" ? XOSC_TO_FS_US : mode === "rx" ? RX_TO_FS_US : COMMAND_BUSY_US;
        this.#stopRadio();
        this.#setMode("fs", now);
        return us;
      }
      case OP_SET_TX:
        return this.#setTx((p(1) << 16) | (p(2) << 8) | p(3), now);
      case OP_SET_RX:
        return this.#setRx((p(1) << 16) | (p(2) << 8) | p(3), now);
      case OP_SET_REGULATOR_MODE:
        if (mode !== "stdby-rc") return CMD_STATUS_EXEC_FAILURE_MARK;
        this.#regulator = p(1) & 1;
        return COMMAND_BUSY_US;
      case OP_CALIBRATE:
        if (mode !== "stdby-rc") return CMD_STATUS_EXEC_FAILURE_MARK;
        return CALIBRATE_ALL_US; // the datasheet gives the total for all blocks only
      case OP_CALIBRATE_IMAGE:
        if (mode !== "stdby-rc") return CMD_STATUS_EXEC_FAILURE_MARK;
        return COMMAND_BUSY_US;
      case OP_SET_PA_CONFIG:
        this.#paDuty = p(1) & 7;
        this.#hpMax = p(2) & 7;
        this.#deviceSel = p(3) & 1;
        this.#registers.set(REG_OCP, this.#deviceSel === PA_DEVICE_SX1262 ? 0x38 : 0x18);
        return COMMAND_BUSY_US;
      case OP_SET_RX_TX_FALLBACK_MODE:
        if (p(1) !== FALLBACK_FS && p(1) !== FALLBACK_STDBY_XOSC && p(1) !== FALLBACK_STDBY_RC) return CMD_STATUS_PROCESSING_ERROR_MARK;
        this.#fallback = p(1);
        return COMMAND_BUSY_US;
      case OP_WRITE_REGISTER: {
        const address = (p(1) << 8) | p(2);
        for (let i = 3; i < tx.length; i++) this.#registers.set((address + i - 3) & 0xffff, tx[i]!);
        return COMMAND_BUSY_US;
      }
      case OP_WRITE_BUFFER: {
        const offset = p(1);
        for (let i = 2; i < tx.length; i++) this.#buffer[(offset + i - 2) & 0xff] = tx[i]!;
        return COMMAND_BUSY_US;
      }
      case OP_SET_DIO_IRQ_PARAMS:
        this.#irqMask = ((p(1) << 8) | p(2)) & 0x03ff;
        this.#dio1Mask = ((p(3) << 8) | p(4)) & 0x03ff;
        this.#updateDio1();
        return COMMAND_BUSY_US;
      case OP_CLEAR_IRQ_STATUS:
        this.#irq &= ~((p(1) << 8) | p(2));
        this.#updateDio1();
        return COMMAND_BUSY_US;
      case OP_SET_DIO2_AS_RF_SWITCH_CTRL:
        this.#rfSwitch = (p(1) & 1) === 1;
        return COMMAND_BUSY_US;
      case OP_SET_DIO3_AS_TCXO_CTRL:
        if (p(1) > 7) return CMD_STATUS_PROCESSING_ERROR_MARK;
        this.#tcxoCode = p(1);
        this.#tcxoDelaySteps = (p(2) << 16) | (p(3) << 8) | p(4);
        return COMMAND_BUSY_US;
      case OP_SET_RF_FREQUENCY:
        this.#freqSteps = ((p(1) << 24) >>> 0) + ((p(2) << 16) | (p(3) << 8) | p(4));
        return COMMAND_BUSY_US;
      case OP_SET_PACKET_TYPE:
        if (mode !== "stdby-rc") return CMD_STATUS_EXEC_FAILURE_MARK;
        if (p(1) > 1) return CMD_STATUS_PROCESSING_ERROR_MARK;
        this.#packetType = p(1);
        return COMMAND_BUSY_US;
      case OP_SET_TX_PARAMS:
        this.#powerDbm = p(1) >= 128 ? p(1) - 256 : p(1);
        return COMMAND_BUSY_US;
      case OP_SET_MODULATION_PARAMS:
        if (this.#packetType !== PACKET_TYPE_LORA) {
          this.#unmodelled(opcode); // GFSK parameters
          return CMD_STATUS_PROCESSING_ERROR_MARK;
        }
        if (p(1) < 5 || p(1) > 12 || bandwidthHz(p(2)) === undefined || p(3) < 1 || p(3) > 4 || p(4) > 1) return CMD_STATUS_PROCESSING_ERROR_MARK;
        if (p(1) < 7) {
          this.#unmodelled(opcode); // SF5/SF6: the shared airtime formula covers SF7…12 only
          return CMD_STATUS_PROCESSING_ERROR_MARK;
        }
        this.#sf = p(1);
        this.#bwCode = p(2);
        this.#cr = p(3);
        this.#ldro = p(4);
        return COMMAND_BUSY_US;
      case OP_SET_PACKET_PARAMS:
        if (this.#packetType !== PACKET_TYPE_LORA) {
          this.#unmodelled(opcode);
          return CMD_STATUS_PROCESSING_ERROR_MARK;
        }
        this.#preamble = (p(1) << 8) | p(2);
        this.#headerType = p(3) & 1;
        this.#payloadLength = p(4);
        this.#crcOn = p(5) & 1;
        this.#invertIq = p(6) & 1;
        return COMMAND_BUSY_US;
      case OP_SET_BUFFER_BASE_ADDRESS:
        this.#txBase = p(1);
        this.#rxBase = p(2);
        return COMMAND_BUSY_US;
      case OP_SET_LORA_SYMB_NUM_TIMEOUT:
        // The command sets the modem's mantissa-exponent register, rounding up (REG_LORA_SYNCH_TIMEOUT).
        this.#registers.set(REG_LORA_SYNCH_TIMEOUT, p(1) === 0 ? 0 : symbolTimeoutCode(p(1)).register);
        return COMMAND_BUSY_US;
      case OP_CLEAR_DEVICE_ERRORS:
        this.#deviceErrors = 0;
        return COMMAND_BUSY_US;
    }
    this.#unmodelled(opcode);
    return CMD_STATUS_PROCESSING_ERROR_MARK;
  }

  #unmodelled(opcode: number): void {
    if (!this.unmodelled.includes(opcode)) this.unmodelled.push(opcode);
  }

  // ---------------------------------------------------------------- TX

  #setTx(timeout: number, now: Micros): number {
    if (this.#packetType !== PACKET_TYPE_LORA) {
      this.#unmodelled(OP_SET_TX);
      return CMD_STATUS_EXEC_FAILURE_MARK;
    }
    if (!this.#xoscStarts()) return CMD_STATUS_EXEC_FAILURE_MARK;
    const from = this.#mode;
    const us =
      from === "stdby-rc" ? RC_TO_TX_US + this.#tcxoUs() : from === "stdby-xosc" ? XOSC_TO_TX_US : from === "fs" ? FS_TO_TX_US : from === "rx" ? RX_TO_TX_US : COMMAND_BUSY_US;
    this.#stopRadio();
    this.#checkTxWorkarounds();
    this.#setMode("tx", now);
    const start = now + us;
    const timeoutAt = timeout === 0 ? Infinity : now + rtcUs(timeout);
    this.#radioAt(start, () => this.#startTx(start, timeoutAt));
    return us;
  }

  #startTx(start: Micros, timeoutAt: Micros): void {
    const length = this.#payloadLength;
    const payload = new Uint8Array(length);
    for (let i = 0; i < length; i++) payload[i] = this.#buffer[(this.#txBase + i) & 0xff]!;
    const sf = this.#sf;
    const bw = bandwidthHz(this.#bwCode)!;
    const air = {
      sf,
      bandwidthHz: bw,
      codingRate: this.#cr + 4,
      preamble: this.#preamble,
      explicitHeader: this.#headerType !== HEADER_IMPLICIT,
      crc: this.#crcOn === 1,
      lowDataRateOptimize: this.#ldro === 1,
    };
    const end = start + airtimeMicros({ ...air, payloadBytes: length });
    const truncated = timeoutAt < end;
    const frame: SX126xAirFrame = {
      ...air,
      sender: this.name,
      payload,
      frequencyHz: this.frequencyHz,
      invertIq: this.#invertIq === 1,
      syncWord: this.#syncWord(),
      powerDbm: this.#outputDbm(),
      startUs: start,
      endUs: truncated ? timeoutAt : end,
      truncated,
    };
    this.sent.push(frame);
    this.framesSent++;
    this.#air?.transmit(frame);
    this.#radioAt(frame.endUs, () => {
      this.#cmdStatus = truncated ? CMD_STATUS_TIMEOUT : CMD_STATUS_TX_DONE;
      this.#raise(truncated ? IRQ_TIMEOUT : IRQ_TX_DONE);
      this.#fallBack();
    });
  }

  #checkTxWorkarounds(): void {
    const wide = this.#bwCode === 0x06;
    if (((this.register(REG_TX_MODULATION) & 0x04) !== 0) === wide) this.workaroundsMissing.txModulation++;
    if ((this.register(REG_TX_CLAMP_CONFIG) & TX_CLAMP_MASK) !== TX_CLAMP_MASK) this.workaroundsMissing.txClamp++;
    this.#checkLdro();
  }

  #checkLdro(): void {
    if ((this.#ldro === 1) !== lowDataRateOptimizeNeeded(this.#sf, bandwidthHz(this.#bwCode)!)) this.workaroundsMissing.lowDataRateOptimize++;
  }

  /** Output power, dBm: the PA row's maximum less what SetTxParams takes off +22 dBm (Table 13-21). */
  #outputDbm(): number {
    return this.#powerDbm - (22 - this.#paRow());
  }

  #paRow(): number {
    for (const row of PA_SETTINGS) if (row.paDutyCycle === this.#paDuty && row.hpMax === this.#hpMax) return row.maxDbm;
    return 22; // an untabulated PA setting: counted as the full PA
  }

  #txMilliamps(): number {
    const row = this.#paRow();
    if (row !== 22) return SX1262_CURRENTS.txReducedPa[row as 14 | 17 | 20];
    return fullPaTxMilliamps(this.#outputDbm());
  }

  // ---------------------------------------------------------------- RX

  #setRx(timeout: number, now: Micros): number {
    if (this.#packetType !== PACKET_TYPE_LORA) {
      this.#unmodelled(OP_SET_RX);
      return CMD_STATUS_EXEC_FAILURE_MARK;
    }
    if (!this.#xoscStarts()) return CMD_STATUS_EXEC_FAILURE_MARK;
    const from = this.#mode;
    const us = from === "stdby-rc" ? RC_TO_RX_US + this.#tcxoUs() : from === "stdby-xosc" ? XOSC_TO_RX_US : from === "fs" ? FS_TO_RX_US : COMMAND_BUSY_US;
    this.#stopRadio();
    if (((this.register(REG_IQ_POLARITY) & 0x04) === 0) !== (this.#invertIq === 1)) this.workaroundsMissing.iqPolarity++;
    this.#checkLdro();
    this.#setMode("rx", now);
    const listenAt = now + us;
    this.#radioAt(listenAt, () => this.#listen(listenAt, timeout));
    return us;
  }

  #listen(at: Micros, timeout: number): void {
    this.#listening = true;
    // A receiver that opens after a preamble started still detects it from the symbols left, if enough are: the
    // datasheet gives no figure, so LOCK_SYMBOLS is LoRaMac-node's minimum for detection (the same 6 the emulated
    // window checks use). Later than that the frame is missed.
    for (const frame of this.#passing) {
      const lateSymbols = (at - frame.startUs) / symbolMicros(frame.sf, frame.bandwidthHz);
      if (lateSymbols >= 0 && lateSymbols <= frame.preamble - LOCK_SYMBOLS) {
        this.#lock(frame);
        if (this.#locked === frame) break;
      }
    }
    this.#continuous = timeout === RX_CONTINUOUS;
    const rtcAt = timeout === RX_SINGLE || this.#continuous ? Infinity : at + rtcUs(timeout);
    this.#rtcTimeoutAt = rtcAt;
    // A valid header moves #rtcTimeoutAt to Infinity: the timer then ends without a Timeout.
    if (rtcAt !== Infinity) this.#radioAt(rtcAt, () => {
      if (this.#rtcTimeoutAt === rtcAt) this.#rxTimeout();
    });
    const symbols = symbolTimeoutSymbols(this.register(REG_LORA_SYNCH_TIMEOUT));
    if (symbols > 0 && !this.#continuous) {
      const symbolsEnd = at + Math.ceil(symbols * symbolMicros(this.#sf, bandwidthHz(this.#bwCode)!));
      this.#radioAt(symbolsEnd, () => {
        if (!this.#locked) this.#rxTimeout();
      });
    }
  }

  #rxTimeout(): void {
    if (this.#mode !== "rx") return;
    this.#cmdStatus = CMD_STATUS_TIMEOUT;
    this.#raise(IRQ_TIMEOUT);
    this.#fallBack();
  }

  /** A frame's preamble reaches the antenna (the channel calls this at its start): lock on it if listening for it. */
  onPreamble(frame: LoraAirFrame): void {
    if (this.#mode !== "rx" || !this.#listening || this.#locked) {
      if (this.#locked) this.framesMissed++;
      else this.#passing.push(frame);
      return;
    }
    this.#lock(frame);
  }

  /** Lock on a frame if it is what the receiver listens for. */
  #lock(frame: LoraAirFrame): void {
    const x = frame as LoraAirFrame & Partial<SX126xAirFrame>;
    const bw = bandwidthHz(this.#bwCode)!;
    // Frames from radios that do not say (a gateway's concentrator) are public LoRaWAN with an explicit header.
    const same =
      onChannel(frame.frequencyHz, this.frequencyHz, bw) &&
      frame.sf === this.#sf &&
      frame.bandwidthHz === bw &&
      frame.invertIq === (this.#invertIq === 1) &&
      (x.syncWord ?? SYNC_WORD_PUBLIC) === this.#syncWord() &&
      (x.explicitHeader ?? true) &&
      this.#headerType !== HEADER_IMPLICIT;
    if (!same) {
      this.framesIgnored++;
      return;
    }
    this.#locked = frame;
    this.#raise(IRQ_PREAMBLE_DETECTED);
    // The explicit header is the 8 symbols after the preamble and its 4.25-symbol sync.
    const headerEnd = frame.startUs + Math.ceil(((4 * frame.preamble + 17 + 32) * symbolMicros(frame.sf, frame.bandwidthHz)) / 4);
    if (headerEnd >= frame.endUs) return; // cut off inside the header (a TX timeout): it ends as a header error
    this.#radioAt(headerEnd, () => {
      if (this.#locked !== frame) return;
      this.#rtcTimeoutAt = Infinity; // a valid header stops the RX timer (§13.1.5)
      this.#raise(IRQ_HEADER_VALID);
    });
  }

  /**
   * The frame ends at this receiver with the channel's verdict. A frame that is not decodable (below the SF's SNR
   * floor, spoiled by a collision, cut short) fails its payload CRC when it carries one; without one the model
   * reports a header error instead of inventing bytes (an assumption: the explicit header has a checksum of its own).
   */
  onFrameEnd(reception: Reception): void {
    const frame = reception.frame as LoraAirFrame & Partial<SX126xAirFrame>;
    const passing = this.#passing.indexOf(reception.frame);
    if (passing >= 0) {
      this.#passing.splice(passing, 1);
      if (this.#locked !== reception.frame) this.framesMissed++;
    }
    if (this.#locked !== reception.frame) return;
    this.#locked = undefined;
    const spoiled = !reception.decodable || frame.truncated === true;
    if (spoiled && !frame.crc) {
      this.#raise(IRQ_HEADER_ERR);
    } else {
      const start = this.#rxBase;
      for (let i = 0; i < frame.payload.length; i++) this.#buffer[(start + i) & 0xff] = frame.payload[i]!;
      this.#rxLength = frame.payload.length;
      this.#rxStart = start;
      // GetPacketStatus encodings (§13.5.3): RSSI as −2·dBm, SNR as a signed count of quarter dB.
      this.#rssiPkt = clampByte(Math.round(-2 * reception.rssiDbm));
      this.#snrPkt = Math.max(-128, Math.min(127, Math.round(4 * reception.snrDb))) & 0xff;
      this.framesReceived++;
      this.#cmdStatus = CMD_STATUS_DATA_AVAILABLE;
      this.#raise(IRQ_RX_DONE | (spoiled ? IRQ_CRC_ERR : 0));
    }
    if (!this.#continuous) this.#fallBack();
  }

  #syncWord(): number {
    return (this.register(REG_LORA_SYNC_WORD) << 8) | this.register(REG_LORA_SYNC_WORD + 1);
  }

  // ---------------------------------------------------------------- modes, BUSY, DIO1

  /** BUSY high now (an engine event, after the transaction) for `us`. */
  #busyFor(us: Micros): void {
    const gen = this.#gen;
    const now = this.#engine.now;
    this.#busyUntil = now + us;
    this.#engine.at(now, () => {
      if (gen === this.#gen) this.#busy.set(1);
    });
    this.#engine.at(now + us, () => {
      if (gen === this.#gen && this.#engine.now >= this.#busyUntil) this.#busy.set(0);
    });
  }

  /** Does the 32 MHz reference start? With a TCXO on the board, only when DIO3 supplies it at its voltage. */
  #xoscStarts(): boolean {
    const board = this.#boardTcxo;
    const driven = this.#tcxoCode === undefined ? undefined : TCXO_VOLTS[this.#tcxoCode];
    if (board === driven) return true;
    this.#deviceErrors |= DEVICE_ERROR_XOSC_START;
    return false;
  }

  #tcxoUs(): number {
    return this.#tcxoCode === undefined ? 0 : rtcUs(this.#tcxoDelaySteps);
  }

  #fallBack(): void {
    this.#stopRadio();
    const now = this.#engine.now;
    this.#setMode(this.#fallback === FALLBACK_FS ? "fs" : this.#fallback === FALLBACK_STDBY_XOSC ? "stdby-xosc" : "stdby-rc", now);
  }

  #stopRadio(): void {
    for (const e of this.#radioEvents) this.#engine.cancel(e);
    this.#radioEvents = [];
    this.#listening = false;
    this.#continuous = false;
    this.#locked = undefined;
    this.#rtcTimeoutAt = Infinity;
  }

  #radioAt(at: Micros, fn: () => void): void {
    this.#radioEvents.push(this.#engine.at(at, fn));
  }

  #raise(bits: number): void {
    this.#irq |= bits & this.#irqMask;
    this.#updateDio1();
  }

  /** DIO1 follows the IRQs mapped to it, set in its own engine turn so no edge fires inside a transaction. */
  #updateDio1(): void {
    if (this.#dio1Scheduled) return;
    this.#dio1Scheduled = true;
    const gen = this.#gen;
    this.#engine.at(this.#engine.now, () => {
      this.#dio1Scheduled = false;
      if (gen !== this.#gen) return;
      this.#dio1.set(this.#mode !== "sleep" && this.#mode !== "reset" && (this.#irq & this.#dio1Mask) !== 0 ? 1 : 0);
    });
  }

  /** §9.6: the register retention list, a count at 0x029F then up to 4 big-endian addresses from 0x02A0. */
  #retained(address: number): boolean {
    const count = Math.min(this.register(REG_RETENTION_LIST), 4);
    for (let i = 0; i < count; i++) {
      if (((this.register(REG_RETENTION_LIST + 1 + 2 * i) << 8) | this.register(REG_RETENTION_LIST + 2 + 2 * i)) === address) return true;
    }
    return false;
  }

  #enterSleep(warm: boolean, rtc: boolean, now: Micros): void {
    this.#stopRadio();
    this.#gen++;
    this.#sleepWarm = warm;
    this.#sleepRtc = rtc;
    this.#setMode("sleep", now);
    // In sleep BUSY is held high and the DIOs pulled down (Table 8-3).
    this.#engine.at(now, () => {
      this.#busy.set(1);
      this.#dio1.set(0);
    });
  }

  #wake(now: Micros): void {
    this.#gen++;
    const warm = this.#sleepWarm;
    if (!warm) this.#coldConfiguration();
    else if (!this.#retained(REG_RX_GAIN)) this.#registers.set(REG_RX_GAIN, RX_GAIN_POWER_SAVING);
    this.#setMode("stdby-rc", now);
    const us = warm ? WAKE_WARM_US : WAKE_COLD_US;
    this.#busyUntil = now + us;
    const gen = this.#gen;
    this.#engine.at(now + us, () => {
      if (gen !== this.#gen) return;
      this.#busy.set(0);
      this.#updateDio1();
    });
  }

  #nreset(level: number): void {
    const now = this.#engine.now;
    if (level === 0) {
      if (this.#resetLow) return;
      this.#resetLow = true;
      this.#resetDone = false;
      const gen = ++this.#gen;
      this.#engine.at(now + RESET_PULSE_US, () => {
        if (gen !== this.#gen || !this.#resetLow) return;
        this.#resetDone = true;
        this.#stopRadio();
        this.#coldConfiguration();
        this.#setMode("reset", this.#engine.now);
        this.#busy.set(1);
        this.#dio1.set(0);
      });
      return;
    }
    if (!this.#resetLow) return;
    this.#resetLow = false;
    if (!this.#resetDone) {
      this.resetGlitches++; // shorter than the datasheet's 100 µs: nothing happened
      this.#gen++;
      return;
    }
    this.#startUp(now);
  }

  /** Power-on or the end of a reset: BUSY high for the cold start-up, then STDBY_RC. */
  #startUp(now: Micros): void {
    const gen = ++this.#gen;
    this.#setMode("reset", now);
    this.#busyUntil = now + WAKE_COLD_US;
    if (this.#boardTcxo !== undefined) this.#deviceErrors |= DEVICE_ERROR_XOSC_START; // §13.3.6: expected at POR
    this.#engine.at(now + WAKE_COLD_US, () => {
      if (gen !== this.#gen) return;
      this.#setMode("stdby-rc", this.#engine.now);
      this.#busy.set(0);
    });
  }

  /** What a cold start or a reset leaves: the reset configuration, an empty buffer. */
  #coldConfiguration(): void {
    this.#registers = resetRegisters();
    this.#buffer = new Uint8Array(256);
    this.#packetType = PACKET_TYPE_GFSK;
    this.#freqSteps = 0;
    this.#sf = 7;
    this.#bwCode = 0x04;
    this.#cr = 1;
    this.#ldro = 0;
    this.#preamble = 8;
    this.#headerType = 0;
    this.#payloadLength = 0;
    this.#crcOn = 1;
    this.#invertIq = 0;
    this.#txBase = 0;
    this.#rxBase = 0;
    this.#irqMask = 0;
    this.#dio1Mask = 0;
    this.#irq = 0;
    this.#powerDbm = 0;
    this.#paDuty = 0x04;
    this.#hpMax = 0x07;
    this.#deviceSel = 0x01;
    this.#regulator = 0;
    this.#rfSwitch = false;
    this.#tcxoCode = undefined;
    this.#tcxoDelaySteps = 0;
    this.#fallback = FALLBACK_STDBY_RC;
    this.#cmdStatus = 1;
  }

  // ---------------------------------------------------------------- supply current

  #setMode(mode: ChipMode, at: Micros): void {
    this.#mode = mode;
    const dcdc = this.#regulator === REGULATOR_DCDC;
    const c = SX1262_CURRENTS;
    let state: string;
    let ma: number;
    switch (mode) {
      case "sleep":
        state = !this.#sleepWarm ? "sleep (cold)" : this.#sleepRtc ? "sleep (warm, RTC)" : "sleep (warm)";
        ma = !this.#sleepWarm ? c.sleepCold : this.#sleepRtc ? c.sleepWarmRtc : c.sleepWarm;
        break;
      case "reset":
        // No figure in the datasheet for reset and start-up: counted at STDBY_RC's.
        state = "reset/start-up";
        ma = c.stdbyRc;
        break;
      case "stdby-rc":
        state = "STDBY_RC";
        ma = c.stdbyRc;
        break;
      case "stdby-xosc":
        state = "STDBY_XOSC";
        ma = c.stdbyXosc;
        break;
      case "fs":
        state = "FS";
        ma = dcdc ? c.fs.dcdc : c.fs.ldo;
        break;
      case "rx": {
        const boosted = this.register(REG_RX_GAIN) === RX_GAIN_BOOSTED;
        state = boosted ? "RX boosted" : "RX";
        ma = boosted ? (dcdc ? c.rxBoosted.dcdc : c.rxBoosted.ldo) : dcdc ? c.rx.dcdc : c.rx.ldo;
        break;
      }
      case "tx":
        state = `TX ${signed(this.#outputDbm())} dBm (PA row +${this.#paRow()} dBm)`;
        ma = this.#txMilliamps();
        break;
    }
    this.#account(at);
    this.#state = state;
    this.#milliamps = ma;
  }

  #account(at: Micros): void {
    const us = at - this.#since;
    if (us > 0) {
      let r = this.#ledger.get(this.#state);
      if (!r) {
        r = { milliamps: this.#milliamps, us: 0, milliampSeconds: 0 };
        this.#ledger.set(this.#state, r);
      }
      r.us += us;
      r.milliampSeconds += (this.#milliamps * us) / 1e6;
    }
    this.#since = at;
  }
}

// Marks returned by #execute in place of a BUSY duration (durations are ≥ 0).
const CMD_STATUS_EXEC_FAILURE_MARK = -1;
const CMD_STATUS_PROCESSING_ERROR_MARK = -2;
const SLEEPING_MARK = -3;

function rtcUs(steps: number): number {
  return Math.round((steps * RTC_STEP_NS) / 1000);
}

function put(rx: Uint8Array, at: number, ...bytes: number[]): void {
  for (let i = 0; i < bytes.length && at + i < rx.length; i++) rx[at + i] = bytes[i]! & 0xff;
}

function clampByte(n: number): number {
  return Math.max(0, Math.min(255, n));
}

function signed(n: number): string {
  return n >= 0 ? `+${n}` : String(n);
}
