/**
 * A LoRaWAN node's frames in an emulated run, against the simulation's: the PHY payloads the device wrote into the
 * transceiver before each SetTx (the image's `P` records), byte for byte against those of the simulated device; and
 * the broker's frames (the network server's decoded uplinks, ChirpStack's `event/up`), each of which must be the
 * FRMPayload of one of the image's data uplinks, decrypted by lora-packet with the session keys it derives from the
 * image's Join-Request, the JoinAccept the transceiver handed the device and the node's AppKey: an implementation no
 * one here wrote, so the check does not lean on the device's own LoRaWAN code.
 */
import { FrameLog } from "../../simulator/node/frame-log.js";
import type { Frame } from "../../simulator/node/frame-log.js";
import { MqttTap } from "../../simulator/node/mqtt-tap.js";
import { isSenmlPort, TELEMETRY_PORT } from "../../runtime/node/topics.js";
import { loraPacket } from "../../simulator/node/lns/lora-packet.js";
import type { Recording } from "../../simulator/node/record.js";
import type { ImageConsole } from "./console.js";
import type { UplinkWrite } from "./analyze.js";
import type { FrameComparison } from "./frame-compare.js";

const OP_WRITE_BUFFER = 0x0e;
const OP_READ_BUFFER = 0x1e;
const OP_SET_TX = 0x83;

/** PHY payloads sent, in order: what was written into the transceiver's buffer before each SetTx. */
export function phyPayloads(commands: readonly Uint8Array[]): Buffer[] {
  const out: Buffer[] = [];
  let written = Buffer.alloc(0);
  for (const tx of commands) {
    if (tx[0] === OP_WRITE_BUFFER) written = Buffer.from(tx.subarray(2));
    else if (tx[0] === OP_SET_TX) out.push(written);
  }
  return out;
}

export interface LoraFrames {
  /** The image's PHY payloads and the simulation's, hex. */
  imagePhy: string[];
  simPhy: string[];
  /** The image's data uplinks decrypted (FPort > 0), as frame-log frames. */
  frames: Frame[];
  /** The SetTx of each telemetry frame's first transmission, for the sample-to-uplink latency. */
  telemetryWrites: UplinkWrite[];
  comparison: FrameComparison;
}

/**
 * Decrypt the data uplinks: session keys from each accepted join (its Join-Request's DevNonce, the JoinAccept's
 * JoinNonce and NetID, the AppKey; L2 1.0.4 §6.2.5), checked by the JoinAccept's and each uplink's MIC.
 */
function decryptUplinks(phy: readonly Buffer[], joinAccepts: readonly Buffer[], appKey: Buffer, node: string, topic: string, at: readonly number[]): { frames: Frame[]; telemetry: number[] } {
  const log = new FrameLog(new MqttTap(), () => false);
  // Indices of the uplinks that first carried each telemetry frame (a confirmed frame sent again keeps its FCnt).
  const telemetry: number[] = [];
  const counted = new Set<string>();
  let keys: { AppSKey: Buffer; NwkSKey: Buffer } | undefined;
  let devNonce: Buffer | undefined;
  const accepts = [...joinAccepts];
  phy.forEach((bytes, i) => {
    const packet = loraPacket.fromWire(bytes);
    const type = packet.getMType();
    if (type === "Join Request") {
      devNonce = packet.DevNonce;
      return;
    }
    if (type !== "Unconfirmed Data Up" && type !== "Confirmed Data Up") return;
    // The accept that answered the last Join-Request before this uplink.
    while (!keys && accepts.length > 0 && devNonce) {
      const accept = loraPacket.fromWire(loraPacket.decryptJoinAccept(loraPacket.fromWire(accepts.shift()!), appKey));
      if (!loraPacket.verifyMIC(accept, undefined, appKey)) continue;
      keys = loraPacket.generateSessionKeys10(appKey, accept.NetID!, accept.AppNonce!, devNonce);
    }
    if (!keys || !loraPacket.verifyMIC(packet, keys.NwkSKey)) return;
    const port = packet.getFPort();
    if (port === null || port === 0) return;
    const plain = loraPacket.decrypt(packet, keys.AppSKey, keys.NwkSKey);
    log.record(node, topic, new Uint8Array(plain), at[i] ?? 0, isSenmlPort(port));
    const fcnt = `${keys.NwkSKey.toString("hex")}/${packet.getFCnt()}`;
    if (port === TELEMETRY_PORT && !counted.has(fcnt)) {
      counted.add(fcnt);
      telemetry.push(i);
    }
  });
  return { frames: log.frames, telemetry };
}

export function loraFrames(rec: Recording, c: ImageConsole, target: number, appKey: string | undefined, simFrames: readonly Frame[]): LoraFrames {
  const recorded = rec.spi?.[target]?.transactions ?? [];
  const image = c.spi.filter((p) => p.target === target);
  const imagePhy = phyPayloads(image.map((p) => p.tx));
  const simPhy = phyPayloads(recorded.map((t) => Buffer.from(t.txHex, "hex")));
  // What the transceiver handed the device after an RX window: the JoinAccepts among them (MISO after 3 status bytes).
  const received = recorded.filter((t) => t.txHex.startsWith(OP_READ_BUFFER.toString(16))).map((t) => Buffer.from(t.rxHex, "hex").subarray(3));
  const joinAccepts = received.filter((b) => b.length >= 17 && (b[0]! >> 5) === 1);
  const topic = simFrames[0]?.topic ?? "lorawan/up";
  // Each SetTx, the moment the device handed an uplink to the transceiver: for the latency, where a telemetry frame left.
  const setTx = image.filter((p) => p.tx[0] === OP_SET_TX);
  const decrypted = appKey ? decryptUplinks(imagePhy, joinAccepts, Buffer.from(appKey, "hex"), rec.id, topic, setTx.map((p) => p.at)) : { frames: [], telemetry: [] };
  const frames = decrypted.frames;
  const telemetryWrites: UplinkWrite[] = decrypted.telemetry.flatMap((i) => (setTx[i] ? [{ at: setTx[i].at, realUs: setTx[i].realUs, work: setTx[i].work }] : []));

  let firstDifference: string | undefined;
  const n = Math.max(imagePhy.length, simPhy.length);
  for (let i = 0; i < n && !firstDifference; i++) {
    const a = simPhy[i];
    const b = imagePhy[i];
    if (!a || !b) firstDifference = `PHY payload ${i}: only the ${a ? "simulator" : "image"} sent it`;
    else if (!a.equals(b)) firstDifference = `PHY payload ${i}: ${a.toString("hex")} in the simulator, ${b.toString("hex")} in the image`;
  }
  // Every broker frame is one of the image's uplinks decrypted, in order (the network server drops retransmissions
  // and what the air lost, so the image may have sent more).
  let j = 0;
  for (const [i, f] of simFrames.entries()) {
    if (firstDifference) break;
    while (j < frames.length && frames[j]!.hex !== f.hex) j++;
    if (j >= frames.length) firstDifference = `broker frame ${i} (${f.topic}, ${f.hex.slice(0, 32)}…): no uplink of the image decrypts to it`;
    else j++;
  }
  return {
    imagePhy: imagePhy.map((b) => b.toString("hex")),
    simPhy: simPhy.map((b) => b.toString("hex")),
    frames,
    telemetryWrites,
    comparison: { simFrames: simFrames.length, imageFrames: imagePhy.length, identical: firstDifference === undefined && imagePhy.length > 0, firstDifference },
  };
}
