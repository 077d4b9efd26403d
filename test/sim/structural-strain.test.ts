/**
 * The bridge strain monitor on its ADS1220 (90 samples/s, DRDY-paced), a simulated day (test/sim/strain-day.ts
 * says what is checked). One day, not a week: at 90 samples/s a day is 7.8 million samples through the
 * register-level model, about a minute of wall time here; the damage step of day 3 is the world's own test's
 * (test/environment/bridge.test.ts).
 */
import { describeStrainDay } from "./strain-day.js";

describeStrainDay("structural-strain monitor, a simulated day at 90 samples/s", {
  device: "structural-strain",
  board: "esp32-devkitc",
  hours: 24,
  seed: 1,
  hz: 90,
  // The node compensates with its ADC's die temperature, which sits selfHeatingC over the deck: its strain reads
  // that many degrees' thermal output low (0.3 °C × 2.5 µε/°C = 0.75 µε).
  bias: (bridge) => -bridge.options.selfHeatingC * bridge.options.thermalMicrostrainPerC,
  biasWhy: "the ADC's die sits selfHeatingC over the deck",
});
