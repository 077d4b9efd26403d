/**
 * The bridge strain monitor's low-cost build (examples/devices/structural-strain-hx711.json): the same firmware on
 * the HX711 model (80 samples/s, DOUT-paced, channel A at gain 128, every reading bit-banged through the GPIO
 * models), with an SHT3x bonded to the flange for the temperature, a simulated day checked against the bridge's
 * truth as the ADS1220 build's is (test/sim/strain-day.ts).
 */
import { describeStrainDay } from "./strain-day.js";

describeStrainDay("structural-strain monitor on an HX711, a simulated day at 80 samples/s", {
  device: "examples/devices/structural-strain-hx711.json",
  board: "esp32-devkitc",
  hours: 24,
  seed: 1,
  hz: 80,
  // The SHT3x reads the deck's own temperature (no die warming): nothing is left but its resolution and noise.
  bias: () => 0,
  biasWhy: "the SHT3x reads the deck itself",
});
