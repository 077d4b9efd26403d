/**
 * The embedded LoRaWAN network server `ganzhi sim` uses by default (as it uses aedes for MQTT): a join server, MIC
 * and frame-counter checks, de-duplication across gateways, ADR, MAC commands and class A downlink scheduling into
 * RX1/RX2. Gateways reach it over real UDP with the Semtech packet-forwarder protocol, so a real network server can
 * take its place (`--lns udp://host:1700`) without anything on the gateway side changing.
 *
 * All LoRaWAN framing and cryptography here is lora-packet's (an independent implementation from the device's MAC
 * in runtime/link/lorawan), so a frame both sides agree on was encoded and decoded by two different codebases.
 *
 * Determinism: the server keeps no clock of its own. Times come from the gateways' `tmst` counters and `time`
 * fields (virtual time), de-duplication closes when the simulator says every gateway has reported (`flush`), and
 * every identifier (DevAddr, JoinNonce, deduplication ids) is derived from what it has seen.
 */
import dgram from "node:dgram";
import { loraPacket } from "./lora-packet.js";
import type { LoraPacket } from "./lora-packet.js";
import { decodeGwmp, encodeGwmp, GwmpError, loraDatr, parseDatr } from "../../core/radio/semtech-udp.js";
import type { Rxpk, Txpk } from "../../core/radio/semtech-udp.js";
import { adrDecision } from "./adr.js";
import type { AdrState } from "./adr.js";
import { codeRateName, deterministicUuid, eventTopic } from "./chirpstack.js";
import type { DeviceInfo, DownlinkCommand, IntegrationEvent, UplinkRxInfo } from "./chirpstack.js";
import { REQUIRED_SNR_DB } from "./region.js";
import { bindUdp } from "../udp.js";
import type { NetworkRegion } from "./region.js";


export interface OtaaDevice {
  devEui: string;
  joinEui: string;
  appKey: string;
  name: string;
}

export interface LnsOptions {
  region: NetworkRegion;
  /** NetID, 6 hex digits (default "000000", a private network: DevAddr NwkID 0). */
  netId?: string;
  applicationId: string;
  applicationName?: string;
  tenantName?: string;
  deviceProfileName?: string;
  /** Channels the gateways listen on; the server restricts each joined device to them with LinkADRReq. */
  channels: readonly number[];
  /** RX1 data-rate offset sent in the JoinAccept's DLSettings. */
  rx1DrOffset?: number;
  /** Integration events (ChirpStack v4 shape). */
  onEvent?: (topic: string, event: Record<string, unknown>) => void;
}

export interface LnsStats {
  pushData: number;
  rxpk: number;
  uplinks: number;
  duplicates: number;
  joins: number;
  joinRejected: number;
  micErrors: number;
  replays: number;
  retransmissions: number;
  unknownDevices: number;
  malformed: number;
  downlinks: number;
  txAckErrors: number;
  adrChanges: number;
}

interface Session {
  device: OtaaDevice;
  devAddr: string;
  nwkSKey: Buffer;
  appSKey: Buffer;
  fCntUp: number;
  /** -1 until the first uplink of the session. */
  lastFCntUp: number;
  fCntDown: number;
  adr: AdrState;
  snr: number[];
  channelsSent: boolean;
  macOut: number[];
  queue: DownlinkCommand[];
  /** A confirmed downlink awaiting the device's ACK bit. */
  awaitingAck: { fCntDown: number; queueItemId: string } | undefined;
}

interface GatewayRoute {
  address: string;
  port: number;
}

interface Reception {
  gateway: string;
  rxpk: Rxpk;
}

/** A downlink the server asked a gateway to send; a TX_ACK (or its absence) settles it. */
interface PendingTx {
  gateway: string;
  txpk: Txpk;
  /** RX2 alternative when the gateway refuses RX1. */
  fallback: Txpk | undefined;
  devEui: string;
}

