/**
 * LoRaWAN identities for simulated nodes: what a manufacturer writes into each node and registers with the join
 * server. DevEUIs are locally administered EUI-64s (the U/L bit set, IEEE 802 §8.2: never a vendor's OUI) numbered
 * by the node's place in the fleet; AppKeys are drawn from the run's seed, so the same seed gives the same keys and
 * therefore byte-identical frames. These are simulation keys, not a key-management scheme: `ganzhi sim --keys`
 * writes them out for provisioning a real network server.
 */
import { Rng } from "../rng.js";

export interface LorawanIdentity {
  devEui: string;
  joinEui: string;
  appKey: string;
}

/** JoinEUI of the simulated join server (locally administered). */
export const SIM_JOIN_EUI = "0200000000000001";

const hex2 = (n: number) => (n & 0xff).toString(16).padStart(2, "0");

export function lorawanIdentity(seed: number, index: number, nodeId: string): LorawanIdentity {
  const rng = new Rng(seed).fork("lorawan-keys").fork(nodeId);
  let appKey = "";
  for (let i = 0; i < 16; i++) appKey += hex2(rng.uint32());
  const devEui = `02000000${hex2(index >>> 24)}${hex2(index >>> 16)}${hex2(index >>> 8)}${hex2(index)}`;
  return { devEui, joinEui: SIM_JOIN_EUI, appKey };
}
