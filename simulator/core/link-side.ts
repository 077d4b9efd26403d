/**
 * The half of a run's link world that shares virtual time with the nodes, built the same way on every engine (V8,
 * and inside XS next to the part models): LoRaWAN's air and the city's gateways on it, or NB-IoT's core stand-in;
 * where the nodes stand and what their part models see of them; their counters. It reaches the servers that stay
 * in Node (the network server, the CoAP server) through a `DatagramNetwork`: the real UDP bridges on V8, the
 * process boundary on XS.
 *
 * Portable: no Node APIs.
 */
import { uplinkFrequencyHz } from "../../runtime/link/lorawan/region-cn470.js";
import type { Engine } from "./engine.js";
import type { DatagramNetwork } from "./network.js";
import { NbiotCore } from "./nbiot/core.js";
import type { NbiotCell, NbiotCoreOptions } from "./nbiot/core.js";
import { noLinkSide } from "./link-side-none.js";
import type { ModelContext } from "./parts.js";
import { RadioChannel } from "./radio/channel.js";
import { SimGateway } from "./radio/gateway.js";
import { kunmingRadioPlan } from "./radio/kunming-network.js";
import type { RadioPlan } from "./radio/kunming-network.js";

/** What the side needs to know of the Node half: which link, and where the gateways' network server listens. */
export type LinkSideSpec =
  | { link: "mqtt" }
  | { link: "lorawan"; server: { address: string; port: number } }
  | { link: "nbiot" };

export interface LinkSideOptions {
  engine: Engine;
  seed: number;
  /** Unix ms of virtual time 0 (the gateways' GPS time). */
  epochMs: number;
  /** The nodes' ids, in fleet order (NB-IoT UEs are named by them). */
  ids: readonly string[];
  /** Where the gateways' forwarders and the core's UDP go (LoRaWAN and NB-IoT need one). */
  network?: DatagramNetwork;
}

export interface LinkSide {
  /** What node `index`'s part models see: the air and where it stands, or the NB-IoT cells. */
  modelContext(index: number): Partial<ModelContext>;
  /** Counters of the air and gateways, or of the core. */
  stats(): Record<string, number>;
  readonly radio: RadioChannel | undefined;
  readonly gateways: readonly SimGateway[];
  readonly core: NbiotCore | undefined;
  close(): void;
}

/** The NB-IoT cells of a run: one at the origin, its antenna 30 m up. */
export const DEFAULT_NBIOT_CELLS: readonly NbiotCell[] = Object.freeze([Object.freeze({ name: "cell-1", position: Object.freeze({ x: 0, y: 0, height: 30 }) })]);

/** CN470 downlinks: RX1 500.3–509.7 MHz, RX2 505.3 MHz. */
const CN470_DOWNLINK_RANGE_HZ: readonly [number, number] = Object.freeze([500_000_000, 510_000_000]) as readonly [number, number];

/** The air of a LoRaWAN run and the city's gateways on it, forwarding to `server` over `network`. */
export function buildLorawanAir(o: Omit<LinkSideOptions, "ids"> & { network: DatagramNetwork; plan: RadioPlan; server: { address: string; port: number } }): { radio: RadioChannel; gateways: SimGateway[] } {
  const radio = new RadioChannel(o.engine, { seed: o.seed });
  const channels = o.plan.gatewayChannels.map(uplinkFrequencyHz);
  const gateways = o.plan.gateways.map(
    (g) =>
      new SimGateway({
        eui: g.eui,
        position: g.position,
        channels,
        txRangeHz: CN470_DOWNLINK_RANGE_HZ,
        engine: o.engine,
        radio,
        network: o.network,
        server: o.server,
        epochMs: o.epochMs,
        tmstOffset: g.tmstOffset,
      }),
  );
  return { radio, gateways };
}

/** The NB-IoT core of a run, its UEs' UDP going out over `network`. */
export function buildNbiotCore(o: Omit<LinkSideOptions, "epochMs" | "ids"> & { network: DatagramNetwork; cells?: readonly NbiotCell[]; core?: Partial<Omit<NbiotCoreOptions, "engine" | "seed" | "network" | "cells">> }): NbiotCore {
  return new NbiotCore({ engine: o.engine, seed: o.seed, cells: o.cells ?? DEFAULT_NBIOT_CELLS, network: o.network, ...o.core });
}

export function buildLinkSide(spec: LinkSideSpec, o: LinkSideOptions): LinkSide {
  const network = (): DatagramNetwork => {
    if (!o.network) throw new Error(`the ${spec.link} link's network side needs a datagram network to reach its servers`);
    return o.network;
  };
  if (spec.link === "lorawan") {
    const plan = kunmingRadioPlan(o.seed);
    const { radio, gateways } = buildLorawanAir({ ...o, network: network(), plan, server: spec.server });
    return {
      modelContext: (i) => ({ air: radio, position: plan.nodePosition(i) }),
      stats: () => {
        const s: Record<string, number> = { "radio.frames": radio.stats.frames, "gateways.heard": 0, "gateways.collisions": 0, "gateways.snr": 0, "gateways.missedWhileTransmitting": 0 };
        for (const g of gateways) {
          s[`gateway.${g.name}.forwarded`] = g.stats.forwarded;
          s["gateways.heard"]! += g.stats.heard;
          s["gateways.collisions"]! += g.stats.collisions;
          s["gateways.snr"]! += g.stats.crcOrSnrLost;
          s["gateways.missedWhileTransmitting"]! += g.stats.missedWhileTransmitting;
        }
        return s;
      },
      radio,
      gateways,
      core: undefined,
      close: () => {},
    };
  }
  if (spec.link === "nbiot") {
    const core = buildNbiotCore({ ...o, network: network() });
    // The nodes stand where the city's plan puts them, around the cell (a UE the core has not placed has no coverage).
    const plan = kunmingRadioPlan(o.seed);
    o.ids.forEach((id, i) => core.place(id, plan.nodePosition(i)));
    return {
      modelContext: (i) => ({ nbiot: core, position: plan.nodePosition(i) }),
      stats: () => {
        const c = core.stats;
        const s: Record<string, number> = { "core.attaches": c.attaches, "core.attachFailures": c.attachFailures, "core.taus": c.taus, "core.uplinks": c.uplinks, "core.uplinkLost": c.uplinkLost, "core.uplinkRefused": c.uplinkRefused, "core.downlinks": c.downlinks, "core.downlinkLost": c.downlinkLost };
        c.byCe.forEach((n, ce) => (s[`core.ce${ce}`] = n));
        return s;
      },
      radio: undefined,
      gateways: [],
      core,
      close: () => core.close(),
    };
  }
  return noLinkSide();
}
