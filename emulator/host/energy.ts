/**
 * Energy of an emulated run: the time the node spent in each power state, from what the emulation measured, times
 * the currents its manifests give (board `power`: datasheet figures with their sources; parts: their own states).
 *
 * - CPU: only the device's work, on the board's clock (board-timing.ts): the instructions the device ran, at a
 *   Cortex-M4's cycles per instruction, at `cpuActive`. The emulator's own instructions (its event loop, the
 *   replay, its console records: emulator/image/modes.ts) are not charged. The term is a range: low = the device's
 *   own instructions at the fewest cycles each; high = the device's and its host provider's (the simulator's IO
 *   classes, which stand in for hal/moddable and Moddable's C, cheaper on a board) at the most. The estimate reports
 *   the high end and says how wide the range is.
 * - Waking: each wake-up from sleep costs the board's start-up time, at `cpuActive`.
 * - Radio: air time of what the device sent and received over its sockets, one packet per write or delivery, each
 *   carrying the board's per-packet overhead, at the radio's PHY rate; at `radioTx` / `radioRx`. Boards without a
 *   network interface have no radio to charge.
 * - Part states: a part whose model keeps its power states (a LoRa transceiver's TX, RX and sleep at datasheet
 *   currents, a strain bridge's excitation from its ADS1220, an HX711 with the bridge on its AVDD regulator) adds the
 *   time it spent in each (`states`), beside the MCU's.
 * - The rest of the time in the board's `idleState`, or in `deepSleep` while the device slept.
 * - Parts outside the MCU that declare their draw (`analogDrawMilliamps`: a wind vane's divider), as the mean over
 *   what their pins read, beside the MCU's states for the whole run.
 * Not counted, and said so with the figures: the sensors' and converters' own supply current (µA-level in the
 * datasheets for the I2C sensors; the ADS1220's own is not read, the HX711's is), switch contacts held
 * closed against a pull-up, the board's regulator and debug or USB interface, Wi-Fi beacon reception and retries,
 * TCP acknowledgements.
 */
import type { Board } from "../../manifests/schema/board.js";
import type { Bounds } from "./timeline.js";

/** Time a part spent in one of its declared states, with the state's current and where that figure comes from. */
export interface PartState {
  part: string;
  state: string;
  milliamps: number;
  seconds: number;
  source: string;
}

export interface EnergyInput {
  /** Length of the run, µs of virtual time. */
  runUs: number;
  /** CPU time of the device's work on the board, µs (low and high ends). */
  cpuUs: Bounds;
  /** Time spent waking from sleep, µs. */
  wakeUs: Bounds;
  /** Time the device spent in deep sleep, µs. */
  deepSleepUs: number;
  /** Payload bytes of each socket write the device made, and of each delivery it received. */
  txPackets: readonly number[];
  rxPackets: readonly number[];
  /** What parts outside the MCU draw from the supply, mean mA over the run (a vane's divider, say). */
  loads?: readonly { name: string; milliamps: number }[];
  /** States parts declare, with the time in each. */
  states?: readonly PartState[];
}

export type PowerState = "cpu" | "wake" | "radioTx" | "radioRx" | "idle" | "deepSleep" | "load" | "part";

export interface EnergyShare {
  state: PowerState;
  /** The manifest's name for the current used (`idle` rests in `cpuActive` or `lightSleep`); a load's or part's name. */
  current: keyof Board["power"]["currentsMa"] | string;
  seconds: number;
  milliamps: number;
  /** Charge drawn in this state over the run, mA·s. */
  milliampSeconds: number;
}

export interface EnergyTotals {
  /** Mean supply current over the run, mA. */
  averageMilliamps: number;
  /** Energy a day at that mean, mWh. */
  milliwattHoursPerDay: number;
  /** Days a battery of 1,000 mAh lasts at that mean (no self-discharge, no regulator losses). */
  daysPer1000mAh: number;
}

export interface EnergyEstimate extends EnergyTotals {
  supplyVolts: number;
  /** The totals with the CPU term at its low end (the reported ones are the high end). */
  low: EnergyTotals;
  /** The CPU term alone (mean over the run), mA, at each end: how uncertain the estimate is. */
  cpuMilliamps: Bounds;
  /** Shares at the high end. */
  shares: EnergyShare[];
  /** Length of the run, s (the MCU states' times add up to it; loads and part states run beside them). */
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

function totals(charge: number, run: number, volts: number): EnergyTotals {
  const averageMilliamps = run > 0 ? charge / run : 0;
  return {
    averageMilliamps,
    milliwattHoursPerDay: averageMilliamps * volts * 24,
    daysPer1000mAh: averageMilliamps > 0 ? 1000 / (averageMilliamps * 24) : Infinity,
  };
}

export function estimateEnergy(power: Board["power"], network: readonly string[], input: EnergyInput): EnergyEstimate {
  const c = power.currentsMa;
  const radio = network.length > 0 && power.radio !== undefined ? power.radio : undefined;
  const run = input.runUs / 1e6;
  const sleep = input.deepSleepUs / 1e6;
  const tx = radio ? airSeconds(input.txPackets, radio) : 0;
  const rx = radio ? airSeconds(input.rxPackets, radio) : 0;
  const share = (state: PowerState, current: keyof typeof c, seconds: number): EnergyShare => ({
    state,
    current,
    seconds,
    milliamps: c[current],
    milliampSeconds: c[current] * seconds,
  });
  const sharesAt = (end: keyof Bounds): EnergyShare[] => {
    const cpu = input.cpuUs[end] / 1e6;
    const wake = input.wakeUs[end] / 1e6;
    // Radio time is carved out of the waiting time: the CPU hands a packet to the radio and waits. Never let idle go
    // negative (a recording's air time is a model).
    const idle = Math.max(0, run - cpu - wake - sleep - tx - rx);
    return [
      share("cpu", "cpuActive", cpu),
      ...(wake > 0 ? [share("wake", "cpuActive", wake)] : []),
      ...(radio ? [share("radioTx", "radioTx", tx), share("radioRx", "radioRx", rx)] : []),
      share("idle", power.idleState, idle),
      ...(sleep > 0 ? [share("deepSleep", "deepSleep", sleep)] : []),
      // Parts' states and draws run beside the MCU's states.
      ...(input.states ?? []).map((p): EnergyShare => ({ state: "part", current: `${p.part} ${p.state}`, seconds: p.seconds, milliamps: p.milliamps, milliampSeconds: p.milliamps * p.seconds })),
      ...(input.loads ?? []).map((l): EnergyShare => ({ state: "load", current: l.name, seconds: run, milliamps: l.milliamps, milliampSeconds: l.milliamps * run })),
    ];
  };
  const charge = (shares: readonly EnergyShare[]) => shares.reduce((a, s) => a + s.milliampSeconds, 0);
  const high = sharesAt("high");
  const low = sharesAt("low");
  const cpuMean = (shares: readonly EnergyShare[]) => (run > 0 ? shares.filter((s) => s.state === "cpu").reduce((a, s) => a + s.milliampSeconds, 0) / run : 0);
  return {
    supplyVolts: power.supplyVolts,
    ...totals(charge(high), run, power.supplyVolts),
    low: totals(charge(low), run, power.supplyVolts),
    cpuMilliamps: { low: cpuMean(low), high: cpuMean(high) },
    shares: high,
    runSeconds: run,
    radio: radio !== undefined || (input.states ?? []).length > 0,
    ...(radio || (input.states ?? []).length > 0 ? {} : { noRadio: network.length === 0 ? "the board has no network interface" : "the board manifest gives no radio figures (power.radio)" }),
  };
}
