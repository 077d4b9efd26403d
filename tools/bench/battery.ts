/**
 * Years on the board's battery for a battery node with its radio, printed by `npm run bench`:
 *
 *   mean current = MCU (emulated) + radio (simulated) + sensors whose models keep their current (simulated)
 *   years = C / (I · 8,760 h + s · C)
 *
 * - MCU: the emulated Cortex-M4 in the nRF52840 profile on the radio board itself (`ganzhi emulate`, emulator/host/
 *   energy.ts), so the LoRaWAN MAC's or the AT-command driver's work is in it: the device's own instructions at the board's cycles per instruction, wake-ups, and the rest of the
 *   time System ON idle with the RTC and RAM kept (3.16 µA) or, while the device deep-sleeps, System ON with the RTC
 *   and RAM off (1.5 µA; nRF52840 PS: 1.86 µA for System OFF with all 256 KB kept, 0.4 µA without; board manifest
 *   `deepSleep`); a wake from deep sleep is a reboot, charged as main's instructions run again plus the reset to
 *   main (the image's boot time) at the CPU's current; a range (the device's instructions at the fewest cycles, up
 *   to its provider's too at the most). Of the two nodes only the parking sensor can deep-sleep, and only when the
 *   wait until its next reading is three minutes or more (devices/parking/sensor.ts DEEP_SLEEP_MIN_MS): at its 1 s
 *   and 4 s readings a reboot costs more than the 1.66 µA it saves, so it waits in System ON idle. The emulated
 *   run's own radio states (from the same part model, over its shorter run) are left out of the MCU figure.
 * - Radio: the transceiver's or modem's own part model over a simulated run on the radio board (the SX1262 model's
 *   state residency with its datasheet currents, parts/sx1262/model.ts; the BC95 model's, parts/bc95/currents.ts),
 *   through the simulated network (join, ADR, downlinks; attach, PSM, paging), sleep included.
 * - Sensors: a part model other than the radio that keeps its power states (`residency()`: the ADS1220's bridge
 *   excitation, Vex/R while the bridge is powered) over the same simulated run. Sensors whose models keep no current
 *   (the magnetometers, the SHT3x, the meters' RS-485 transceiver) are left out and said to be.
 * - Battery: capacity C and a self-discharge s per year (Li-SOCl₂ bobbin cells: about 1 % a year at room
 *   temperature, the figure their makers give; an assumption here, not read from a datasheet).
 * Left out, and said with the figures: the sensors (the reference notes give no QMC5883L current: the part's time in
 *   continuous mode is printed instead), the RS-485 transceiver (the meter is mains powered; its interface is not),
 *   the regulator from the cell's 3.6 V to the board's 3.0 V, the cell's passivation and the current pulse it
 *   limits, temperature, and the DK's interface MCU.
 */
import { emulate } from "../../emulator/host/emulate.js";
import type { AttachedModel } from "../../simulator/core/parts.js";
import { runSim } from "../../simulator/node/session.js";

export interface BatterySpec {
  device: string;
  /** The board file (an overlay with the radio) the radio runs on, relative to the checkout. */
  radioBoard: string;
  /** The radio part's catalogue name (its model has `residency()`). */
  radioPart: "sx1262" | "bc95";
  battery: string;
  capacityMah: number;
}

export const SELF_DISCHARGE_PER_YEAR = 0.01;

/** The nodes the benchmark prints, each on the radio it is expected to use in service. */
export const BATTERY_NODES: readonly BatterySpec[] = Object.freeze([
  {
    device: "parking",
    radioBoard: "nrf52840-dk-sx1262",
    radioPart: "sx1262",
    battery: "2 × 2,500 mAh Li cells (the figure of Zhang et al. 2013, reference notes)",
    capacityMah: 5000,
  },
  {
    device: "smart-meter",
    radioBoard: "nrf52840-dk-bc95",
    radioPart: "bc95",
    battery: "1 × Li-SOCl₂ C cell, 8,500 mAh (ER26500 class; an assumption: the reference gives no capacity)",
    capacityMah: 8500,
  },
  {
    device: "structural-strain",
    radioBoard: "nrf52840-dk-sx1262",
    radioPart: "sx1262",
    battery: "1 × Li-SOCl₂ D cell, 19,000 mAh (ER34615 class; an assumption: the reference gives no capacity)",
    capacityMah: 19000,
  },
]);

export interface BatteryRow {
  device: string;
  radioBoard: string;
  link: string;
  battery: string;
  capacityMah: number;
  mcuMicroamps: { low: number; high: number };
  /** Share of the emulated run the MCU spent in deep sleep (0: it waited in System ON idle between events). */
  deepSleepShare: number;
  /** Deep sleep's and waking's mean current over the run, µA (the MCU's high end includes them). */
  deepSleepMicroamps: number;
  wakeMicroamps: number;
  radioMicroamps: number;
  /** The radio's states, largest charge first: state, mean µA over the run. */
  radioStates: { state: string; microamps: number }[];
  /** Sensors whose models keep their current (a strain bridge's excitation), mean µA over the run; 0 when none does. */
  sensorMicroamps: number;
  sensorStates: { state: string; microamps: number }[];
  totalMicroamps: { low: number; high: number };
  years: { low: number; high: number };
  dominant: string;
  /** Time a magnetometer spent in continuous mode (drawing measurement current), as a share of the run. */
  magnetometerDuty?: number;
  simDays: number;
  emulatedHours: number;
}

