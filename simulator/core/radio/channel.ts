/**
 * The air between LoRa radios: who hears a frame, how strongly, and whether another frame spoiled it.
 *
 * - Path loss: Okumura–Hata for a small/medium city (valid 150–1500 MHz, 1–20 km, base antenna 30–200 m, mobile
 *   1–10 m; Hata, IEEE Trans. Veh. Tech. 29(3), 1980), extended below 1 km by free space where that is larger,
 *   plus log-normal shadowing fixed per link (seeded: a node that is badly placed stays badly placed) and a small
 *   per-frame fading term.
 * - Noise floor: −174 dBm/Hz + 10·log10(bandwidth) + the receiver's noise figure; SNR = RSSI − noise floor.
 * - Reception: a frame is decoded when its SNR is at or above the demodulator floor of its spreading factor
 *   (SX1261/2 datasheet §6.1.2: SF7 −7.5 dB … SF12 −20 dB) and no other frame on the same frequency and spreading
 *   factor overlapped it at the receiver, unless it was at least `captureDb` stronger than every such interferer
 *   (the co-channel rejection of LoRa, 6 dB in the SX1276 datasheet Table 12 and in Bor et al., "Do LoRa Low-Power
 *   Wide-Area Networks Scale?", MSWiM 2016). Different spreading factors are treated as orthogonal.
 *
 * Portable (runs in XS): detmath for every logarithm, integer microseconds from the engine.
 */
import { log10, pow } from "../../../runtime/detmath.js";
import type { Engine, Micros } from "../engine.js";
import { Rng } from "../rng.js";

export interface Position {
  /** metres east */
  x: number;
  /** metres north */
  y: number;
  /** antenna height above ground, metres */
  height: number;
}

export interface LoraAirFrame {
  readonly sender: string;
  readonly payload: Uint8Array;
  readonly frequencyHz: number;
  readonly sf: number;
  readonly bandwidthHz: number;
  readonly codingRate: number;
  readonly preamble: number;
  readonly invertIq: boolean;
  readonly crc: boolean;
  readonly powerDbm: number;
  /** Engine time the first preamble symbol starts and the last payload symbol ends. */
  readonly startUs: Micros;
  readonly endUs: Micros;
}

export interface Reception {
  readonly frame: LoraAirFrame;
  readonly rssiDbm: number;
  readonly snrDb: number;
  /** True when the frame reached the receiver decodable (SNR and collisions); a radio may still miss it. */
  readonly decodable: boolean;
  /** Why not, when not decodable: "snr" or "collision". */
  readonly lost: "snr" | "collision" | undefined;
}

/** Anything that listens: a gateway's concentrator, a device's transceiver model. */
export interface RadioReceiver {
  readonly name: string;
  readonly position: Position;
  /** Receiver noise figure, dB. */
  readonly noiseFigureDb: number;
  /** A frame's preamble starts reaching this receiver (a transceiver in RX can lock onto it now). */
  onPreamble?(frame: LoraAirFrame): void;
  /** The frame has ended at this receiver: its quality and whether it could be decoded. */
  onFrameEnd(reception: Reception): void;
}

export const DEMODULATOR_FLOOR_DB: Readonly<Record<number, number>> = Object.freeze({ 5: -2.5, 6: -5, 7: -7.5, 8: -10, 9: -12.5, 10: -15, 11: -17.5, 12: -20 });

export interface ChannelOptions {
  seed: number;
  /** Standard deviation of the per-link shadowing, dB (default 8, typical of urban measurements). */
  shadowingDb?: number;
  /** Standard deviation of the per-frame fading, dB (default 2). */
  fadingDb?: number;
  /** Margin by which a frame survives a co-channel, co-SF interferer (default 6 dB). */
  captureDb?: number;
}

export interface ChannelStats {
  frames: number;
  delivered: number;
  lostSnr: number;
  lostCollision: number;
}

/**
 * Whether two LoRa signals are on one channel: a LoRa demodulator locks onto a frame whose carrier is within a
 * quarter of the bandwidth of its own (SX1261/2 datasheet: frequency offset tolerated up to ±25 % of BW), and a
 * transceiver's synthesiser lands within a few hertz of the nominal channel (a 32 MHz / 2^25 step).
 */
export function onChannel(frequencyHz: number, channelHz: number, bandwidthHz: number): boolean {
  return Math.abs(frequencyHz - channelHz) <= bandwidthHz / 4;
}

/** Okumura–Hata median path loss, small/medium city, dB. */
export function hataPathLossDb(frequencyHz: number, distanceM: number, baseHeightM: number, mobileHeightM: number): number {
  const fMhz = frequencyHz / 1e6;
  const hb = Math.max(baseHeightM, mobileHeightM, 1);
  const hm = Math.min(baseHeightM, mobileHeightM, 10);
  const lf = log10(fMhz);
  const a = (1.1 * lf - 0.7) * Math.max(hm, 1) - (1.56 * lf - 0.8);
  const dKm = Math.max(distanceM, 1) / 1000;
  const hata = 69.55 + 26.16 * lf - 13.82 * log10(hb) - a + (44.9 - 6.55 * log10(hb)) * log10(dKm);
  const freeSpace = 20 * log10(Math.max(distanceM, 1)) + 20 * log10(fMhz) - 27.55;
  return Math.max(hata, freeSpace);
}

