/**
 * A simulated LoRaWAN gateway: an 8-channel concentrator on the radio channel and a Semtech UDP packet forwarder
 * towards a network server (the embedded one, or a real one), as a Kerlink or RAK gateway on a Kunming rooftop.
 *
 * - Uplinks it hears on its channels, decodable and with a good CRC, go up in PUSH_DATA with the concentrator's
 *   32-bit microsecond counter (`tmst`, with a per-gateway offset: counters are not synchronised) and GPS time.
 * - PULL_DATA every `keepaliveS` opens the downlink route; PULL_RESP schedules a transmission at a `tmst`, answered
 *   by TX_ACK: NONE, TOO_LATE (the time has passed), COLLISION_PACKET (another downlink overlaps) or
 *   TX_FREQ (a frequency it cannot use). While it transmits it hears nothing (half duplex).
 */
import { airtimeMicros } from "../../../runtime/link/lorawan/airtime.js";
import type { Engine, Micros } from "../engine.js";
import type { DatagramNetwork, DatagramSocket } from "../network.js";
import type { LoraAirFrame, Position, RadioChannel, RadioReceiver, Reception } from "./channel.js";
import { onChannel } from "./channel.js";
import { decodeGwmp, encodeGwmp, GwmpError, loraDatr, parseDatr } from "./semtech-udp.js";
import type { Rxpk, Txpk } from "./semtech-udp.js";
import { base64Decode, base64Encode } from "./base64.js";

export interface GatewayOptions {
  eui: string;
  position: Position;
  /** Uplink frequencies the concentrator listens on, Hz (index = IF channel). */
  channels: readonly number[];
  /** Downlink frequency range it may transmit in, Hz. */
  txRangeHz: readonly [number, number];
  engine: Engine;
  radio: RadioChannel;
  network: DatagramNetwork;
  server: { address: string; port: number };
  /** Unix ms at virtual time 0, for the GPS `time` field. */
  epochMs: number;
  /** Concentrator counter offset, µs (seeded per gateway). */
  tmstOffset: number;
  keepaliveS?: number;
  noiseFigureDb?: number;
  antennaGainDb?: number;
}

export interface GatewayStats {
  heard: number;
  forwarded: number;
  crcOrSnrLost: number;
  collisions: number;
  missedWhileTransmitting: number;
  downlinks: number;
  downlinkErrors: Record<string, number>;
  malformed: number;
}

/** Virtual time for a concentrator counter value, unwrapped to the 2^32 µs period nearest `now`. */
export function unwrapTmst(tmst: number, offset: number, now: Micros): Micros {
  const period = 4_294_967_296;
  const nowCounter = (now + offset) % period;
  let delta = tmst - nowCounter;
  if (delta > period / 2) delta -= period;
  if (delta < -period / 2) delta += period;
  return now + delta;
}

export function isoMicros(epochMs: number, us: Micros): string {
  const ms = epochMs + Math.floor(us / 1000);
  const iso = new Date(ms).toISOString(); // 2026-06-01T00:00:00.000Z
  return `${iso.slice(0, 23)}${String(us % 1000).padStart(3, "0")}Z`;
}

export class SimGateway implements RadioReceiver {
  readonly name: string;
  readonly position: Position;
  readonly noiseFigureDb: number;
  readonly stats: GatewayStats = { heard: 0, forwarded: 0, crcOrSnrLost: 0, collisions: 0, missedWhileTransmitting: 0, downlinks: 0, downlinkErrors: {}, malformed: 0 };
  readonly #o: GatewayOptions;
  readonly #socket: DatagramSocket;
  #token = 0;
  /** Scheduled or ongoing transmissions, [start, end) in engine µs. */
  #tx: { start: Micros; end: Micros }[] = [];

  constructor(options: GatewayOptions) {
    this.#o = options;
    this.name = options.eui;
    this.position = options.position;
    this.noiseFigureDb = options.noiseFigureDb ?? 6;
    this.#socket = options.network.open(options.eui, options.server.address, options.server.port, { message: (b) => this.#datagram(b) });
    options.radio.listen(this);
    const every = (options.keepaliveS ?? 10) * 1_000_000;
    const pull = (): void => {
      this.#send({ type: "PULL_DATA", token: this.#nextToken(), gateway: options.eui });
      options.engine.at(options.engine.now + every, pull);
    };
    options.engine.at(options.engine.now, pull);
  }

