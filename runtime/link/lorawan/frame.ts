/**
 * LoRaWAN 1.0.x frames (TS001-1.0.4 §4, §6.2): building uplinks and Join-Requests, reading downlinks and
 * Join-Accepts, with FRMPayload encryption (§4.3.3), the MIC (§4.4) and the session keys of a join (§6.2.6).
 *
 * One `FrameCrypto` per MAC holds the ciphers and the 16-byte scratch blocks, so building or checking a frame
 * allocates nothing but the downlink payload it hands out. AES itself is the host's (`host.cipher`: the board's AES
 * hardware or C), keyed once per key: at start-up for the AppKey, at each join or ABP session for the session keys. Multi-octet fields are little endian on the air (§1.2);
 * EUIs are given here as they are printed (most significant byte first) and reversed on the wire.
 */
import type { BlockCipher, Ciphers } from "../../../hal/host.js";
import { AesCmac } from "../../crypto/cmac.js";

/** §4.2.1 MType, the top three bits of MHDR. */
export const MType = Object.freeze({
  JoinRequest: 0,
  JoinAccept: 1,
  UnconfirmedDataUp: 2,
  UnconfirmedDataDown: 3,
  ConfirmedDataUp: 4,
  ConfirmedDataDown: 5,
  Proprietary: 7,
});

/** §4.2.2 Major: LoRaWAN R1. */
const MAJOR_R1 = 0;
/** MHDR 1 + DevAddr 4 + FCtrl 1 + FCnt 2: the smallest data frame before the MIC. */
const DATA_HEADER = 8;
const MIC_LENGTH = 4;
/** §4.3.1: FOptsLen is 4 bits. */
export const MAX_FOPTS = 15;
/** §6.2.5: MHDR + JoinEUI 8 + DevEUI 8 + DevNonce 2 + MIC 4. */
export const JOIN_REQUEST_LENGTH = 23;

/** §4.3.1 FCtrl bits (uplink: ADR, ADRACKReq, ACK, ClassB; downlink: ADR, RFU, ACK, FPending). */
export const FCtrl = Object.freeze({ ADR: 0x80, ADR_ACK_REQ: 0x40, ACK: 0x20, FPENDING: 0x10 });

export interface UplinkFields {
  confirmed: boolean;
  fCtrl: number;
  fCnt: number;
  /** MAC commands carried in FOpts, sent in the clear in 1.0.x. */
  fOpts: Uint8Array;
  fOptsLength: number;
  /** Omit with −1 (a frame carrying only FOpts). */
  port: number;
  payload: Uint8Array;
}

export interface SessionKeys {
  devAddr: number;
  nwkSKey: Uint8Array;
  appSKey: Uint8Array;
}

/** A data downlink that passed the MIC: FOpts in place, FRMPayload decrypted into a fresh array. */
export interface DataDown {
  confirmed: boolean;
  fCtrl: number;
  fCnt: number;
  fOpts: Uint8Array;
  /** −1 when the frame had no FPort (FOpts only). */
  port: number;
  payload: Uint8Array;
}

export interface JoinAccept {
  /** JoinNonce (AppNonce before 1.0.4), 3 octets as on the wire. */
  joinNonce: number;
  netId: number;
  devAddr: number;
  rx1DrOffset: number;
  rx2DataRate: number;
  /** RECEIVE_DELAY1 in seconds (RxDelay 0 means 1). */
  rxDelayS: number;
  /** Offset of the 16-byte CFList in `plain`, or −1. */
  cfListAt: number;
  plain: Uint8Array;
}

/** Why a frame was not accepted. */
export type FrameRejection = "short" | "mtype" | "devaddr" | "fopts" | "mic";

export class FrameCrypto {
  readonly #ciphers: Ciphers;
  readonly #nwk = new AesCmac();
  #app: BlockCipher | undefined;
  readonly #root = new AesCmac();
  readonly #a = new Uint8Array(16);
  readonly #s = new Uint8Array(16);
  readonly #mic = new Uint8Array(4);
  #devAddr = 0;

  constructor(ciphers: Ciphers) {
    this.#ciphers = ciphers;
  }

  /** Key for Join-Request MICs and Join-Accepts (the AppKey of 1.0.x). */
  setRootKey(appKey: Uint8Array): void {
    this.#root.setCipher(this.#ciphers.aes128(appKey));
  }

