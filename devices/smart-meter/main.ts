/**
 * Smart meter firmware entry: Moddable (through hal/moddable), the simulator and the emulated MCU all call this
 * with their host provider.
 */
import type { Host, NodeApp } from "../../hal/host.js";
import { SmartMeter } from "./meter.js";

export default function main(host: Host): NodeApp {
  const meter = new SmartMeter(host);
  meter.start();
  return meter;
}
