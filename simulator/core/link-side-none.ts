/**
 * The network side of a run whose link has none on the simulator's clock (MQTT: the nodes reach the broker over the
 * TCP bridge). Its own module, so an MQTT run on V8 does not load the radio and the NB-IoT core (link-world.ts).
 *
 * Portable: no Node APIs.
 */
import type { LinkSide } from "./link-side.js";

export function noLinkSide(): LinkSide {
  return { modelContext: () => ({}), stats: () => ({}), radio: undefined, gateways: [], core: undefined, close: () => {} };
}
