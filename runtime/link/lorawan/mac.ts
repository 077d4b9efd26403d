/**
 * The LoRaWAN 1.0.4 class A MAC for CN470-510, as device code: OTAA join (or ABP), confirmed and unconfirmed
 * uplinks with NbTrans retransmission, the two receive windows, downlink checks (MIC, 32-bit FCnt, replay), MAC
 * commands and ADR with its ADRACKReq back-off. "L2 1.0.4" is TS001-1.0.4; "RP §2.7" is RP001-1.0.3revA's CN470
 * section (see region-cn470.ts).
 *
 * Timing. Class A windows are counted from the end of the uplink (L2 1.0.4 §3.3): RX1 opens RECEIVE_DELAY1 after
 * it, RX2 RECEIVE_DELAY2 after it (JOIN_ACCEPT_DELAY1/2 for a Join-Request). The radio reports TxDone with the host
 * microsecond clock read in its interrupt. Right then the MAC has the radio prepare RX1 (configuration sent ahead,
 * kept through warm sleep), and right after RX1 it prepares RX2, so that at the window the host sends one command
 * from one timer handler: a timer `wake()`s the radio WAKE_LEAD_US early, and another calls `receive()` where
 * rx-window.ts puts it for the system's timing error (`timingErrorUs`, from the manifest's window budget): early by
 * the radio's set-up (and by part of a symbol where the error needs it), with a symbol timeout that covers the error
 * on both sides.
 *
 * One transaction at a time: a join attempt or an uplink with its retransmissions owns the radio until its last
 * window closes. Every wait is a host timer, so virtual time can jump.
 */
import type { Ciphers, Clock, Timers, TimerHandle } from "../../../hal/host.js";
import type { LoraRadio, LoraRadioError, LoraRxParams, LoraRxResult, LoraTxParams, LoraTxResult } from "./radio.js";
import { FCtrl, FrameCrypto, MAX_FOPTS, le24, le32, putLe32, type DataDown } from "./frame.js";
import { Cid, MacAnswers, downlinkCommandLength } from "./mac-commands.js";
import {
  CN470,
  CN470_DATA_RATES,
  CN470_DEFAULTS,
  ChannelMask,
  isValidRxFrequency,
  rx1DataRate,
  rx1FrequencyHz,
  txPowerDbm,
  uplinkFrequencyHz,
} from "./region-cn470.js";
import type { LorawanStore } from "./store.js";
import { symbolMicros } from "./airtime.js";
import { rxWindowPlan } from "./rx-window.js";

/**
 * How long before a window's `receive()` the radio is woken: its wake-up plus room for the host's handlers and timer
 * ticks in between, so the window's own handler finds it awake (STDBY_RC for these milliseconds costs ~0.6 mA).
 */
const WAKE_LEAD_US = 20_000;
/** L2 1.0.4 §4.3.1.1 ADR_ACK_CNT saturates rather than wraps. */
const ADR_ACK_CNT_MAX = 0xffff;
const US_PER_HOUR = 3_600_000_000;

export interface OtaaKeys {
  /** DevEUI and JoinEUI (AppEUI before 1.0.4), 8 bytes each, most significant byte first as printed on labels. */
  devEui: Uint8Array;
  joinEui: Uint8Array;
  /** AppKey, 16 bytes. */
  appKey: Uint8Array;
}

export interface AbpKeys {
  devAddr: number;
  nwkSKey: Uint8Array;
  appSKey: Uint8Array;
}

export interface LorawanMacOptions {
  radio: LoraRadio;
  timer: Timers;
  clock: Clock;
  /** Uniform in [0, 1): channel choice and retransmission delays (seeded in the simulator). */
  random: () => number;
  /** The host's AES (`host.cipher`): frame encryption, MICs and session keys. */
  cipher: Ciphers;
  store: LorawanStore;
  /** Exactly one of `otaa` and `abp`. */
  otaa?: OtaaKeys;
  abp?: AbpKeys;
  /** Let the network drive the data rate (L2 1.0.4 §4.3.1.1). Default true. */
  adr?: boolean;
  /** Data rate of Join-Requests, and of uplinks until the network changes it (ABP). Default DR0. */
  dataRate?: number;
  /** Antenna gain, to turn the region's EIRP into conducted power; default 2.15 dBi (a half-wave dipole). */
  antennaGainDbi?: number;
  /** DevStatusAns battery: 0 external power, 1…254 level, 255 unknown (L2 1.0.4 §5). Default: 255. */
  battery?: () => number;
  /**
   * The system's maximum receive window opening error either side of its aim, µs (Semtech's `rxError`: the host's
   * clock and timer resolution, its handler's time): the window's offset and symbol timeout cover it
   * (rx-window.ts). Default 2000.
   */
  timingErrorUs?: number;
}

export interface LorawanMacEvents {
  onJoined?: () => void;
  onDownlink?: (port: number, payload: Uint8Array) => void;
  /** A rejected frame or other fault; the MAC counts it and keeps running. */
  onError?: (error: Error) => void;
  onLinkCheck?: (marginDb: number, gateways: number) => void;
}

/** Completion of one uplink: undefined when delivered (acknowledged if confirmed), a failure otherwise. */
export type UplinkDone = (failure: { reason: string; retry: boolean } | undefined) => void;

