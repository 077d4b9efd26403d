/**
 * Energy of an emulated run: the time the node spent in each power state, from what the emulation measured, times
 * the board manifest's currents (`power`: datasheet figures with their sources).
 *
 * - CPU busy: every dispatched event, as the emulated Cortex-M4 ran it (62.5 MIPS, about an nRF52840 at 64 MHz),
 *   at `cpuActive`.
 * - Radio: air time of what the device sent and received over its sockets, one packet per write or delivery, each
 *   carrying the board's per-packet overhead, at the radio's PHY rate; at `radioTx` / `radioRx`. Boards without a
 *   network interface have no radio to charge.
 * - The rest of the time in the board's `idleState` (the state it waits for the next event in when the device does
 *   not deep-sleep), or in `deepSleep` while the device slept.
 * - Parts outside the MCU that declare their draw (`analogDrawMilliamps`: a wind vane's divider), as the mean over
 *   what their pins read, beside the MCU's states for the whole run.
 * Not counted, and said so with the figures: the I2C sensors (µA-level in the datasheets), switch contacts held
 * closed against a pull-up, the board's regulator and debug or USB interface, Wi-Fi beacon reception and retries,
 * TCP acknowledgements.
 */
import type { Board } from "../../manifests/schema/board.js";

export interface EnergyInput {
  /** Length of the run, µs of virtual time. */
  runUs: number;
  /** Time the CPU was busy, µs. */
  busyUs: number;
  /** Time the device spent in deep sleep, µs. */
  deepSleepUs: number;
  /** Payload bytes of each socket write the device made, and of each delivery it received. */
  txPackets: readonly number[];
  rxPackets: readonly number[];
  /** What parts outside the MCU draw from the supply, mean mA over the run (a vane's divider, say). */
  loads?: readonly { name: string; milliamps: number }[];
}

export type PowerState = "cpu" | "radioTx" | "radioRx" | "idle" | "deepSleep" | "load";

export interface EnergyShare {
  state: PowerState;
  /** The manifest's name for the current used (`idle` rests in `cpuActive` or `lightSleep`); a load's name. */
  current: keyof Board["power"]["currentsMa"] | string;
  seconds: number;
  milliamps: number;
  /** Charge drawn in this state over the run, mA·s. */
  milliampSeconds: number;
}

export interface EnergyEstimate {
  supplyVolts: number;
  /** Mean supply current over the run, mA. */
  averageMilliamps: number;
  /** Energy a day at that mean, mWh. */
  milliwattHoursPerDay: number;
  /** Days a battery of 1,000 mAh lasts at that mean (no self-discharge, no regulator losses). */
  daysPer1000mAh: number;
  shares: EnergyShare[];
  /** Length of the run, s (the states' times add up to it, loads run beside them). */
  runSeconds: number;
  /** Whether the board has a radio that was charged for air time. */
  radio: boolean;
  /** Why no radio was charged, when none was. */
  noRadio?: string;
}

/** Air time of packets with these payloads, s. */
export function airSeconds(payloads: readonly number[], radio: { bitsPerSecond: number; overheadBytesPerPacket: number }): number {
  let bytes = 0;
  for (const p of payloads) bytes += p + radio.overheadBytesPerPacket;
  return (bytes * 8) / radio.bitsPerSecond;
}

export function estimateEnergy(power: Board["power"], network: readonly string[], input: EnergyInput): EnergyEstimate {
  const c = power.currentsMa;
  const radio = network.length > 0 && power.radio !== undefined ? power.radio : undefined;
  const run = input.runUs / 1e6;
  const cpu = input.busyUs / 1e6;
  const sleep = input.deepSleepUs / 1e6;
  const tx = radio ? airSeconds(input.txPackets, radio) : 0;
  const rx = radio ? airSeconds(input.rxPackets, radio) : 0;
  // Radio time is carved out of the waiting time: the CPU hands a packet to the radio and waits. Busy time cannot
  // exceed the run (the emulation measures both), but a recording's air time is a model: never let idle go negative.
  const idle = Math.max(0, run - cpu - sleep - tx - rx);
  const share = (state: PowerState, current: keyof typeof c, seconds: number): EnergyShare => ({
    state,
    current,
    seconds,
    milliamps: c[current],
    milliampSeconds: c[current] * seconds,
  });
  const shares = [
    share("cpu", "cpuActive", cpu),
    ...(radio ? [share("radioTx", "radioTx", tx), share("radioRx", "radioRx", rx)] : []),
    share("idle", power.idleState, idle),
    ...(sleep > 0 ? [share("deepSleep", "deepSleep", sleep)] : []),
    // A part's draw runs beside the MCU's states, over the whole run.
    ...(input.loads ?? []).map((l): EnergyShare => ({ state: "load", current: l.name, seconds: run, milliamps: l.milliamps, milliampSeconds: l.milliamps * run })),
  ];
  const charge = shares.reduce((a, s) => a + s.milliampSeconds, 0);
  const averageMilliamps = run > 0 ? charge / run : 0;
  return {
    supplyVolts: power.supplyVolts,
    averageMilliamps,
    milliwattHoursPerDay: averageMilliamps * power.supplyVolts * 24,
    daysPer1000mAh: averageMilliamps > 0 ? 1000 / (averageMilliamps * 24) : Infinity,
    shares,
    runSeconds: run,
    radio: radio !== undefined,
    ...(radio ? {} : { noRadio: network.length === 0 ? "the board has no network interface" : "the board manifest gives no radio figures (power.radio)" }),
  };
}