  #nextToken(): number {
    this.#token = (this.#token + 1) & 0xffff;
    return this.#token;
  }

  #send(p: Parameters<typeof encodeGwmp>[0]): void {
    this.#socket.send(encodeGwmp(p));
  }

  #transmitting(start: Micros, end: Micros): boolean {
    return this.#tx.some((t) => t.start < end && start < t.end);
  }

  onFrameEnd(r: Reception): void {
    const f = r.frame;
    if (f.invertIq) return; // another gateway's downlink: concentrators listen with normal IQ
    const chan = this.#o.channels.findIndex((c) => onChannel(f.frequencyHz, c, f.bandwidthHz));
    if (chan < 0) return;
    this.stats.heard++;
    if (this.#transmitting(f.startUs, f.endUs)) {
      this.stats.missedWhileTransmitting++;
      return;
    }
    if (!r.decodable) {
      if (r.lost === "collision") this.stats.collisions++;
      else this.stats.crcOrSnrLost++;
      return;
    }
    const now = this.#o.engine.now;
    const rxpk: Rxpk = {
      time: isoMicros(this.#o.epochMs, now),
      tmst: (now + this.#o.tmstOffset) % 4_294_967_296,
      // The concentrator reports the channel it demodulated on.
      freq: this.#o.channels[chan]! / 1e6,
      chan,
      rfch: 0,
      stat: 1,
      modu: "LORA",
      datr: loraDatr(f.sf, f.bandwidthHz),
      codr: `4/${f.codingRate}`,
      rssi: Math.round(r.rssiDbm + (this.#o.antennaGainDb ?? 0)),
      lsnr: r.snrDb,
      size: f.payload.length,
      data: base64Encode(f.payload),
    };
    this.stats.forwarded++;
    this.#send({ type: "PUSH_DATA", token: this.#nextToken(), gateway: this.#o.eui, rxpk: [rxpk] });
  }

  #datagram(bytes: Uint8Array): void {
    let p;
    try {
      p = decodeGwmp(bytes);
    } catch (e) {
      this.stats.malformed++;
      void (e as GwmpError);
      return;
    }
    if (p.type !== "PULL_RESP") return; // PUSH_ACK / PULL_ACK: nothing to do
    const error = this.#schedule(p.txpk);
    if (error !== "NONE") this.stats.downlinkErrors[error] = (this.stats.downlinkErrors[error] ?? 0) + 1;
    this.#send({ type: "TX_ACK", token: p.token, gateway: this.#o.eui, error });
  }

  #schedule(t: Txpk): string {
    const engine = this.#o.engine;
    const now = engine.now;
    const freqHz = Math.round(t.freq * 1e6);
    if (freqHz < this.#o.txRangeHz[0] || freqHz > this.#o.txRangeHz[1]) return "TX_FREQ";
    let m;
    let payload;
    try {
      m = parseDatr(t.datr);
      payload = base64Decode(t.data);
    } catch {
      return "TX_PARAM";
    }
    const start = t.imme || t.tmst === undefined ? now : unwrapTmst(t.tmst, this.#o.tmstOffset, now);
    if (start < now) return "TOO_LATE";
    const codingRate = Number(/^4\/([5-8])$/.exec(t.codr)?.[1] ?? 5);
    const preamble = t.prea ?? 8;
    const crc = t.ncrc !== true;
    const end = start + airtimeMicros({ sf: m.sf, bandwidthHz: m.bandwidthHz, codingRate, preamble, payloadBytes: payload.length, explicitHeader: true, crc });
    if (this.#transmitting(start, end)) return "COLLISION_PACKET";
    this.#tx.push({ start, end });
    this.stats.downlinks++;
    const frame: LoraAirFrame = { sender: this.#o.eui, payload, frequencyHz: freqHz, sf: m.sf, bandwidthHz: m.bandwidthHz, codingRate, preamble, invertIq: t.ipol, crc, powerDbm: t.powe + (this.#o.antennaGainDb ?? 0), startUs: start, endUs: end };
    engine.at(start, () => {
      this.#o.radio.transmit(frame);
    });
    engine.at(end, () => {
      this.#tx = this.#tx.filter((x) => x.end > engine.now);
    });
    return "NONE";
  }
}
