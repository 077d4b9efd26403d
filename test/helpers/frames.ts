/** Comparing the uplink frames of two runs (engines, entries) of the same node. */
import type { Frame } from "../../simulator/node/frame-log.js";

/** The first frame where the runs differ, both sides as JSON, or undefined when they are identical. */
export function firstDifference(a: readonly Frame[], b: readonly Frame[], labels: readonly [string, string] = ["XS", "V8"]): string | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = JSON.stringify(a[i]);
    const y = JSON.stringify(b[i]);
    if (x !== y) return `frame ${i}: ${labels[0]} ${x ?? "(none)"} vs ${labels[1]} ${y ?? "(none)"}`;
  }
  return undefined;
}

/**
 * The SenML records a run's frames carry, as sorted JSON: what the platform got, whichever way the link packed it
 * (one pack per MQTT report, split packs over LoRaWAN, one per CoAP POST).
 */
export function deliveredRecords(frames: readonly Frame[]): string[] {
  return frames
    .filter((f) => f.records !== undefined)
    .flatMap((f) => f.records!)
    .map((r) => JSON.stringify(r))
    .sort();
}
