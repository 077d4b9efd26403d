/**
 * The smart meter's view of `host.config` (manifests/devices/smart-meter.json resolved for a board): the DL/T 645
 * electricity meter and, where fitted, the CJ/T 188 water meter on the one RS-485 port; the S0 pulse input; how
 * often the meters are read (a divisor of the 15-minute interval, so every boundary has a reading at it).
 */
import type { DeviceConfig } from "../../hal/host.js";
import type { NodeConfig, ResolvedPinPart, ResolvedUARTPart } from "../../manifests/schema/config.js";
import { ConfigReader } from "../shared/config.js";
import { INTERVAL_MS } from "./interval.js";

export interface MeterBusPart {
  part: ResolvedUARTPart;
  address: string;
  parity: "even" | "odd" | "none";
  replyTimeoutMs: number;
  retries: number;
}

export interface MeterConfig {
  /** Meters read every this many ms, on the meter clock's grid. */
  readMs: number;
  electricity: MeterBusPart;
  water: (MeterBusPart & { meterType: number }) | undefined;
  pulses: ResolvedPinPart;
  impulsesPerKwh: number;
  minPulseMs: number;
  debounceMs: number;
  /** Settlement day of the month (结算日), 1…28. */
  billingDay: number;
  node: NodeConfig;
}

/** Settlement on the 1st at 00:00 local: the most common setting of Chinese residential meters (DL/T 645 04 00 0B 01). */
const BILLING_DAY = 1;

const PARITIES = Object.freeze(["even", "odd", "none"] as const);

function busPart(r: ConfigReader, p: { role: string; part: ResolvedUARTPart }): MeterBusPart {
  return { part: p.part, address: r.string(p, "address"), parity: r.oneOf(p, "parity", PARITIES), replyTimeoutMs: r.number(p, "replyTimeoutMs"), retries: r.number(p, "retries") };
}

export function readMeterConfig(raw: DeviceConfig): MeterConfig {
  const r = new ConfigReader("smart-meter", raw);
  const meter = r.part<ResolvedUARTPart>("dlt645", "uart");
  const water = r.optionalPart<ResolvedUARTPart>("cjt188", "uart");
  const pulses = r.part<ResolvedPinPart>("s0-pulse", "digital-edge");
  if (water && water.part.bus !== meter.part.bus) r.fail(`the water meter ${water.role} is on port ${water.part.bus}, the electricity meter on ${meter.part.bus}: one RS-485 port carries both`);
  const readMs = r.intervalOf(meter.role);
  if (!(readMs > 0 && INTERVAL_MS % readMs === 0)) r.fail(`sampling interval of ${meter.role} must divide 15 min (${INTERVAL_MS} ms), got ${readMs}`);
  return {
    readMs,
    electricity: busPart(r, meter),
    water: water ? { ...busPart(r, water), meterType: r.number(water, "meterType") } : undefined,
    pulses: pulses.part,
    impulsesPerKwh: r.number(pulses, "impulsesPerKwh"),
    minPulseMs: r.number(pulses, "minPulseMs"),
    debounceMs: r.number(pulses, "debounceMs"),
    billingDay: BILLING_DAY,
    node: r.node,
  };
}
