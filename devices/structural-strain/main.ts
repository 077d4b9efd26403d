/**
 * Structural-strain monitor firmware entry: Moddable (through hal/moddable), the simulator and the emulated MCU all
 * call this with their host provider.
 */
import type { Host, NodeApp } from "../../hal/host.js";
import { StrainMonitor } from "./monitor.js";

export default function main(host: Host): NodeApp {
  const monitor = new StrainMonitor(host);
  monitor.start();
  return monitor;
}