const MAC_LINK_CHECK = 0x02;
const MAC_LINK_ADR = 0x03;
const MAC_DEV_STATUS = 0x06;
/** Uplink MAC command payload lengths (LoRaWAN 1.0.4 §5, Table 4), to walk FOpts. */
const UPLINK_MAC_LENGTH: Readonly<Record<number, number>> = Object.freeze({ 0x02: 0, 0x03: 1, 0x04: 0, 0x05: 1, 0x06: 2, 0x07: 1, 0x08: 0, 0x09: 0, 0x0a: 1, 0x0d: 0 });

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

export class EmbeddedLns {
  readonly stats: LnsStats = {
    pushData: 0,
    rxpk: 0,
    uplinks: 0,
    duplicates: 0,
    joins: 0,
    joinRejected: 0,
    micErrors: 0,
    replays: 0,
    retransmissions: 0,
    unknownDevices: 0,
    malformed: 0,
    downlinks: 0,
    txAckErrors: 0,
    adrChanges: 0,
  };
  readonly #o: LnsOptions;
  readonly #netId: Buffer;
  readonly #socket = dgram.createSocket("udp4");
  readonly #devices = new Map<string, OtaaDevice>();
  readonly #lastDevNonce = new Map<string, number>();
  readonly #joinNonce = new Map<string, number>();
  readonly #sessions = new Map<string, Session>();
  readonly #byDevAddr = new Map<string, Session>();
  readonly #routes = new Map<string, GatewayRoute>();
  /** Receptions waiting for de-duplication, keyed by PHYPayload, in arrival order. */
  readonly #buckets = new Map<string, Reception[]>();
  readonly #pendingTx = new Map<number, PendingTx>();
  #nextNwkAddr = 1;
  #onDatagram: (() => void) | undefined;
  #token = 0;
  #port = 0;
  /** Warnings for the run summary (malformed datagrams and the like), first occurrence with a count. */
  readonly warnings = new Map<string, number>();

  constructor(options: LnsOptions) {
    this.#o = options;
    this.#netId = Buffer.from(options.netId ?? "000000", "hex");
    this.#socket.on("message", (msg, rinfo) => this.#datagram(new Uint8Array(msg), rinfo.address, rinfo.port));
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `udp://127.0.0.1:${this.#port}`;
  }

  async start(port = 0, address = "127.0.0.1"): Promise<void> {
    this.#port = await bindUdp(this.#socket, port, address);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }

  addDevice(device: OtaaDevice): void {
    for (const [k, n] of [["devEui", 16], ["joinEui", 16], ["appKey", 32]] as const) {
      if (!new RegExp(`^[0-9a-f]{${n}}$`).test(device[k])) throw new Error(`device ${device.name}: ${k} must be ${n} lower-case hex digits`);
    }
    this.#devices.set(device.devEui, device);
  }

  /** Queue an application downlink (from `command/down`); it goes out in the device's next receive window. */
  enqueue(command: DownlinkCommand): void {
    const s = this.#sessions.get(command.devEui);
    if (!s) {
      this.#warn(`downlink for ${command.devEui} dropped: the device has not joined`);
      return;
    }
    s.queue.push(command);
  }

  /** Called after each datagram the server receives (the simulator's I/O gate re-checks what is owed). */
  set onDatagram(fn: (() => void) | undefined) {
    this.#onDatagram = fn;
  }

  /** Receptions not yet processed (the simulator calls `flush` once every gateway has reported). */
  get pending(): number {
    return this.#buckets.size;
  }

  /** Close de-duplication: process every uplink received so far, strongest gateway first. */
  flush(): void {
    const buckets = [...this.#buckets.values()];
    this.#buckets.clear();
    for (const receptions of buckets) {
      try {
        this.#uplink(receptions);
      } catch (e) {
        this.stats.malformed++;
        this.#warn(`uplink rejected: ${(e as Error).message}`);
      }
    }
  }

  #warn(message: string): void {
    this.warnings.set(message, (this.warnings.get(message) ?? 0) + 1);
  }

  /** Datagrams received and sent, so the simulator can tell when every exchange in flight has landed. */
  datagramsIn = 0;
  datagramsOut = 0;

  #send(bytes: Uint8Array, route: GatewayRoute): void {
    this.datagramsOut++;
    this.#socket.send(bytes, route.port, route.address);
  }