export function noiseFloorDbm(bandwidthHz: number, noiseFigureDb: number): number {
  return -174 + 10 * log10(bandwidthHz) + noiseFigureDb;
}

interface InFlight {
  frame: LoraAirFrame;
  /** Per receiver: rssi of this frame there. */
  rssi: Map<RadioReceiver, number>;
}

export class RadioChannel {
  readonly stats: ChannelStats = { frames: 0, delivered: 0, lostSnr: 0, lostCollision: 0 };
  readonly #engine: Engine;
  readonly #receivers: RadioReceiver[] = [];
  readonly #positions = new Map<string, Position>();
  readonly #o: Required<ChannelOptions>;
  readonly #rng: Rng;
  readonly #shadowing = new Map<string, number>();
  #inFlight: InFlight[] = [];

  constructor(engine: Engine, options: ChannelOptions) {
    this.#engine = engine;
    this.#o = { shadowingDb: 8, fadingDb: 2, captureDb: 6, ...options };
    this.#rng = new Rng(options.seed).fork("radio-fading");
  }

  /** Where a transmitter stands (its receiver side, if any, is added with `listen`). */
  place(name: string, position: Position): void {
    this.#positions.set(name, position);
  }

  listen(receiver: RadioReceiver): void {
    this.#receivers.push(receiver);
    this.#positions.set(receiver.name, receiver.position);
  }

  /** Mean path loss plus the link's fixed shadowing, dB (symmetric). */
  linkLossDb(a: string, b: string, frequencyHz: number): number {
    const pa = this.#positions.get(a);
    const pb = this.#positions.get(b);
    if (!pa || !pb) throw new Error(`radio: ${pa ? b : a} has no position`);
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    let shadow = this.#shadowing.get(key);
    if (shadow === undefined) {
      shadow = new Rng(this.#rng.key).fork(key).normal(0, this.#o.shadowingDb);
      this.#shadowing.set(key, shadow);
    }
    const d = Math.sqrt((pa.x - pb.x) ** 2 + (pa.y - pb.y) ** 2);
    return hataPathLossDb(frequencyHz, d, Math.max(pa.height, pb.height), Math.min(pa.height, pb.height)) + shadow;
  }

  /** Put a frame on the air; receivers hear its preamble now and its end at `endUs`. */
  transmit(frame: LoraAirFrame): void {
    if (!(frame.endUs > frame.startUs)) throw new RangeError(`radio: frame from ${frame.sender} ends before it starts`);
    this.stats.frames++;
    const rssi = new Map<RadioReceiver, number>();
    for (const r of this.#receivers) {
      if (r.name === frame.sender) continue;
      const fading = this.#o.fadingDb > 0 ? this.#rng.normal(0, this.#o.fadingDb) : 0;
      rssi.set(r, frame.powerDbm - this.linkLossDb(frame.sender, r.name, frame.frequencyHz) + fading);
    }
    const flight: InFlight = { frame, rssi };
    this.#inFlight.push(flight);
    this.#engine.at(frame.startUs, () => {
      for (const r of rssi.keys()) r.onPreamble?.(frame);
    });
    this.#engine.at(frame.endUs, () => this.#end(flight));
  }

  #end(flight: InFlight): void {
    const f = flight.frame;
    const floor = DEMODULATOR_FLOOR_DB[f.sf] ?? 0;
    for (const [r, rssi] of flight.rssi) {
      const snr = rssi - noiseFloorDbm(f.bandwidthHz, r.noiseFigureDb);
      let lost: "snr" | "collision" | undefined = snr < floor ? "snr" : undefined;
      if (!lost) {
        for (const other of this.#inFlight) {
          const o = other.frame;
          if (other === flight || !onChannel(o.frequencyHz, f.frequencyHz, f.bandwidthHz) || o.sf !== f.sf || o.endUs <= f.startUs || o.startUs >= f.endUs) continue;
          const interferer = other.rssi.get(r);
          if (interferer !== undefined && rssi - interferer < this.#o.captureDb) {
            lost = "collision";
            break;
          }
        }
      }
      if (lost === "snr") this.stats.lostSnr++;
      else if (lost === "collision") this.stats.lostCollision++;
      else this.stats.delivered++;
      r.onFrameEnd({ frame: f, rssiDbm: Math.round(rssi * 10) / 10, snrDb: Math.round(snr * 10) / 10, decodable: lost === undefined, lost });
    }
    // Frames that ended before anything still in flight started can no longer interfere.
    const now = this.#engine.now;
    let earliest = Infinity;
    for (const x of this.#inFlight) if (x.frame.endUs > now && x.frame.startUs < earliest) earliest = x.frame.startUs;
    this.#inFlight = this.#inFlight.filter((x) => x.frame.endUs > now || x.frame.endUs > earliest);
  }

  /** Linear helper for tests and reports: dBm → mW. */
  static mw(dbm: number): number {
    return pow(10, dbm / 10);
  }
}
