/**
 * Weather micro-station firmware entry: Moddable (through hal/moddable), the simulator and the emulated MCU all
 * call this with their host provider.
 */
import type { Host, NodeApp } from "../../hal/host.js";
import { WeatherStation } from "./station.js";

export default function main(host: Host): NodeApp {
  const station = new WeatherStation(host);
  station.start();
  return station;
}
