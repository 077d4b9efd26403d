/**
 * Water-quality buoy firmware entry: Moddable (through hal/moddable), the simulator and the emulated MCU all call
 * this with their host provider.
 */
import type { Host, NodeApp } from "../../hal/host.js";
import { WaterQualityBuoy } from "./buoy.js";

export default function main(host: Host): NodeApp {
  const buoy = new WaterQualityBuoy(host);
  buoy.start();
  return buoy;
}