export interface LorawanMacStats {
  joinRequests: number;
  joinAccepts: number;
  /** Join-Accepts whose MIC failed under the AppKey. */
  joinAcceptBadMic: number;
  uplinks: number;
  retransmissions: number;
  acks: number;
  noAck: number;
  downlinks: number;
  /** Downlinks for this DevAddr whose MIC failed. */
  badMic: number;
  /** Downlinks whose FCnt was not above the last accepted one. */
  replays: number;
  /** Downlinks for another DevAddr (normal on a shared channel; not an error). */
  otherDevice: number;
  malformed: number;
  rxWindows: number;
  rxTimeouts: number;
  /** Windows whose start had passed before the MAC could open them. */
  missedWindows: number;
  radioErrors: number;
  macCommands: number;
  unknownMacCommands: number;
  airtimeUs: number;
}

/** Receive window settings for one transaction. */
interface Windows {
  delay1Ms: number;
  delay2Ms: number;
  rx1FrequencyHz: number;
  rx1DataRate: number;
  rx2FrequencyHz: number;
  rx2DataRate: number;
}

interface Uplink {
  port: number;
  payload: Uint8Array;
  confirmed: boolean;
  done: UplinkDone;
  transmissions: number;
  acked: boolean;
  /** A valid class A downlink came in one of this uplink's windows. */
  answered: boolean;
}

/** Serialized session (see #saveSession): version, DevAddr, keys, counters, radio parameters, channel mask. */
const SESSION_VERSION = 1;
export const SESSION_BYTES = 72;

export class LorawanMac {
  readonly stats: LorawanMacStats = {
    joinRequests: 0,
    joinAccepts: 0,
    joinAcceptBadMic: 0,
    uplinks: 0,
    retransmissions: 0,
    acks: 0,
    noAck: 0,
    downlinks: 0,
    badMic: 0,
    replays: 0,
    otherDevice: 0,
    malformed: 0,
    rxWindows: 0,
    rxTimeouts: 0,
    missedWindows: 0,
    radioErrors: 0,
    macCommands: 0,
    unknownMacCommands: 0,
    airtimeUs: 0,
  };
  readonly #o: LorawanMacOptions;
  readonly #adr: boolean;
  readonly #antennaGainCentiDbi: number;
  readonly #timingErrorUs: number;
  readonly #crypto: FrameCrypto;
  readonly #answers = new MacAnswers();
  readonly #tx = new Uint8Array(256);
  readonly #fOpts = new Uint8Array(MAX_FOPTS);
  readonly #nwkSKey = new Uint8Array(16);
  readonly #appSKey = new Uint8Array(16);
  readonly #mask = new ChannelMask();
  readonly #maskScratch = new ChannelMask();
  #events: LorawanMacEvents = {};

  #started = false;
  #closed = false;
  #joined = false;
  #busy = false;
  #timer: TimerHandle | undefined;

  // Session state (L2 1.0.4 §6.1.2 and the MAC parameters commands change).
  #devAddr = 0;
  #fCntUp = 0;
  /** Last accepted FCntDown, −1 before the first downlink of the session. */
  #fCntDown = -1;
  #dataRate: number;
  #txPowerIndex = 0;
  #nbTrans = 1;
  #rx1DrOffset = 0;
  #rx2DataRate: number = CN470.rx2DataRate;
  #rx2FrequencyHz: number = CN470.rx2FrequencyHz;
  #receiveDelay1Ms: number = CN470_DEFAULTS.receiveDelay1Ms;
  /** DutyCycleReq MaxDCycle: aggregated duty cycle 1/2^n (0: no limit). */
  #maxDutyCycle = 0;
  #adrAckCnt = 0;
  /** A confirmed downlink is waiting for its ACK bit in the next uplink. */
  #ackPending = false;
  #nextTxAllowedUs = 0;

  // Join state.
  #devNonce = 0;
  #joinStartUs = 0;
  /** §7 back-off period of the last Join-Request (−1: none yet) and the airtime spent in it. */
  #joinPeriod = -1;
  #joinPeriodAirUs = 0;

  // The transaction in progress.
  #uplink: Uplink | undefined;
  #windows: Windows | undefined;
  #txEndUs = 0;
  #lastAirtimeUs = 0;
  #channel = 0;
  #lastSnrDb = 0;

  constructor(options: LorawanMacOptions) {
    if (!options.otaa === !options.abp) throw new Error("LoRaWAN: give exactly one of otaa and abp");
    this.#crypto = new FrameCrypto(options.cipher);
    if (options.otaa) {
      const k = options.otaa;
      if (k.devEui.length !== 8) throw new RangeError(`LoRaWAN: devEui must be 8 bytes, got ${k.devEui.length}`);
      if (k.joinEui.length !== 8) throw new RangeError(`LoRaWAN: joinEui must be 8 bytes, got ${k.joinEui.length}`);
      if (k.appKey.length !== 16) throw new RangeError(`LoRaWAN: appKey must be 16 bytes, got ${k.appKey.length}`);
      this.#crypto.setRootKey(k.appKey);
    }
    if (options.abp) {
      const k = options.abp;
      if (k.nwkSKey.length !== 16) throw new RangeError(`LoRaWAN: nwkSKey must be 16 bytes, got ${k.nwkSKey.length}`);
      if (k.appSKey.length !== 16) throw new RangeError(`LoRaWAN: appSKey must be 16 bytes, got ${k.appSKey.length}`);
    }
    const dr = options.dataRate ?? CN470.minDataRate;
    if (!(dr >= CN470.minDataRate && dr <= CN470.maxDataRate && dr === Math.floor(dr))) {
      throw new RangeError(`LoRaWAN: dataRate must be DR${CN470.minDataRate}…DR${CN470.maxDataRate}, got ${dr}`);
    }
    this.#o = options;
    this.#dataRate = dr;
    this.#adr = options.adr ?? true;
    this.#antennaGainCentiDbi = Math.round((options.antennaGainDbi ?? 2.15) * 100);
    const timingErrorUs = options.timingErrorUs ?? 2000;
    if (!(timingErrorUs >= 0 && Number.isFinite(timingErrorUs))) throw new RangeError(`LoRaWAN: timingErrorUs must be 0 or more µs, got ${String(timingErrorUs)}`);
    this.#timingErrorUs = timingErrorUs;
  }

