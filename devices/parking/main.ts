/**
 * Parking sensor firmware entry: Moddable (through hal/moddable), the simulator and the emulated MCU all call this
 * with their host provider.
 */
import type { Host, NodeApp } from "../../hal/host.js";
import { ParkingSensor } from "./sensor.js";

export default function main(host: Host): NodeApp {
  const sensor = new ParkingSensor(host);
  sensor.start();
  return sensor;
}
