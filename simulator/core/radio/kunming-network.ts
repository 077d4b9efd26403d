/**
 * Where the radio network of the simulated city stands: LoRaWAN gateways on Kunming rooftops and the nodes around
 * them, from the run's seed. Metres east/north of a reference point near Dianchi's north shore.
 *
 * Gateways listen on the whole CN470 uplink band (all 96 channels: a site with several concentrator boards), an
 * assumption stated so it can be changed: with a single 8-channel board, a Join-Request on one of the 96 default
 * channels (RP002: a device joins on all of them) reaches it one time in twelve, and `gatewayChannels` shows that.
 */
import { cos, sin } from "../../../runtime/detmath.js";
import { Rng } from "../rng.js";
import type { Position } from "./channel.js";

export interface GatewaySite {
  eui: string;
  position: Position;
  /** Concentrator counter offset, µs: gateways' counters are not synchronised. */
  tmstOffset: number;
}

export interface RadioPlan {
  gateways: GatewaySite[];
  /** Uplink channel numbers (0…95) the gateways listen on. */
  gatewayChannels: number[];
  nodePosition(index: number): Position;
}

export const ALL_CN470_UPLINK_CHANNELS: readonly number[] = Object.freeze(Array.from({ length: 96 }, (_, i) => i));

export function kunmingRadioPlan(seed: number, options: { gatewayChannels?: readonly number[]; radiusM?: number } = {}): RadioPlan {
  const rng = new Rng(seed).fork("radio-plan");
  const sites: [number, number, number][] = [
    [0, 0, 40],
    [3200, 1800, 35],
    [-2600, 2400, 30],
  ];
  const gateways = sites.map(([x, y, height], i) => ({
    eui: `00800000a000${String(i + 1).padStart(4, "0")}`,
    position: { x, y, height },
    tmstOffset: rng.int(2 ** 32),
  }));
  const radius = options.radiusM ?? 3000;
  return {
    gateways,
    gatewayChannels: [...(options.gatewayChannels ?? ALL_CN470_UPLINK_CHANNELS)],
    nodePosition(index) {
      const r = new Rng(seed).fork("node-position").fork(String(index));
      // Uniform over the disc: radius ∝ √u.
      const d = radius * Math.sqrt(r.float());
      const a = 2 * Math.PI * r.float();
      return { x: Math.round(d * cos(a)), y: Math.round(d * sin(a)), height: 3 };
    },
  };
}