  #datagram(bytes: Uint8Array, address: string, port: number): void {
    this.datagramsIn++;
    this.#handle(bytes, address, port);
    this.#onDatagram?.();
  }

  #handle(bytes: Uint8Array, address: string, port: number): void {
    let p;
    try {
      p = decodeGwmp(bytes);
    } catch (e) {
      this.stats.malformed++;
      this.#warn(`datagram from ${address}:${port} ignored: ${(e as GwmpError).message}`);
      return;
    }
    switch (p.type) {
      case "PUSH_DATA":
        this.stats.pushData++;
        this.#send(encodeGwmp({ type: "PUSH_ACK", token: p.token }), { address, port });
        for (const rxpk of p.rxpk) {
          this.stats.rxpk++;
          if (rxpk.stat !== 1 || rxpk.modu !== "LORA") continue;
          const key = rxpk.data;
          const list = this.#buckets.get(key);
          if (list) list.push({ gateway: p.gateway, rxpk });
          else this.#buckets.set(key, [{ gateway: p.gateway, rxpk }]);
        }
        return;
      case "PULL_DATA":
        this.#routes.set(p.gateway, { address, port });
        this.#send(encodeGwmp({ type: "PULL_ACK", token: p.token }), { address, port });
        return;
      case "TX_ACK": {
        const tx = this.#pendingTx.get(p.token);
        this.#pendingTx.delete(p.token);
        if (!tx || p.error === "NONE") return;
        this.stats.txAckErrors++;
        this.#warn(`gateway ${p.gateway} refused a downlink: ${p.error}`);
        if (tx.fallback) this.#transmit(tx.gateway, tx.fallback, undefined, tx.devEui);
        return;
      }
      default:
        this.stats.malformed++;
        this.#warn(`unexpected ${p.type} from a gateway`);
    }
  }

  #transmit(gateway: string, txpk: Txpk, fallback: Txpk | undefined, devEui: string): void {
    const route = this.#routes.get(gateway);
    if (!route) {
      this.#warn(`gateway ${gateway} has not sent PULL_DATA: no route for downlinks`);
      return;
    }
    this.#token = (this.#token + 1) & 0xffff;
    this.#pendingTx.set(this.#token, { gateway, txpk, fallback, devEui });
    this.stats.downlinks++;
    this.#send(encodeGwmp({ type: "PULL_RESP", token: this.#token, txpk }), route);
  }

  #deviceInfo(d: OtaaDevice): DeviceInfo {
    return {
      tenantId: deterministicUuid("tenant", this.#o.tenantName ?? "ganzhi"),
      tenantName: this.#o.tenantName ?? "ganzhi",
      applicationId: this.#o.applicationId,
      applicationName: this.#o.applicationName ?? this.#o.applicationId,
      deviceProfileId: deterministicUuid("profile", this.#o.deviceProfileName ?? "class-a"),
      deviceProfileName: this.#o.deviceProfileName ?? "class-a",
      deviceName: d.name,
      devEui: d.devEui,
      deviceClassEnabled: "CLASS_A",
      tags: {},
    };
  }

  #event(d: OtaaDevice, kind: IntegrationEvent, body: Record<string, unknown>): void {
    this.#o.onEvent?.(eventTopic(this.#o.applicationId, d.devEui, kind), { ...body, deviceInfo: this.#deviceInfo(d) });
  }

  /** The downlink for an uplink heard by `best`: RX1 `delayS` after it, RX2 one second later as the fallback. */
  #schedule(best: Reception, phy: Uint8Array, delayS: number, dr: number, devEui: string): void {
    const region = this.#o.region;
    const up = parseDatr(best.rxpk.datr);
    const upDr = region.drOf(up.sf, up.bandwidthHz);
    const rx1 = region.rx1(Math.round(best.rxpk.freq * 1e6), upDr, this.#o.rx1DrOffset ?? 0);
    const txpk = (freqHz: number, txDr: number, afterS: number): Txpk => {
      const m = region.dataRate(txDr);
      return {
        imme: false,
        tmst: (best.rxpk.tmst + afterS * 1_000_000) >>> 0,
        freq: freqHz / 1e6,
        rfch: 0,
        powe: region.downlinkPowerDbm,
        modu: "LORA",
        datr: loraDatr(m.sf, m.bandwidthHz),
        codr: "4/5",
        ipol: true,
        prea: 8,
        size: phy.length,
        data: Buffer.from(phy).toString("base64"),
        ncrc: true,
      };
    };
    void dr;
    this.#transmit(best.gateway, txpk(rx1.frequencyHz, rx1.dr, delayS), txpk(region.rx2.frequencyHz, region.rx2.dr, delayS + 1), devEui);
  }

  #uplink(receptions: Reception[]): void {
    // Strongest first: the gateway that answers, and the order rxInfo lists them.
    receptions.sort((a, b) => b.rxpk.lsnr - a.rxpk.lsnr || b.rxpk.rssi - a.rxpk.rssi || (a.gateway < b.gateway ? -1 : 1));
    this.stats.uplinks++;
    this.stats.duplicates += receptions.length - 1;
    const best = receptions[0]!;
    const phy = Buffer.from(best.rxpk.data, "base64");
    let packet: LoraPacket;
    try {
      packet = loraPacket.fromWire(phy);
    } catch (e) {
      throw new Error(`PHYPayload ${phy.toString("hex")} does not parse: ${(e as Error).message}`);
    }
    if (packet.isJoinRequestMessage()) this.#join(packet, receptions);
    else if (packet.isDataMessage() && packet.getDir() === "up") this.#data(packet, receptions);
    else this.#warn(`uplink of type ${packet.getMType()} ignored`);
  }

  #join(packet: LoraPacket, receptions: Reception[]): void {
    const devEui = packet.DevEUI!.toString("hex");
    const device = this.#devices.get(devEui);
    if (!device) {
      this.stats.unknownDevices++;
      this.#warn(`JoinRequest from unknown DevEUI ${devEui}`);
      return;
    }
    if (packet.AppEUI!.toString("hex") !== device.joinEui) {
      this.stats.joinRejected++;
      this.#logEvent(device, "OTAA", `JoinEUI ${packet.AppEUI!.toString("hex")} is not the device's`);
      return;
    }
    const appKey = Buffer.from(device.appKey, "hex");
    if (!loraPacket.verifyMIC(packet, undefined, appKey)) {
      this.stats.micErrors++;
      this.stats.joinRejected++;
      this.#logEvent(device, "OTAA", "JoinRequest MIC is wrong");
      return;
    }
    // LoRaWAN 1.0.4 §6.2.5: DevNonce is a counter; the join server ignores one that did not increase.
    const devNonce = packet.DevNonce!.readUInt16BE(0);
    const last = this.#lastDevNonce.get(devEui);
    if (last !== undefined && devNonce <= last) {
      this.stats.joinRejected++;
      this.#logEvent(device, "OTAA", `DevNonce ${devNonce} was not above the last one used (${last}): join ignored`);
      return;
    }
    this.#lastDevNonce.set(devEui, devNonce);
    const joinNonce = (this.#joinNonce.get(devEui) ?? 0) + 1;
    this.#joinNonce.set(devEui, joinNonce);
    const appNonce = Buffer.from([(joinNonce >>> 16) & 0xff, (joinNonce >>> 8) & 0xff, joinNonce & 0xff]);
    // DevAddr = NwkID (7 MSBs of the NetID's low bits; 0 for a private network) | NwkAddr (25 bits).
    const nwkId = this.#netId[2]! & 0x7f;
    const previous = this.#sessions.get(devEui);
    const nwkAddr = previous ? parseInt(previous.devAddr, 16) & 0x1ffffff : this.#nextNwkAddr++;
    const devAddrNum = ((nwkId << 25) | nwkAddr) >>> 0;
    const devAddr = Buffer.alloc(4);
    devAddr.writeUInt32BE(devAddrNum, 0);
    const region = this.#o.region;
    const dlSettings = (((this.#o.rx1DrOffset ?? 0) & 0x07) << 4) | (region.rx2.dr & 0x0f);
    const accept = loraPacket.fromFields(
      { MType: "Join Accept", AppNonce: appNonce, NetID: this.#netId, DevAddr: devAddr, DLSettings: dlSettings, RxDelay: 1, CFList: Buffer.from(region.cfList(this.#o.channels)) },
      undefined,
      undefined,
      appKey,
    );
    const keys = loraPacket.generateSessionKeys10(appKey, this.#netId, appNonce, packet.DevNonce!);
    if (previous) this.#byDevAddr.delete(previous.devAddr);
    const session: Session = {
      device,
      devAddr: devAddr.toString("hex"),
      nwkSKey: keys.NwkSKey,
      appSKey: keys.AppSKey,
      fCntUp: 0,
      lastFCntUp: -1,
      fCntDown: 0,
      adr: { dr: 0, txPowerIndex: 0, nbTrans: 1 },
      snr: [],
      // The CFList already set the channel mask; LinkADRReq follows only when ADR changes something.
      channelsSent: true,
      macOut: [],
      queue: previous?.queue ?? [],
      awaitingAck: undefined,
    };
    this.#sessions.set(devEui, session);
    this.#byDevAddr.set(session.devAddr, session);
    this.stats.joins++;
    const best = receptions[0]!;
    this.#schedule(best, accept.getPHYPayload()!, 5, 0, devEui);
    this.#event(device, "join", {
      deduplicationId: deterministicUuid("join", devEui, devNonce, best.rxpk.tmst),
      time: best.rxpk.time,
      devAddr: session.devAddr,
    });
  }

  #logEvent(device: OtaaDevice, code: string, description: string): void {
    this.#event(device, "log", { time: undefined, level: "ERROR", code, description, context: {} });
  }

  #data(packet: LoraPacket, receptions: Reception[]): void {
    const devAddr = packet.DevAddr!.toString("hex");
    const s = this.#byDevAddr.get(devAddr);
    if (!s) {
      this.stats.unknownDevices++;
      this.#warn(`uplink from unknown DevAddr ${devAddr}`);
      return;
    }
    // The 32-bit counter from its 16 transmitted bits: in the last one's epoch, or the next after a wrap. The MIC
    // decides which (it covers all 32 bits), so a replayed old frame is told apart from a counter that wrapped.
    const f16 = packet.getFCnt()!;
    const base = s.lastFCntUp < 0 ? 0 : s.lastFCntUp;
    const sameEpoch = ((base & 0xffff0000) | f16) >>> 0;
    let fcnt = -1;
    let msb = Buffer.alloc(2);
    for (const candidate of [sameEpoch, sameEpoch + 0x10000]) {
      const m = Buffer.from([(candidate >>> 16) & 0xff, (candidate >>> 24) & 0xff]);
      if (loraPacket.verifyMIC(packet, s.nwkSKey, undefined, m)) {
        fcnt = candidate;
        msb = m;
        break;
      }
    }
    if (fcnt < 0) {
      this.stats.micErrors++;
      this.#logEvent(s.device, "UPLINK_MIC", `MIC of FCnt ${f16} does not verify`);
      return;
    }
    const best = receptions[0]!;
    const retransmission = fcnt === s.lastFCntUp;
    if (fcnt < s.lastFCntUp) {
      this.stats.replays++;
      this.#logEvent(s.device, "UPLINK_F_CNT_RETRANSMISSION", `FCnt ${fcnt} is below the last one (${s.lastFCntUp}): replay rejected`);
      return;
    }
    if (retransmission) this.stats.retransmissions++;
    s.lastFCntUp = fcnt;

    const port = packet.getFPort();
    const plain = port === null ? Buffer.alloc(0) : loraPacket.decrypt(packet, s.appSKey, s.nwkSKey, msb);
    const fopts = packet.FOpts ?? Buffer.alloc(0);
    const macIn = port === 0 ? plain : fopts;
    const adrAckReq = packet.getFCtrlADRACKReq() === true;
    const up = parseDatr(best.rxpk.datr);
    const region = this.#o.region;
    const upDr = region.drOf(up.sf, up.bandwidthHz);

    if (s.awaitingAck && packet.getFCtrlACK() !== null) {
      const acked = packet.getFCtrlACK() === true;
      this.#event(s.device, "ack", { deduplicationId: deterministicUuid("ack", s.device.devEui, fcnt), time: best.rxpk.time, queueItemId: s.awaitingAck.queueItemId, acknowledged: acked, fCntDown: s.awaitingAck.fCntDown });
      s.awaitingAck = undefined;
    }
    if (!retransmission) this.#macCommands(s, macIn, receptions, upDr);

    if (packet.getFCtrlADR()) {
      s.adr.dr = upDr;
      s.snr.push(best.rxpk.lsnr);
      if (s.snr.length > 20) s.snr.shift();
      const next = adrDecision(region, s.adr, s.snr);
      if (next.dr !== s.adr.dr || next.txPowerIndex !== s.adr.txPowerIndex || !s.channelsSent) {
        const changed = next.dr !== s.adr.dr || next.txPowerIndex !== s.adr.txPowerIndex;
        this.#queueLinkAdr(s, next);
        if (changed) {
          this.stats.adrChanges++;
          // The SNRs heard so far were at the old rate and power: the next decision waits for a full history under
          // the new ones, or it would spend the same margin again on every uplink until frames are lost.
          s.snr.length = 0;
        }
      }
    } else if (!s.channelsSent) {
      this.#queueLinkAdr(s, { dr: upDr, txPowerIndex: s.adr.txPowerIndex, nbTrans: 1 });
    }

    if (port !== null && port > 0 && !retransmission) {
      this.#event(s.device, "up", {
        deduplicationId: deterministicUuid("up", s.device.devEui, fcnt, best.rxpk.tmst),
        time: best.rxpk.time,
        devAddr,
        adr: packet.getFCtrlADR() === true,
        dr: upDr,
        fCnt: fcnt,
        fPort: port,
        confirmed: packet.isConfirmed(),
        data: plain.toString("base64"),
        rxInfo: receptions.map((r): UplinkRxInfo => ({
          gatewayId: r.gateway,
          uplinkId: r.rxpk.tmst,
          time: r.rxpk.time ?? "",
          rssi: r.rxpk.rssi,
          snr: r.rxpk.lsnr,
          channel: r.rxpk.chan,
          rfChain: r.rxpk.rfch,
          context: Buffer.from(Uint32Array.of(r.rxpk.tmst).buffer).toString("base64"),
          crcStatus: "CRC_OK",
        })),
        txInfo: { frequency: Math.round(best.rxpk.freq * 1e6), modulation: { lora: { bandwidth: up.bandwidthHz, spreadingFactor: up.sf, codeRate: codeRateName(best.rxpk.codr) } } },
      });
    }

    const needs = packet.isConfirmed() || adrAckReq || s.macOut.length > 0 || s.queue.length > 0;
    if (needs) this.#downlink(s, best, packet.isConfirmed(), upDr);
  }

  #macCommands(s: Session, bytes: Uint8Array, receptions: Reception[], upDr: number): void {
    const region = this.#o.region;
    for (let i = 0; i < bytes.length; ) {
      const cid = bytes[i]!;
      const len = UPLINK_MAC_LENGTH[cid];
      if (len === undefined) {
        this.#warn(`${s.device.name}: unknown uplink MAC command 0x${cid.toString(16)}; rest of FOpts skipped`);
        return;
      }
      const body = bytes.subarray(i + 1, i + 1 + len);
      if (cid === MAC_LINK_CHECK) {
        // LinkCheckAns: demodulation margin above the floor of the uplink's data rate, and how many gateways heard it.
        const floor = REQUIRED_SNR_DB[region.dataRate(upDr).sf]!;
        const margin = Math.max(0, Math.min(254, Math.round(receptions[0]!.rxpk.lsnr - floor)));
        s.macOut.push(MAC_LINK_CHECK, margin, Math.min(255, receptions.length));
      } else if (cid === MAC_DEV_STATUS && body.length === 2) {
        const battery = body[0]!;
        const margin = ((body[1]! & 0x3f) << 26) >> 26; // 6-bit two's complement
        this.#event(s.device, "status", {
          deduplicationId: deterministicUuid("status", s.device.devEui, s.lastFCntUp),
          time: receptions[0]!.rxpk.time,
          margin,
          externalPowerSource: battery === 0,
          batteryLevelUnavailable: battery === 255,
          batteryLevel: battery === 0 || battery === 255 ? 0 : Math.round(((battery - 1) / 253) * 10000) / 100,
        });
      } else if (cid === MAC_LINK_ADR && body.length === 1) {
        if ((body[0]! & 0x07) !== 0x07) this.#warn(`${s.device.name}: LinkADRAns refused part of a LinkADRReq (status 0x${body[0]!.toString(16)})`);
      }
      i += 1 + len;
    }
  }

  #queueLinkAdr(s: Session, next: AdrState): void {
    for (const cmd of this.#o.region.channelMaskCommands(this.#o.channels, next.dr, next.txPowerIndex, next.nbTrans)) s.macOut.push(MAC_LINK_ADR, ...cmd);
    s.adr = next;
    s.channelsSent = true;
  }

  #downlink(s: Session, best: Reception, ack: boolean, upDr: number): void {
    const region = this.#o.region;
    const rx1Dr = region.rx1(Math.round(best.rxpk.freq * 1e6), upDr, this.#o.rx1DrOffset ?? 0).dr;
    // FOpts holds at most 15 bytes of MAC commands (LoRaWAN 1.0.4 §4.3.1.6); more go on port 0 instead.
    const macBytes = Buffer.from(s.macOut.splice(0));
    const maxMac = region.maxMacPayload(rx1Dr) - 8; // MACPayload − FHDR(7) − FPort(1)
    let fopts = Buffer.alloc(0);
    let port: number | undefined;
    let payload: Buffer | undefined;
    let confirmed = false;
    let queueItemId: string | undefined;
    if (macBytes.length > 15) {
      port = 0;
      payload = macBytes;
    } else {
      fopts = macBytes;
      const next = s.queue[0];
      if (next && next.data.length + fopts.length <= maxMac) {
        s.queue.shift();
        port = next.fPort;
        payload = Buffer.from(next.data);
        confirmed = next.confirmed;
        queueItemId = deterministicUuid("queue", s.device.devEui, s.fCntDown);
      } else if (next) {
        this.#warn(`${s.device.name}: a ${next.data.length}-byte downlink does not fit DR${rx1Dr}; it waits`);
      }
    }
    const fCntDown = s.fCntDown++;
    const msb = Buffer.from([(fCntDown >>> 16) & 0xff, (fCntDown >>> 24) & 0xff]);
    const fields: Parameters<typeof loraPacket.fromFields>[0] = {
      MType: confirmed ? "Confirmed Data Down" : "Unconfirmed Data Down",
      DevAddr: Buffer.from(s.devAddr, "hex"),
      FCtrl: { ADR: true, ACK: ack, FPending: s.queue.length > 0, ADRACKReq: false },
      FCnt: fCntDown & 0xffff,
      FOpts: fopts,
    };
    if (port !== undefined) {
      fields.FPort = port;
      fields.payload = payload!;
    } else {
      fields.payload = Buffer.alloc(0);
    }
    const frame = loraPacket.fromFields(fields, s.appSKey, s.nwkSKey, undefined, msb);
    // lora-packet computes the MIC only for frames with an FPort; an ACK or FOpts-only frame has none (§4.3.2).
    if (port === undefined) loraPacket.recalculateMIC(frame, s.nwkSKey, undefined, msb);
    if (confirmed) s.awaitingAck = { fCntDown, queueItemId: queueItemId! };
    this.#schedule(best, frame.getPHYPayload()!, 1, rx1Dr, s.device.devEui);
    if (queueItemId) {
      this.#event(s.device, "txack", { downlinkId: best.rxpk.tmst, time: best.rxpk.time, queueItemId, fCntDown, gatewayId: best.gateway });
    }
  }

  /** Session state for tests and the summary. */
  session(devEui: string): { devAddr: string; nwkSKey: string; appSKey: string; lastFCntUp: number; fCntDown: number; dr: number; txPowerIndex: number } | undefined {
    const s = this.#sessions.get(devEui);
    return s && { devAddr: s.devAddr, nwkSKey: hex(s.nwkSKey), appSKey: hex(s.appSKey), lastFCntUp: s.lastFCntUp, fCntDown: s.fCntDown, dr: s.adr.dr, txPowerIndex: s.adr.txPowerIndex };
  }
}