  get joined(): boolean {
    return this.#joined;
  }
  /** A join attempt or an uplink owns the radio. */
  get busy(): boolean {
    return this.#busy;
  }
  get devAddr(): number {
    return this.#devAddr;
  }
  get fCntUp(): number {
    return this.#fCntUp;
  }
  get fCntDown(): number {
    return this.#fCntDown;
  }
  get dataRate(): number {
    return this.#dataRate;
  }
  get txPowerIndex(): number {
    return this.#txPowerIndex;
  }
  get nbTrans(): number {
    return this.#nbTrans;
  }
  get adrAckCnt(): number {
    return this.#adrAckCnt;
  }
  get channelMask(): ChannelMask {
    return this.#mask;
  }
  /** The DevNonce of the last Join-Request. */
  get devNonce(): number {
    return this.#devNonce;
  }

  /** Largest application payload an uplink can carry now: N of the data rate less the MAC answers waiting for FOpts. */
  get maxPayload(): number {
    return CN470_DATA_RATES[this.#dataRate]!.maxAppPayload - this.#answers.fitting(MAX_FOPTS);
  }

  /** What `maxPayload` would be at the region's fastest data rate (ADR may take the node there). */
  get largestPayload(): number {
    return CN470_DATA_RATES[CN470.maxDataRate]!.maxAppPayload - this.#answers.fitting(MAX_FOPTS);
  }

  /** Resume the saved session, take the ABP one, or start joining. */
  start(events: LorawanMacEvents): void {
    if (this.#started) throw new Error("LoRaWAN: start called twice");
    this.#started = true;
    this.#events = events;
    this.#joinStartUs = this.#o.clock.microseconds();
    if (this.#restoreSession()) {
      this.#becomeJoined();
      return;
    }
    const abp = this.#o.abp;
    if (abp) {
      this.#devAddr = abp.devAddr >>> 0;
      this.#nwkSKey.set(abp.nwkSKey);
      this.#appSKey.set(abp.appSKey);
      this.#crypto.setSession({ devAddr: this.#devAddr, nwkSKey: this.#nwkSKey, appSKey: this.#appSKey });
      this.#saveSession();
      this.#becomeJoined();
      return;
    }
    this.#busy = true;
    this.#joinAttempt();
  }

  /** Ask the network for a LinkCheckAns with the next uplink (L2 1.0.4 §5). */
  requestLinkCheck(): void {
    this.#answers.push(1, Cid.LinkCheck);
  }

  /**
   * Send one uplink. Throws when not joined, busy, or the payload does not fit (the caller splits; nothing is
   * truncated). `done` is called once, after the last receive window of the last transmission.
   */
  send(port: number, payload: Uint8Array, confirmed: boolean, done: UplinkDone): void {
    if (this.#closed) throw new Error("LoRaWAN: closed");
    if (!this.#joined) throw new Error("LoRaWAN: not joined yet");
    if (this.#busy) throw new Error("LoRaWAN: an uplink is in progress");
    if (!(port >= 1 && port <= 223 && port === Math.floor(port))) throw new RangeError(`LoRaWAN: FPort must be 1…223, got ${port}`);
    const max = this.maxPayload;
    if (payload.length > max) throw new RangeError(`LoRaWAN: payload of ${payload.length} bytes exceeds ${max} at DR${this.#dataRate}`);
    this.#busy = true;
    this.#uplink = { port, payload, confirmed, done, transmissions: 0, acked: false, answered: false };
    this.#newUplinkAdr();
    this.#transmitUplink();
  }

  /** Stop: cancel timers, put the radio to sleep, fail the uplink in progress (retry true). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#o.timer.clear(this.#timer);
    this.#timer = undefined;
    this.#o.radio.sleep();
    const up = this.#uplink;
    this.#uplink = undefined;
    this.#busy = false;
    if (up) up.done({ reason: "LoRaWAN link closed", retry: true });
  }

  // ───────────────────────────────────────────── join (L2 1.0.4 §6.2)

  #joinAttempt(): void {
    if (this.#closed) return;
    let nonce: number;
    try {
      nonce = this.#o.store.takeDevNonce();
    } catch (e) {
      this.#busy = false;
      this.#error(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    this.#devNonce = nonce;
    const otaa = this.#o.otaa!;
    const n = this.#crypto.buildJoinRequest(this.#tx, otaa.joinEui, otaa.devEui, nonce);
    // L2 1.0.4 §6.2.5 / RP §2.7.2: a random channel among all 96; DR from the options (the lowest by default).
    this.#channel = this.#randomChannel(this.#mask, true);
    const dr = this.#dataRate;
    this.#windows = {
      delay1Ms: CN470_DEFAULTS.joinAcceptDelay1Ms,
      delay2Ms: CN470_DEFAULTS.joinAcceptDelay2Ms,
      rx1FrequencyHz: rx1FrequencyHz(this.#channel),
      rx1DataRate: rx1DataRate(dr, 0),
      rx2FrequencyHz: CN470.rx2FrequencyHz,
      rx2DataRate: CN470.rx2DataRate,
    };
    this.stats.joinRequests++;
    this.#transmit(n, dr, 0);
  }

  /** A frame in a join window: true when it was our Join-Accept. */
  #onJoinFrame(frame: LoraRxResult): boolean {
    const accept = this.#crypto.readJoinAccept(frame.payload);
    if (typeof accept === "string") {
      if (accept === "mic") {
        this.stats.joinAcceptBadMic++;
        this.#error(new Error(`LoRaWAN: Join-Accept (${frame.payload.length} bytes) failed its MIC under the AppKey; ignored`));
      } else if (accept !== "mtype") {
        this.stats.malformed++;
        this.#error(new Error(`LoRaWAN: Join-Accept of ${frame.payload.length} bytes is malformed (${accept}); ignored`));
      }
      return false;
    }
    this.stats.joinAccepts++;
    this.#crypto.deriveSessionKeys(accept, this.#devNonce, this.#nwkSKey, this.#appSKey);
    this.#devAddr = accept.devAddr;
    this.#crypto.setSession({ devAddr: accept.devAddr, nwkSKey: this.#nwkSKey, appSKey: this.#appSKey });
    this.#fCntUp = 0;
    this.#fCntDown = -1;
    // DLSettings (L2 1.0.4 §6.2.6): offsets the region does not allow fall back to the defaults.
    this.#rx1DrOffset = accept.rx1DrOffset <= CN470.maxRx1DrOffset ? accept.rx1DrOffset : 0;
    this.#rx2DataRate = accept.rx2DataRate <= CN470.maxDataRate ? accept.rx2DataRate : CN470.rx2DataRate;
    this.#rx2FrequencyHz = CN470.rx2FrequencyHz;
    this.#receiveDelay1Ms = accept.rxDelayS * 1000;
    this.#mask.enableAll();
    if (accept.cfListAt >= 0 && !this.#mask.applyCfList(accept.plain, accept.cfListAt)) {
      this.#error(new Error("LoRaWAN: Join-Accept CFList is not a CN470 channel-mask list (type 1, some channel on); all channels kept"));
    }
    this.#txPowerIndex = 0;
    this.#nbTrans = 1;
    this.#maxDutyCycle = 0;
    this.#adrAckCnt = 0;
    this.#ackPending = false;
    this.#answers.clear();
    this.#saveSession();
    return true;
  }

  #joinFailed(): void {
    // §7 retransmission back-off: the aggregated Join-Request airtime may be at most 36 s in the first hour after
    // start, 36 s in the next 10 hours and 8.7 s per 24 h after that. Each attempt is held to the matching duty
    // cycle (1 %, 0.1 %, 0.01 %) so attempts spread over the period, a period's budget is checked before it is
    // spent, and a random 1–3 s on top gives every device its own sequence, as §7 requires.
    const now = this.#o.clock.microseconds();
    const start = this.#joinStartUs;
    const airtime = this.#lastAirtimeUs;
    const txStart = this.#txEndUs - airtime;
    const dutyReady = txStart + airtime * joinPeriod(txStart - start).dutyDivisor;
    let at = now + this.#retransmitDelayMs() * 1000;
    if (dutyReady > at) at = dutyReady;
    for (let tries = 0; tries < 3; tries++) {
      const p = joinPeriod(at - start);
      const used = p.index === this.#joinPeriod ? this.#joinPeriodAirUs : 0;
      if (used + airtime <= p.budgetUs) break;
      at = start + p.endUs + this.#retransmitDelayMs() * 1000;
    }
    this.#after(at - now, () => this.#joinAttempt());
  }

  /** Count a Join-Request's airtime against the §7 period it started in. */
  #countJoinAirtime(txStartUs: number, airtimeUs: number): void {
    const p = joinPeriod(txStartUs - this.#joinStartUs);
    if (p.index !== this.#joinPeriod) {
      this.#joinPeriod = p.index;
      this.#joinPeriodAirUs = 0;
    }
    this.#joinPeriodAirUs += airtimeUs;
  }

  // ───────────────────────────────────────────── uplinks (L2 1.0.4 §4)

  /** ADR bookkeeping for a new FCnt (L2 1.0.4 §4.3.1.1; retransmissions do not count). */
  #newUplinkAdr(): void {
    if (!this.#adr) return;
    const limit = CN470_DEFAULTS.adrAckLimit;
    const delay = CN470_DEFAULTS.adrAckDelay;
    const cnt = this.#adrAckCnt;
    if (cnt >= limit + delay && (cnt - limit) % delay === 0) {
      // No downlink for ADR_ACK_LIMIT + k·ADR_ACK_DELAY uplinks: regain the link one step at a time — default
      // (maximum) power first, then one data rate lower per ADR_ACK_DELAY, then NbTrans 1 with every channel on
      // (fixed channel plan), as Table 9 of §4.3.1.1 shows.
      if (this.#txPowerIndex !== 0) this.#txPowerIndex = 0;
      else if (this.#dataRate > CN470.minDataRate) this.#dataRate--;
      else {
        this.#nbTrans = 1;
        this.#mask.enableAll();
      }
    }
  }

  #uplinkFCtrl(): number {
    let f = 0;
    if (this.#adr) {
      f |= FCtrl.ADR;
      if (this.#adrAckCnt >= CN470_DEFAULTS.adrAckLimit) f |= FCtrl.ADR_ACK_REQ;
    }
    if (this.#ackPending) f |= FCtrl.ACK;
    return f;
  }

  #transmitUplink(): void {
    const up = this.#uplink;
    if (!up || this.#closed) return;
    const now = this.#o.clock.microseconds();
    if (now < this.#nextTxAllowedUs) {
      // DutyCycleReq (L2 1.0.4 §5): hold the transmission until the off-time has passed.
      this.#after(this.#nextTxAllowedUs - now, () => this.#transmitUplink());
      return;
    }
    const nOpts = this.#answers.fitting(MAX_FOPTS);
    this.#answers.copy(this.#fOpts, nOpts);
    const n = this.#crypto.buildUplink(this.#tx, {
      confirmed: up.confirmed,
      fCtrl: this.#uplinkFCtrl(),
      fCnt: this.#fCntUp,
      fOpts: this.#fOpts,
      fOptsLength: nOpts,
      port: up.port,
      payload: up.payload,
    });
    this.#answers.sent(nOpts);
    this.#ackPending = false;
    if (up.transmissions === 0) {
      this.stats.uplinks++;
      if (this.#adrAckCnt < ADR_ACK_CNT_MAX) this.#adrAckCnt++;
    } else this.stats.retransmissions++;
    up.transmissions++;
    this.#channel = this.#randomChannel(this.#mask, false);
    const dr = this.#dataRate;
    this.#windows = {
      delay1Ms: this.#receiveDelay1Ms,
      delay2Ms: this.#receiveDelay1Ms + 1000,
      rx1FrequencyHz: rx1FrequencyHz(this.#channel),
      rx1DataRate: rx1DataRate(dr, this.#rx1DrOffset),
      rx2FrequencyHz: this.#rx2FrequencyHz,
      rx2DataRate: this.#rx2DataRate,
    };
    this.#transmit(n, dr, this.#txPowerIndex);
  }

  /** A frame in an uplink's window: true when it was a valid downlink for this session. */
  #onDataFrame(frame: LoraRxResult): boolean {
    const down = this.#readDownlink(frame.payload);
    if (!down) return false;
    const up = this.#uplink;
    this.stats.downlinks++;
    this.#lastSnrDb = frame.snrDb;
    this.#fCntDown = down.fCnt;
    this.#adrAckCnt = 0;
    this.#answers.downlinkReceived();
    if (down.confirmed) this.#ackPending = true;
    if (up) {
      up.answered = true;
      if (up.confirmed && down.fCtrl & FCtrl.ACK) {
        up.acked = true;
        this.stats.acks++;
      }
    }
    if (down.port === 0) this.#macCommands(down.payload, 0, down.payload.length);
    else this.#macCommands(down.fOpts, 0, down.fOpts.length);
    this.#saveSession();
    if (down.port > 0) this.#events.onDownlink?.(down.port, down.payload);
    return true;
  }

  /**
   * Check a downlink (L2 1.0.4 §4.3.1.5, §4.4): the 16-bit FCnt on the air is taken as the next value above the
   * last accepted one with those low bits; if the MIC fails under that guess but holds under the value at or below
   * the last one, the frame is a replay. (1.0.4 dropped MAX_FCNT_GAP; any later counter is accepted.)
   */
  #readDownlink(frame: Uint8Array): DataDown | undefined {
    const last = this.#fCntDown;
    const low = frame.length >= 8 ? frame[6]! | (frame[7]! << 8) : 0;
    let next = low;
    let past = -1;
    if (last >= 0) {
      const base = last - (last & 0xffff);
      next = base + low;
      if (next <= last) {
        past = next;
        next += 0x10000;
      } else if (base > 0) past = next - 0x10000;
    }
    const r = this.#crypto.readDownlink(frame, next);
    if (typeof r !== "string") return r;
    if (r === "mic" && past >= 0 && typeof this.#crypto.readDownlink(frame, past) !== "string") {
      this.stats.replays++;
      this.#error(new Error(`LoRaWAN: downlink FCnt ${past} replayed (last accepted ${last}); ignored`));
    } else if (r === "devaddr") {
      this.stats.otherDevice++;
    } else if (r === "mic") {
      this.stats.badMic++;
      this.#error(new Error(`LoRaWAN: downlink for ${hex32(this.#devAddr)} (FCnt ${next}) failed its MIC; ignored`));
    } else if (r !== "mtype") {
      this.stats.malformed++;
      this.#error(new Error(`LoRaWAN: downlink of ${frame.length} bytes is malformed (${r}); ignored`));
    }
    return undefined;
  }

  #uplinkWindowsDone(): void {
    const up = this.#uplink;
    if (!up) return;
    const more = up.transmissions < this.#nbTrans;
    if (up.confirmed ? !up.acked && more : !up.answered && more) {
      // L2 1.0.4 §4.3.1.2 / §18 (NbTrans): retransmit the same frame (same FCnt) after RETRANSMIT_TIMEOUT, on a
      // new random channel; any class A downlink already told us the network heard it.
      this.#after(this.#retransmitDelayMs() * 1000, () => this.#transmitUplink());
      return;
    }
    this.#finishUplink(up.confirmed && !up.acked ? { reason: `no ACK after ${up.transmissions} transmission(s)`, retry: true } : undefined);
  }

  #finishUplink(failure: { reason: string; retry: boolean } | undefined): void {
    const up = this.#uplink;
    if (!up) return;
    if (failure && up.confirmed && !up.acked) this.stats.noAck++;
    // The counter moves on once per uplink whatever happened: the frame went out with this FCnt.
    this.#fCntUp = (this.#fCntUp + 1) >>> 0;
    this.#saveSession();
    this.#uplink = undefined;
    this.#busy = false;
    up.done(failure);
  }

  // ───────────────────────────────────────────── radio and windows (L2 1.0.4 §3.3)

  #transmit(length: number, dr: number, powerIndex: number): void {
    const rate = CN470_DATA_RATES[dr]!;
    const params: LoraTxParams = {
      frequencyHz: uplinkFrequencyHz(this.#channel),
      sf: rate.sf,
      bandwidthHz: rate.bandwidthHz,
      codingRate: CN470.codingRate,
      preamble: CN470.preambleSymbols,
      invertIq: false,
      crc: true,
      powerDbm: txPowerDbm(powerIndex, this.#antennaGainCentiDbi),
    };
    this.#o.radio.transmit(this.#tx.subarray(0, length), params, (error, result) => this.#onTxDone(error, result));
  }

  #onTxDone(error: LoraRadioError | undefined, result: LoraTxResult | undefined): void {
    if (this.#closed) return;
    if (error || !result) {
      this.stats.radioErrors++;
      const reason = `LoRaWAN: transmit failed (${error ? `${error.kind}: ${error.message}` : "no result"})`;
      this.#error(new Error(reason));
      this.#o.radio.sleep();
      // Nothing went on the air: the join back-off then only waits its random 1–3 s.
      this.#txEndUs = this.#o.clock.microseconds();
      this.#lastAirtimeUs = 0;
      if (this.#uplink) this.#finishUplink({ reason, retry: true });
      else this.#joinFailed();
      return;
    }
    this.#txEndUs = result.txEndUs;
    this.#lastAirtimeUs = result.airtimeUs;
    this.stats.airtimeUs += result.airtimeUs;
    if (!this.#uplink) this.#countJoinAirtime(result.txEndUs - result.airtimeUs, result.airtimeUs);
    if (this.#maxDutyCycle > 0) this.#nextTxAllowedUs = result.txEndUs + result.airtimeUs * ((1 << this.#maxDutyCycle) - 1);
    this.#o.radio.prepareReceive(this.#rxParams(1));
    this.#o.radio.sleep();
    this.#scheduleWindow(1);
  }

  #scheduleWindow(which: 1 | 2): void {
    const w = this.#windows!;
    const delayMs = which === 1 ? w.delay1Ms : w.delay2Ms;
    const radio = this.#o.radio;
    const params = this.#rxParams(which);
    const plan = rxWindowPlan(symbolMicros(params.sf, params.bandwidthHz), params.preamble, this.#timingErrorUs, radio.preparedRxSetupUs);
    const openAt = this.#txEndUs + delayMs * 1000 - plan.leadUs;
    const now = this.#o.clock.microseconds();
    if (openAt - now < 0) {
      this.stats.missedWindows++;
      if (which === 1) this.#prepareWindow(2);
      else this.#windowsDone();
      return;
    }
    const open = () => {
      const wait = openAt - this.#o.clock.microseconds();
      this.#after(wait > 0 ? wait : 0, () => this.#openWindow(which, params));
    };
    const wakeAt = openAt - WAKE_LEAD_US - radio.wakeUs;
    if (wakeAt - now > 0) {
      this.#after(wakeAt - now, () => {
        radio.wake();
        open();
      });
    } else {
      radio.wake();
      open();
    }
  }

  /** Receive parameters of this transaction's window, with the symbol timeout for the system's timing error. */
  #rxParams(which: 1 | 2): LoraRxParams {
    const w = this.#windows!;
    const dr = which === 1 ? w.rx1DataRate : w.rx2DataRate;
    const rate = CN470_DATA_RATES[dr]!;
    const plan = rxWindowPlan(symbolMicros(rate.sf, rate.bandwidthHz), CN470.preambleSymbols, this.#timingErrorUs, this.#o.radio.preparedRxSetupUs);
    return {
      frequencyHz: which === 1 ? w.rx1FrequencyHz : w.rx2FrequencyHz,
      sf: rate.sf,
      bandwidthHz: rate.bandwidthHz,
      codingRate: CN470.codingRate,
      preamble: CN470.preambleSymbols,
      invertIq: true,
      crc: false,
      timeoutSymbols: plan.timeoutSymbols,
    };
  }

  /** RX1 is over without a frame for us: configure RX2 now, sleep, and time it. */
  #prepareWindow(which: 2): void {
    this.#o.radio.prepareReceive(this.#rxParams(which));
    this.#o.radio.sleep();
    this.#scheduleWindow(which);
  }

  // Bound once: the window's timer handler allocates nothing before the radio's command goes out.
  readonly #onRx1 = (error: LoraRadioError | undefined, result: LoraRxResult | undefined): void => this.#onWindow(1, error, result);
  readonly #onRx2 = (error: LoraRadioError | undefined, result: LoraRxResult | undefined): void => this.#onWindow(2, error, result);

  #openWindow(which: 1 | 2, params: LoraRxParams): void {
    this.stats.rxWindows++;
    this.#o.radio.receive(params, which === 1 ? this.#onRx1 : this.#onRx2);
  }

  #onWindow(which: 1 | 2, error: LoraRadioError | undefined, result: LoraRxResult | undefined): void {
    if (this.#closed) return;
    let accepted = false;
    if (result) accepted = this.#uplink ? this.#onDataFrame(result) : this.#onJoinFrame(result);
    else if (error?.kind === "timeout") this.stats.rxTimeouts++;
    else {
      this.stats.radioErrors++;
      this.#error(new Error(`LoRaWAN: RX${which} ${error ? `${error.kind}: ${error.message}` : "returned nothing"}`));
    }
    // L2 1.0.4 §3.3.2: a frame for this device in RX1 means RX2 is not opened.
    if (!accepted && which === 1) {
      this.#prepareWindow(2);
      return;
    }
    this.#o.radio.sleep();
    this.#windowsDone(accepted);
  }

  #windowsDone(accepted = false): void {
    if (this.#uplink) this.#uplinkWindowsDone();
    else if (accepted) this.#becomeJoined();
    else this.#joinFailed();
  }

  #becomeJoined(): void {
    this.#joined = true;
    this.#busy = false;
    this.#events.onJoined?.();
  }

  // ───────────────────────────────────────────── MAC commands (L2 1.0.4 §5, RP §2.7)

  #macCommands(b: Uint8Array, from: number, to: number): void {
    let i = from;
    while (i < to) {
      const cid = b[i]!;
      const size = downlinkCommandLength(cid);
      if (size < 0 || i + 1 + size > to) {
        this.stats.unknownMacCommands++;
        this.#error(new Error(`LoRaWAN: MAC command 0x${cid.toString(16)} at byte ${i - from} is unknown or cut short; the rest (${to - i} bytes) is dropped`));
        return;
      }
      this.stats.macCommands++;
      const p = i + 1;
      switch (cid) {
        case Cid.LinkCheck:
          this.#events.onLinkCheck?.(b[p]!, b[p + 1]!);
          break;
        case Cid.LinkADR: {
          // Consecutive LinkADRReqs form one block, applied atomically and answered one for one (§5, LinkADRReq).
          let end = i;
          while (end + 5 <= to && b[end] === Cid.LinkADR) end += 5;
          this.#linkAdr(b, i, end);
          i = end;
          continue;
        }
        case Cid.DutyCycle:
          this.#maxDutyCycle = b[p]! & 0x0f;
          this.#answers.push(1, Cid.DutyCycle);
          break;
        case Cid.RXParamSetup: {
          const dl = b[p]!;
          const rx1 = (dl >> 4) & 0x07;
          const rx2 = dl & 0x0f;
          const hz = le24(b, p + 1) * 100;
          const chOk = isValidRxFrequency(hz);
          const rx2Ok = rx2 <= CN470.maxDataRate;
          const rx1Ok = rx1 <= CN470.maxRx1DrOffset;
          if (chOk && rx2Ok && rx1Ok) {
            this.#rx1DrOffset = rx1;
            this.#rx2DataRate = rx2;
            this.#rx2FrequencyHz = hz;
          }
          this.#answers.push(2, Cid.RXParamSetup, (rx1Ok ? 4 : 0) | (rx2Ok ? 2 : 0) | (chOk ? 1 : 0));
          break;
        }
        case Cid.DevStatus: {
          const battery = this.#o.battery ? this.#o.battery() & 0xff : 255;
          // Margin: the SNR of the last downlink, rounded, clamped to the 6-bit signed range −32…31.
          let margin = Math.round(this.#lastSnrDb);
          margin = margin < -32 ? -32 : margin > 31 ? 31 : margin;
          this.#answers.push(3, Cid.DevStatus, battery, margin & 0x3f);
          break;
        }
        case Cid.NewChannel:
          // RP §2.7: a fixed channel plan; channels cannot be defined over the air. Answer "neither OK".
          this.#answers.push(2, Cid.NewChannel, 0);
          break;
        case Cid.RXTimingSetup: {
          const del = b[p]! & 0x0f;
          this.#receiveDelay1Ms = (del === 0 ? 1 : del) * 1000;
          this.#answers.push(1, Cid.RXTimingSetup);
          break;
        }
        case Cid.TxParamSetup:
          // RP §2.7: CN470 does not implement TxParamSetupReq; the device does not answer it.
          break;
        case Cid.DlChannel:
          // RP §2.7: downlink channels are fixed (uplink channel mod 48); refuse.
          this.#answers.push(2, Cid.DlChannel, 0);
          break;
        case Cid.DeviceTime:
          // Answer to a DeviceTimeReq this MAC never sends on its own; read past it.
          break;
      }
      i = p + size;
    }
  }

  /** One block of LinkADRReqs at `b[from…to)` (5 bytes each). */
  #linkAdr(b: Uint8Array, from: number, to: number): void {
    const mask = this.#maskScratch;
    mask.copyFrom(this.#mask);
    let chOk = true;
    for (let i = from; i < to; i += 5) {
      const chMask = b[i + 2]! | (b[i + 3]! << 8);
      const cntl = (b[i + 4]! >> 4) & 0x07;
      if (!mask.apply(chMask, cntl)) chOk = false;
    }
    if (mask.count() === 0) chOk = false;
    const last = to - 5;
    const dr = b[last + 1]! >> 4;
    const power = b[last + 1]! & 0x0f;
    const nbTrans = b[last + 4]! & 0x0f;
    // 0xF keeps the current value (L2 1.0.4 §5, LinkADRReq).
    const drOk = dr === 0x0f || dr <= CN470.maxDataRate;
    const powerOk = power === 0x0f || power <= CN470.maxTxPowerIndex;
    if (chOk && drOk && powerOk) {
      this.#mask.copyFrom(mask);
      if (dr !== 0x0f) this.#dataRate = dr;
      if (power !== 0x0f) this.#txPowerIndex = power;
      this.#nbTrans = nbTrans === 0 ? 1 : nbTrans;
    }
    const status = (powerOk ? 4 : 0) | (drOk ? 2 : 0) | (chOk ? 1 : 0);
    for (let i = from; i < to; i += 5) this.#answers.push(2, Cid.LinkADR, status);
  }

  // ───────────────────────────────────────────── helpers

  #randomChannel(mask: ChannelMask, join: boolean): number {
    const n = join ? CN470.uplinkChannels : mask.count();
    const k = Math.floor(this.#o.random() * n);
    return join ? k : mask.nth(k);
  }

  /** RETRANSMIT_TIMEOUT: uniform in 1…3 s (RP §2.7.9). */
  #retransmitDelayMs(): number {
    const lo = CN470_DEFAULTS.retransmitTimeoutMinMs;
    return lo + Math.floor(this.#o.random() * (CN470_DEFAULTS.retransmitTimeoutMaxMs - lo + 1));
  }

  #after(us: number, fn: () => void): void {
    this.#o.timer.clear(this.#timer);
    this.#timer = this.#o.timer.set(() => {
      this.#timer = undefined;
      fn();
    }, us / 1000);
  }

  #error(error: Error): void {
    this.#events.onError?.(error);
  }

  // ───────────────────────────────────────────── session persistence

  readonly #session = new Uint8Array(SESSION_BYTES);

  #saveSession(): void {
    const s = this.#session;
    let at = 0;
    s[at++] = SESSION_VERSION;
    s[at++] = this.#o.abp ? 1 : 0;
    putLe32(s, at, this.#devAddr);
    at += 4;
    s.set(this.#nwkSKey, at);
    at += 16;
    s.set(this.#appSKey, at);
    at += 16;
    putLe32(s, at, this.#fCntUp);
    at += 4;
    putLe32(s, at, this.#fCntDown + 1); // 0: no downlink yet
    at += 4;
    s[at++] = this.#dataRate;
    s[at++] = this.#txPowerIndex;
    s[at++] = this.#nbTrans;
    s[at++] = this.#rx1DrOffset;
    s[at++] = this.#rx2DataRate;
    s[at++] = this.#receiveDelay1Ms / 1000;
    s[at++] = this.#maxDutyCycle;
    s[at++] = this.#ackPending ? 1 : 0;
    putLe32(s, at, this.#rx2FrequencyHz);
    at += 4;
    for (let i = 0; i < 6; i++, at += 2) {
      s[at] = this.#mask.words[i]! & 0xff;
      s[at + 1] = this.#mask.words[i]! >> 8;
    }
    s[at++] = this.#adrAckCnt & 0xff;
    s[at++] = this.#adrAckCnt >> 8;
    this.#o.store.saveSession(s);
  }

  /** Take back a saved session of the same kind (OTAA or ABP); false when there is none. */
  #restoreSession(): boolean {
    const s = this.#o.store.loadSession();
    if (!s || s.length !== SESSION_BYTES || s[0] !== SESSION_VERSION || s[1] !== (this.#o.abp ? 1 : 0)) return false;
    let at = 2;
    const devAddr = le32(s, at);
    if (this.#o.abp && devAddr !== this.#o.abp.devAddr >>> 0) return false;
    this.#devAddr = devAddr;
    at += 4;
    this.#nwkSKey.set(s.subarray(at, at + 16));
    at += 16;
    this.#appSKey.set(s.subarray(at, at + 16));
    at += 16;
    this.#fCntUp = le32(s, at);
    at += 4;
    this.#fCntDown = le32(s, at) - 1;
    at += 4;
    this.#dataRate = Math.min(s[at++]!, CN470.maxDataRate);
    this.#txPowerIndex = Math.min(s[at++]!, CN470.maxTxPowerIndex);
    this.#nbTrans = s[at++]! || 1;
    this.#rx1DrOffset = Math.min(s[at++]!, CN470.maxRx1DrOffset);
    this.#rx2DataRate = Math.min(s[at++]!, CN470.maxDataRate);
    this.#receiveDelay1Ms = (s[at++]! || 1) * 1000;
    this.#maxDutyCycle = s[at++]! & 0x0f;
    this.#ackPending = s[at++] === 1;
    this.#rx2FrequencyHz = le32(s, at);
    at += 4;
    for (let i = 0; i < 6; i++, at += 2) this.#mask.words[i] = s[at]! | (s[at + 1]! << 8);
    if (this.#mask.count() === 0) this.#mask.enableAll();
    this.#adrAckCnt = s[at]! | (s[at + 1]! << 8);
    this.#crypto.setSession({ devAddr: this.#devAddr, nwkSKey: this.#nwkSKey, appSKey: this.#appSKey });
    return true;
  }
}

/** TS001-1.0.4 §7 back-off periods, counted from the start of joining. */
function joinPeriod(sinceUs: number): { index: number; endUs: number; budgetUs: number; dutyDivisor: number } {
  if (sinceUs < US_PER_HOUR) return { index: 0, endUs: US_PER_HOUR, budgetUs: 36_000_000, dutyDivisor: 100 };
  if (sinceUs < 11 * US_PER_HOUR) return { index: 1, endUs: 11 * US_PER_HOUR, budgetUs: 36_000_000, dutyDivisor: 1000 };
  const day = Math.floor((sinceUs - 11 * US_PER_HOUR) / (24 * US_PER_HOUR));
  return { index: 2 + day, endUs: (11 + 24 * (day + 1)) * US_PER_HOUR, budgetUs: 8_700_000, dutyDivisor: 10_000 };
}

function hex32(v: number): string {
  return (v >>> 0).toString(16).padStart(8, "0");
}