/** A range of years to as few decimals as tell its ends apart (at most three; one value when even those agree). */
export function yearsRange(low: number, high: number): string {
  for (let d = 1; d <= 3; d++) {
    const a = low.toFixed(d);
    const b = high.toFixed(d);
    if (a !== b) return `${a}–${b}`;
  }
  return low.toFixed(3);
}

export function yearsOn(capacityMah: number, microamps: number): number {
  return capacityMah / ((microamps / 1000) * 8760 + SELF_DISCHARGE_PER_YEAR * capacityMah);
}

interface Residency {
  state: string;
  milliampSeconds: number;
}

export async function batteryLife(spec: BatterySpec, simDays: number, emulatedHours: number): Promise<BatteryRow> {
  const hours = simDays * 24;
  let radio: Residency[] = [];
  let sensors: { part: string; states: Residency[] }[] = [];
  let magnetometerUs = NaN;
  let link = "";
  const board = spec.radioBoard;
  const sim = await runSim({
    device: spec.device,
    board,
    hours,
    seed: 1,
    onHour(h, world) {
      if (h !== hours) return;
      link = world.config.uplink.link;
      const models: AttachedModel[] = world.models.get(world.nodes[0]!.id) ?? [];
      const r = models.find((m) => m.part === spec.radioPart)?.model as { residency(): Residency[] } | undefined;
      if (!r) throw new Error(`battery: ${spec.device} on ${spec.radioBoard} has no ${spec.radioPart} model`);
      radio = r.residency();
      sensors = models
        .filter((m) => m.part !== spec.radioPart && typeof (m.model as { residency?: unknown } | undefined)?.residency === "function")
        .map((m) => ({ part: `${m.role} (${m.part})`, states: (m.model as { residency(): Residency[] }).residency() }));
      const mag = models.find((m) => m.part === "qmc5883l" || m.part === "lis3mdl")?.model as { activeUs?: number } | undefined;
      if (mag && typeof mag.activeUs === "number") magnetometerUs = mag.activeUs;
    },
  });
  if (radio.length === 0) throw new Error(`battery: the ${spec.device} run on ${spec.radioBoard} ended before its last hour`);
  const runS = hours * 3600;
  const radioStates = radio
    .map((r) => ({ state: r.state, microamps: (r.milliampSeconds / runS) * 1000 }))
    .filter((r) => r.microamps > 0)
    .sort((a, b) => b.microamps - a.microamps);
  const radioMicroamps = radioStates.reduce((a, r) => a + r.microamps, 0);
  const sensorStates = sensors
    .flatMap((p) => p.states.map((r) => ({ state: `${p.part} ${r.state}`, microamps: (r.milliampSeconds / runS) * 1000 })))
    .filter((r) => r.microamps > 0)
    .sort((a, b) => b.microamps - a.microamps);
  const sensorMicroamps = sensorStates.reduce((a, r) => a + r.microamps, 0);
  const emu = await emulate({ device: spec.device, board, profile: "nrf52840", hours: emulatedHours, seed: 1 });
  const e = emu.figures.energy;
  // The radio comes from the simulated days above: the emulated run's part states (the same model's) are not the MCU's.
  const partMilliamps = e.shares.filter((s) => s.state === "part").reduce((a, s) => a + s.milliampSeconds, 0) / e.runSeconds;
  const mcu = { low: (e.low.averageMilliamps - partMilliamps) * 1000, high: (e.averageMilliamps - partMilliamps) * 1000 };
  const total = { low: mcu.low + radioMicroamps + sensorMicroamps, high: mcu.high + radioMicroamps + sensorMicroamps };
  const top = radioStates[0];
  const dominant =
    sensorMicroamps > radioMicroamps && sensorMicroamps > mcu.high
      ? `sensors (${sensorStates[0]!.state} ${sensorStates[0]!.microamps.toFixed(1)} µA)`
      : radioMicroamps > mcu.high
      ? `radio (${top ? `${top.state} ${top.microamps.toFixed(1)} µA` : "its states"})`
      : `MCU (${e.shares
          .filter((s) => s.state !== "part")
          .sort((a, b) => b.milliampSeconds - a.milliampSeconds)
          .slice(0, 2)
          .map((s) => `${s.state} ${((s.milliampSeconds / e.runSeconds) * 1000).toFixed(1)} µA`)
          .join(", ")})`;
  return {
    device: spec.device,
    radioBoard: spec.radioBoard,
    link: link || String(sim.summary.board),
    battery: spec.battery,
    capacityMah: spec.capacityMah,
    mcuMicroamps: mcu,
    deepSleepShare: e.shares.filter((x) => x.state === "deepSleep").reduce((a, x) => a + x.seconds, 0) / e.runSeconds,
    deepSleepMicroamps: (e.shares.filter((x) => x.state === "deepSleep").reduce((a, x) => a + x.milliampSeconds, 0) / e.runSeconds) * 1000,
    wakeMicroamps: (e.shares.filter((x) => x.state === "wake").reduce((a, x) => a + x.milliampSeconds, 0) / e.runSeconds) * 1000,
    radioMicroamps,
    radioStates,
    sensorMicroamps,
    sensorStates,
    totalMicroamps: total,
    years: { low: yearsOn(spec.capacityMah, total.high), high: yearsOn(spec.capacityMah, total.low) },
    dominant,
    ...(magnetometerUs === magnetometerUs ? { magnetometerDuty: magnetometerUs / (runS * 1e6) } : {}),
    simDays,
    emulatedHours,
  };
}