  setSession(keys: SessionKeys): void {
    this.#nwk.setCipher(this.#ciphers.aes128(keys.nwkSKey));
    this.#app = this.#ciphers.aes128(keys.appSKey);
    this.#devAddr = keys.devAddr >>> 0;
  }

  get devAddr(): number {
    return this.#devAddr;
  }

  /** §6.2.5: write a Join-Request into `out` and return its length (23). */
  buildJoinRequest(out: Uint8Array, joinEui: Uint8Array, devEui: Uint8Array, devNonce: number): number {
    out[0] = (MType.JoinRequest << 5) | MAJOR_R1;
    for (let i = 0; i < 8; i++) out[1 + i] = joinEui[7 - i]!;
    for (let i = 0; i < 8; i++) out[9 + i] = devEui[7 - i]!;
    out[17] = devNonce & 0xff;
    out[18] = (devNonce >> 8) & 0xff;
    this.#root.begin().update(out, 0, 19).finish(out, 19, MIC_LENGTH);
    return JOIN_REQUEST_LENGTH;
  }

  /**
   * §6.2.6: "decrypt" a Join-Accept (the server encrypted it with AES decryption, so the device encrypts) and check
   * its MIC over MHDR | payload. Returns the fields, or the reason it was rejected.
   */
  readJoinAccept(frame: Uint8Array): JoinAccept | FrameRejection {
    const n = frame.length - 1;
    if (n !== 16 && n !== 32) return "short";
    if (frame[0]! >> 5 !== MType.JoinAccept) return "mtype";
    const plain = new Uint8Array(frame.length);
    plain[0] = frame[0]!;
    const aes = this.#root.cipher;
    for (let at = 1; at < frame.length; at += 16) aes.encryptBlock(frame, at, plain, at);
    const micAt = frame.length - MIC_LENGTH;
    this.#root.begin().update(plain, 0, micAt).finish(this.#mic, 0, MIC_LENGTH);
    if (!sameBytes(this.#mic, plain, micAt)) return "mic";
    const dl = plain[11]!;
    const del = plain[12]! & 0x0f;
    return {
      joinNonce: le24(plain, 1),
      netId: le24(plain, 4),
      devAddr: le32(plain, 7),
      rx1DrOffset: (dl >> 4) & 0x07,
      rx2DataRate: dl & 0x0f,
      rxDelayS: del === 0 ? 1 : del,
      cfListAt: n === 32 ? 13 : -1,
      plain,
    };
  }

  /**
   * §6.2.6: NwkSKey = aes128_encrypt(AppKey, 0x01 | JoinNonce | NetID | DevNonce | pad16), AppSKey the same with
   * 0x02. The nonces and NetID are taken as the Join-Accept carried them (little endian).
   */
  deriveSessionKeys(accept: JoinAccept, devNonce: number, nwkSKey: Uint8Array, appSKey: Uint8Array): void {
    const block = this.#a;
    for (const [tag, out] of [
      [0x01, nwkSKey],
      [0x02, appSKey],
    ] as const) {
      block.fill(0);
      block[0] = tag;
      block.set(accept.plain.subarray(1, 7), 1); // JoinNonce | NetID
      block[7] = devNonce & 0xff;
      block[8] = (devNonce >> 8) & 0xff;
      this.#root.cipher.encryptBlock(block, 0, out, 0);
    }
  }

  /** §4: write an uplink data frame into `out`, encrypting FRMPayload and appending the MIC; returns its length. */
  buildUplink(out: Uint8Array, f: UplinkFields): number {
    if (f.fOptsLength > MAX_FOPTS) throw new RangeError(`FOpts of ${f.fOptsLength} bytes exceed ${MAX_FOPTS}`);
    const fCnt = f.fCnt >>> 0;
    out[0] = ((f.confirmed ? MType.ConfirmedDataUp : MType.UnconfirmedDataUp) << 5) | MAJOR_R1;
    putLe32(out, 1, this.#devAddr);
    out[5] = (f.fCtrl & 0xf0) | f.fOptsLength;
    out[6] = fCnt & 0xff;
    out[7] = (fCnt >>> 8) & 0xff;
    out.set(f.fOpts.subarray(0, f.fOptsLength), DATA_HEADER);
    let n = DATA_HEADER + f.fOptsLength;
    if (f.port >= 0) {
      out[n++] = f.port;
      out.set(f.payload, n);
      this.#cipher(f.port, out, n, f.payload.length, 0, fCnt);
      n += f.payload.length;
    }
    this.#micInto(out, n, 0, fCnt, out, n);
    return n + MIC_LENGTH;
  }

  /**
   * §4: check and open a data downlink. `fCnt32` is the full counter the caller reconstructed from the 16 bits on
   * the air; the MIC is checked with it, so a wrong guess shows as a bad MIC rather than a wrong payload.
   */
  readDownlink(frame: Uint8Array, fCnt32: number): DataDown | FrameRejection {
    const len = frame.length;
    if (len < DATA_HEADER + MIC_LENGTH) return "short";
    const mtype = frame[0]! >> 5;
    if (mtype !== MType.UnconfirmedDataDown && mtype !== MType.ConfirmedDataDown) return "mtype";
    if (le32(frame, 1) !== this.#devAddr) return "devaddr";
    const fCtrl = frame[5]!;
    const fOptsLength = fCtrl & 0x0f;
    const end = len - MIC_LENGTH;
    if (DATA_HEADER + fOptsLength > end) return "fopts";
    const fCnt = fCnt32 >>> 0;
    if ((fCnt & 0xffff) !== (frame[6]! | (frame[7]! << 8))) throw new RangeError(`FCnt ${fCnt} does not end in the frame's ${frame[6]! | (frame[7]! << 8)}`);
    this.#micInto(frame, end, 1, fCnt, this.#mic, 0);
    if (!sameBytes(this.#mic, frame, end)) return "mic";
    const fOpts = frame.subarray(DATA_HEADER, DATA_HEADER + fOptsLength);
    let port = -1;
    let payload = new Uint8Array(0);
    const portAt = DATA_HEADER + fOptsLength;
    if (portAt < end) {
      port = frame[portAt]!;
      // §4.3.1.6: FOpts and a port-0 payload together are not allowed: the frame is ignored.
      if (port === 0 && fOptsLength > 0) return "fopts";
      payload = frame.slice(portAt + 1, end);
      this.#cipher(port, payload, 0, payload.length, 1, fCnt);
    }
    return { confirmed: mtype === MType.ConfirmedDataDown, fCtrl, fCnt, fOpts, port, payload };
  }

  /**
   * §4.3.3: XOR `length` bytes at `buf[at…]` with S = aes128_encrypt(K, A1) | aes128_encrypt(K, A2) | …, where
   * Ai = 0x01 | 0⁴ | Dir | DevAddr | FCnt | 0x00 | i and K is NwkSKey on port 0, AppSKey otherwise.
   */
  #cipher(port: number, buf: Uint8Array, at: number, length: number, dir: number, fCnt: number): void {
    const aes = port === 0 ? this.#nwk.cipher : this.#app;
    if (!aes) throw new Error("LoRaWAN: FRMPayload crypto before a session");
    const a = this.#a;
    const s = this.#s;
    this.#block(0x01, dir, fCnt);
    for (let i = 0, block = 1; i < length; i += 16, block++) {
      a[15] = block;
      aes.encryptBlock(a, 0, s, 0);
      const n = length - i < 16 ? length - i : 16;
      for (let j = 0; j < n; j++) buf[at + i + j] = buf[at + i + j]! ^ s[j]!;
    }
  }

  /** §4.4: MIC = aes128_cmac(NwkSKey, B0 | msg)[0..3], B0 = 0x49 | 0⁴ | Dir | DevAddr | FCnt | 0x00 | len(msg). */
  #micInto(msg: Uint8Array, msgLength: number, dir: number, fCnt: number, out: Uint8Array, outAt: number): void {
    this.#block(0x49, dir, fCnt);
    this.#a[15] = msgLength;
    this.#nwk.begin().update(this.#a).update(msg, 0, msgLength).finish(out, outAt, MIC_LENGTH);
  }

  #block(tag: number, dir: number, fCnt: number): void {
    const a = this.#a;
    a.fill(0);
    a[0] = tag;
    a[5] = dir;
    putLe32(a, 6, this.#devAddr);
    putLe32(a, 10, fCnt);
  }
}

export function le24(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
}

export function le32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

export function putLe32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}

function sameBytes(mic: Uint8Array, frame: Uint8Array, at: number): boolean {
  let d = 0;
  for (let i = 0; i < MIC_LENGTH; i++) d |= mic[i]! ^ frame[at + i]!;
  return d === 0;
}
