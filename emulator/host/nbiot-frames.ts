/**
 * An NB-IoT node's frames in an emulated run, against the simulation's. The device talks to its modem (a BC95) in
 * AT commands on a serial port; the image logs what it wrote there (`U` lines), and the recording holds what the
 * simulated device wrote. Two checks:
 * - the AT stream, byte for byte against the simulated device's: the same commands, in the same order;
 * - the uplink: each datagram the device handed the modem (`AT+NSOST` / `AT+NSOSTF`, BC95 AT manual §4.5–4.6) is
 *   decoded by coap-packet (an implementation no one here wrote), and every POST the server would publish becomes
 *   a frame on the topic its Uri-Path names, as the embedded CoAP server does (simulator/node/nbiot/coap-server.ts);
 *   those frames must be the simulation's, byte for byte. A confirmable request sent again (same message ID) is
 *   one frame, as the server publishes it once.
 */
import coapPacket from "coap-packet";
import { isSenmlTopic, isTelemetryTopic } from "../../runtime/node/topics.js";
import { FrameLog, type Frame } from "../../simulator/node/frame-log.js";
import { MqttTap } from "../../simulator/node/mqtt-tap.js";
import type { Recording } from "../../simulator/node/record.js";
import type { UplinkWrite } from "./analyze.js";
import type { ImageConsole } from "./console.js";
import { compareFrames, type FrameComparison } from "./frame-compare.js";
import { replayUarts } from "./replay-file.js";

/** One datagram the device gave the modem to send: where its AT line started (time and work of that write). */
export interface ModemDatagram extends UplinkWrite {
  bytes: Uint8Array;
}

/** Bytes the device wrote to the modem's port at one moment (the image's `U` records). */
export type SerialWrite = UplinkWrite & { bytes: Uint8Array };

/** `AT+NSOST=<socket>,<ip>,<port>,<length>,<hex>` or `AT+NSOSTF=<socket>,<ip>,<port>,<flag>,<length>,<hex>`. */
const SEND = /^AT\+NSOST(F?)=(\d+),([^,]+),(\d+),(?:(0x[0-9A-Fa-f]+|\d+),)?(\d+),([0-9A-Fa-f]*)$/;

/**
 * The datagrams in what the device wrote to the modem, each stamped with the write that began its command line.
 * A line whose length field disagrees with its data is an error naming the line: the modem would refuse it.
 */
export function modemDatagrams(writes: readonly SerialWrite[]): ModemDatagram[] {
  const out: ModemDatagram[] = [];
  let line = "";
  let start: UplinkWrite | undefined;
  for (const w of writes) {
    for (const b of w.bytes) {
      if (line === "" && b !== 0x0d && b !== 0x0a) start = { at: w.at, realUs: w.realUs, work: w.work };
      if (b === 0x0d || b === 0x0a) {
        const m = SEND.exec(line);
        if (m && (m[1] === "F") === (m[5] !== undefined)) {
          const length = Number(m[6]);
          const hex = m[7]!;
          if (hex.length !== 2 * length) throw new Error(`modem line "${line.slice(0, 60)}…": <length> ${length} but ${hex.length / 2} bytes of data`);
          out.push({ ...start!, bytes: new Uint8Array(Buffer.from(hex, "hex")) });
        }
        line = "";
      } else line += String.fromCharCode(b);
    }
  }
  return out;
}

export interface NbiotFrames {
  /** Datagrams that carried a telemetry frame, for the latency (their first transmission). */
  telemetryWrites: UplinkWrite[];
  frames: Frame[];
  comparison: FrameComparison;
  datagrams: number;
}

/** The first byte where two streams differ, or undefined. */
function firstDifference(a: Uint8Array, b: Uint8Array): number | undefined {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? undefined : n;
}

const concat = (parts: readonly Uint8Array[]): Uint8Array => Buffer.concat(parts.map((p) => Buffer.from(p)));

/** What the image wrote on the modem's port, its datagrams as frames, and both checked against the recording. */
export function nbiotFrames(rec: Recording, c: ImageConsole, modemPort: string, simFrames: readonly Frame[]): NbiotFrames {
  const port = replayUarts(rec).indexOf(modemPort);
  const writes = port < 0 ? [] : c.serial.filter((s) => s.port === port);
  const datagrams = modemDatagrams(writes);
  const log = new FrameLog(new MqttTap(), () => false);
  const telemetryWrites: UplinkWrite[] = [];
  const seen = new Set<number>();
  for (const d of datagrams) {
    let packet;
    try {
      packet = coapPacket.parse(Buffer.from(d.bytes));
    } catch {
      continue;
    }
    if (packet.code !== "0.02" || packet.ack || packet.reset) continue;
    if (seen.has(packet.messageId)) continue;
    seen.add(packet.messageId);
    const topic = packet.options
      .filter((o) => o.name === "Uri-Path")
      .map((o) => Buffer.from(o.value).toString("utf8"))
      .join("/");
    const telemetry = isTelemetryTopic(topic);
    log.record(rec.id, topic, new Uint8Array(packet.payload), d.at, isSenmlTopic(topic));
    if (telemetry) telemetryWrites.push({ at: d.at, realUs: d.realUs, work: d.work });
  }
  const comparison = compareFrames(simFrames, log.frames);
  // The AT stream itself: the same commands as the simulated device's, byte for byte.
  const image = concat(writes.map((w) => w.bytes));
  const simulated = concat((rec.uartTx ?? []).filter((t) => t.link === modemPort).map((t) => Buffer.from(t.hex, "hex")));
  const at = firstDifference(image, simulated);
  if (at !== undefined && comparison.identical) {
    const show = (b: Uint8Array) => JSON.stringify(Buffer.from(b.subarray(at, at + 24)).toString("latin1"));
    comparison.identical = false;
    comparison.firstDifference = `serial port "${modemPort}" byte ${at}: the image wrote ${show(image)}, the simulated device ${show(simulated)}`;
  }
  return { telemetryWrites, frames: log.frames, comparison, datagrams: datagrams.length };
}
