/**
 * A simulated node for tests that run a driver through the simulator's host provider without a device: no
 * configuration (nothing in them reads `host.config`; a driver that did would fail on its missing fields), no IP
 * network, the epoch at 0 and a fixed random source, so only the part under test and its model speak.
 */
import { SimNode, type SimNodeOptions } from "../../simulator/core/node.js";
import { testCiphers } from "./ciphers.js";
import { NO_DEVICE_CONFIG } from "./no-config.js";

export function partNode(o: Pick<SimNodeOptions, "id" | "board" | "engine" | "main"> & Partial<SimNodeOptions>): SimNode {
  return new SimNode({
    config: NO_DEVICE_CONFIG,
    rolePins: {},
    network: {
      connect() {
        throw new Error(`${o.id}: no IP network in a part test`);
      },
    },
    epochMs: 0,
    random: () => 0.5,
    cipher: testCiphers(),
    ...o,
  });
}
