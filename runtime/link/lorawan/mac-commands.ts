/**
 * MAC command identifiers and sizes (TS001-1.0.4 §5), and the queue of answers a class A device owes the network.
 *
 * Answers ride in FOpts of the next uplink (at most 15 bytes, §4.3.1.6). Most are sent once; RXParamSetupAns,
 * RXTimingSetupAns and DlChannelAns are "sticky": the device repeats them in every uplink until it receives a
 * class A downlink (§5, the paragraphs on each of those commands), because the network cannot otherwise know the
 * new receive parameters took effect.
 */

/** Command identifiers (CIDs) of LoRaWAN 1.0.4 §5; a request and its answer share one. */
export const Cid = Object.freeze({
  LinkCheck: 0x02,
  LinkADR: 0x03,
  DutyCycle: 0x04,
  RXParamSetup: 0x05,
  DevStatus: 0x06,
  NewChannel: 0x07,
  RXTimingSetup: 0x08,
  TxParamSetup: 0x09,
  DlChannel: 0x0a,
  DeviceTime: 0x0d,
});

/**
 * Payload length of a command the network sends (after the CID), or −1 for one this 1.0.x device does not know,
 * after which the rest of the FOpts or port-0 payload cannot be parsed and is dropped (§5).
 */
export function downlinkCommandLength(cid: number): number {
  switch (cid) {
    case Cid.LinkCheck: // LinkCheckAns: Margin, GwCnt
      return 2;
    case Cid.LinkADR: // LinkADRReq: DataRate_TXPower, ChMask (2), Redundancy
      return 4;
    case Cid.DutyCycle: // DutyCycleReq: DutyCyclePL
      return 1;
    case Cid.RXParamSetup: // RXParamSetupReq: DLsettings, Frequency (3)
      return 4;
    case Cid.DevStatus: // DevStatusReq: nothing
      return 0;
    case Cid.NewChannel: // NewChannelReq: ChIndex, Freq (3), DrRange
      return 5;
    case Cid.RXTimingSetup: // RXTimingSetupReq: Settings
      return 1;
    case Cid.TxParamSetup: // TxParamSetupReq: EIRP_DwellTime
      return 1;
    case Cid.DlChannel: // DlChannelReq: ChIndex, Freq (3)
      return 4;
    case Cid.DeviceTime: // DeviceTimeAns: seconds (4), fractional second (1)
      return 5;
    default:
      return -1;
  }
}

const STICKY = (cid: number) => cid === Cid.RXParamSetup || cid === Cid.RXTimingSetup || cid === Cid.DlChannel;

/** Answers and device-initiated requests waiting for an uplink, kept as whole commands in a fixed buffer. */
export class MacAnswers {
  /** Room for more than one frame's worth; commands past 15 bytes wait for the next uplink. */
  readonly #buf = new Uint8Array(64);
  #length = 0;
  /** Commands dropped because the buffer was full (a network flooding requests). */
  dropped = 0;

  get length(): number {
    return this.#length;
  }

  /** Queue a command of `size` bytes (CID included) whose bytes are `b0…`. */
  push(size: number, b0: number, b1 = 0, b2 = 0): void {
    if (this.#length + size > this.#buf.length) {
      this.dropped++;
      return;
    }
    const at = this.#length;
    this.#buf[at] = b0;
    if (size > 1) this.#buf[at + 1] = b1;
    if (size > 2) this.#buf[at + 2] = b2;
    this.#length += size;
  }

  /** Bytes of the whole commands that fit in `max` (FOpts: 15). */
  fitting(max: number): number {
    let n = 0;
    while (n < this.#length) {
      const size = uplinkCommandSize(this.#buf[n]!);
      if (n + size > max) break;
      n += size;
    }
    return n;
  }

  /** Copy the first `n` bytes (from `fitting`) into `out`. */
  copy(out: Uint8Array, n: number): void {
    out.set(this.#buf.subarray(0, n));
  }

  /** The first `n` bytes went out: drop them, but keep the sticky answers among them for the next uplink. */
  sent(n: number): void {
    let keep = 0;
    let i = 0;
    while (i < this.#length) {
      const size = uplinkCommandSize(this.#buf[i]!);
      if (i >= n || STICKY(this.#buf[i]!)) {
        this.#buf.copyWithin(keep, i, i + size);
        keep += size;
      }
      i += size;
    }
    this.#length = keep;
  }

  /** A class A downlink arrived: the sticky answers have done their job (§5). */
  downlinkReceived(): void {
    let keep = 0;
    let i = 0;
    while (i < this.#length) {
      const size = uplinkCommandSize(this.#buf[i]!);
      if (!STICKY(this.#buf[i]!)) {
        this.#buf.copyWithin(keep, i, i + size);
        keep += size;
      }
      i += size;
    }
    this.#length = keep;
  }

  clear(): void {
    this.#length = 0;
  }
}

/** Size (CID included) of a command the device sends. */
function uplinkCommandSize(cid: number): number {
  switch (cid) {
    case Cid.LinkADR: // LinkADRAns: Status
    case Cid.RXParamSetup: // RXParamSetupAns: Status
    case Cid.NewChannel: // NewChannelAns: Status
    case Cid.DlChannel: // DlChannelAns: Status
      return 2;
    case Cid.DevStatus: // DevStatusAns: Battery, RadioStatus
      return 3;
    default: // LinkCheckReq, DutyCycleAns, RXTimingSetupAns, DeviceTimeReq: CID only
      return 1;
  }
}
