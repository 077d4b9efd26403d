/**
 * `npm run bench`: figures, not assertions. For each device, a 7-day simulation against the embedded broker
 * (simulated seconds per wall second, events per second) and the size of what it sends (bytes per report); then
 * the same simulated day of each device on V8 and on XS (the host runner), one after the other in this run, for the
 * XS/V8 wall-time ratio (GANZHI_BENCH_XS_DAYS, default 1; 0 skips it); then each device on the emulated Cortex-M4
 * for each board's memory profile: CPU busy and the energy estimate (GANZHI_BENCH_EMULATE_HOURS, default 1; 0 skips);
 * then the parking detector over a simulated month of the street world (tools/bench/parking-month.ts; three seeds, both
 * bay layouts; GANZHI_BENCH_PARKING_MONTH=0 skips) and the battery nodes' years on their board's battery with their
 * radio (tools/bench/battery.ts: GANZHI_BENCH_BATTERY_DAYS simulated days for the radio, default 7, 0 skips; the MCU
 * over GANZHI_BENCH_EMULATE_HOURS on the emulated nRF52840);
 * then `ganzhi build`'s wall time and each board's footprint beside Moddable's xsl (GANZHI_BENCH_BUILD=0 skips).
 * Before the XS comparison, fleet scaling (tools/bench/fleet.ts): the weather station (GANZHI_BENCH_FLEET_DEVICE) in fleets of GANZHI_BENCH_FLEET
 * nodes (default "1,100,1000"; "0" skips), each over GANZHI_BENCH_FLEET_NODE_HOURS node-hours (default 200) after a
 * 6-minute warm-up.
 */
import { listDevices, manifestRoot } from "../../manifests/load.js";
import { runSim } from "../../simulator/node/session.js";
import { runSimXs } from "../../simulator/xs/session.js";
import { int } from "../../simulator/node/figures.js";
import { benchBuild } from "./build-figures.js";
import { measureFleet, memoryPerNode } from "./fleet.js";
import { BATTERY_NODES, batteryLife, SELF_DISCHARGE_PER_YEAR, yearsRange, type BatteryRow } from "./battery.js";
import { MONTH_SEEDS, monthLine, runMonth } from "./parking-month.js";
import type { FleetRow } from "./fleet.js";
import { SIM_HEADER, simCells, simFigures, simTitle, type SimRow } from "./sim-figures.js";

/** A title line, then the header and rows in columns as wide as their widest cell. */
function printTable(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  console.log(title);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

const days = Number(process.env.GANZHI_BENCH_DAYS ?? 7);
const rows: SimRow[] = [];
for (const device of listDevices()) rows.push(await simFigures(device, days));
printTable(simTitle(days), SIM_HEADER, rows.map(simCells));

const fleetSizes = (process.env.GANZHI_BENCH_FLEET ?? "1,100,1000")
  .split(",")
  .map(Number)
  .filter((n) => n > 0);
const fleetNodeHours = Number(process.env.GANZHI_BENCH_FLEET_NODE_HOURS ?? 200);
const fleetRows: FleetRow[] = [];
if (fleetSizes.length > 0) {
  // The fleet figures are the weather station's unless GANZHI_BENCH_FLEET_DEVICE names another: the first device by
  // name would change with every device added (and a strain monitor's 90 samples/s fleet measures its ADC model).
  const device = process.env.GANZHI_BENCH_FLEET_DEVICE ?? (listDevices().includes("weather-station") ? "weather-station" : listDevices()[0]!);
  const board = "esp32-devkitc";
  const warmUs = 6 * 60_000_000;
  // A short fleet first, so module loading and the first compilations are not charged to the first size.
  await measureFleet(device, board, 10, 0.05, warmUs);
  for (const nodes of fleetSizes) fleetRows.push(await measureFleet(device, board, nodes, fleetNodeHours / nodes, warmUs));
  const one = fleetRows[0]!;
  const h = ["nodes", "virtual h", "node-h / wall s", "node-h / CPU s", `CPU per node-h vs ${one.nodes}`, "CPU µs / event", "heap, all up", "heap / node", "heap / node-h"];
  const t = fleetRows.map((r) => [
    int(r.nodes),
    r.hours.toFixed(r.hours < 1 ? 2 : 1),
    r.nodeHoursPerWallS.toFixed(1),
    r.nodeHoursPerCpuS.toFixed(1),
    `${(one.nodeHoursPerCpuS / r.nodeHoursPerCpuS).toFixed(2)}×`,
    r.cpuUsPerEvent.toFixed(2),
    `${(r.heapUp / 2 ** 20).toFixed(1)} MiB`,
    r === one ? "-" : `${(memoryPerNode(one, r) / 1024).toFixed(0)} KiB`,
    `${(r.heapPerNodeHour / 1024).toFixed(1)} KiB`,
  ]);
  console.log("");
  printTable(`Fleets of ${device} on ${board}: ${fleetNodeHours} node-hours per size after a 6-minute warm-up, one size after the other in this run`, h, t);
  console.log(
    [
      "  CPU: the whole process (simulator, embedded broker, frame tap, garbage collection); node-h / CPU s is the figure to compare on a shared machine.",
      "  heap, all up: JS heap after a full GC once every node has booted and connected, less the heap before the run: broker, atmosphere, tap and every node.",
      `  heap / node: what one more node adds to that, from the ${one.nodes}-node row (its board and part models, firmware state, engine and timers,`,
      "  socket and tap parser, the broker's state for its client, its first frames). heap / node-h: growth over the measured hours, mostly the frame log.",
    ].join("\n"),
  );
}

interface EngineRow {
  device: string;
  days: number;
  v8WallPerDayS: number;
  xsWallPerDayS: number;
  ratio: number;
  identical: boolean;
  xsUnitsPerDay: number;
}

const xsDays = Number(process.env.GANZHI_BENCH_XS_DAYS ?? 1);
const engineRows: EngineRow[] = [];
if (xsDays > 0) {
  for (const device of listDevices()) {
    const run = { device, board: "esp32-devkitc", hours: xsDays * 24, seed: 1 };
    const v8 = await runSim(run);
    const xs = await runSimXs(run);
    engineRows.push({
      device,
      days: xsDays,
      v8WallPerDayS: v8.summary.wallSeconds / xsDays,
      xsWallPerDayS: xs.summary.wallSeconds / xsDays,
      ratio: xs.summary.wallSeconds / v8.summary.wallSeconds,
      identical: JSON.stringify(v8.frames) === JSON.stringify(xs.frames),
      xsUnitsPerDay: Math.round(xs.profile.total / xsDays),
    });
  }
  const h2 = ["device", "V8 wall s per sim day", "XS wall s per sim day", "XS / V8", "frames identical", "XS device work, units/day"];
  const t2 = engineRows.map((r) => [
    r.device,
    r.v8WallPerDayS.toFixed(2),
    r.xsWallPerDayS.toFixed(2),
    `${r.ratio.toFixed(1)}×`,
    r.identical ? "yes" : "NO",
    int(r.xsUnitsPerDay),
  ]);
  console.log("");
  printTable(`V8 against XS (host runner, tools/xs): ${xsDays}-day simulation per device, same seed, measured in this run`, h2, t2);
}
interface EmulatedRow {
  device: string;
  board: string;
  profile: string;
  link: string;
  hours: number;
  /** LoRaWAN: RX1/RX2 opening error on the board's clock, µs, [low, high] over the timing model's cases; airtime per uplink, ms. */
  rxWindowErrorUs?: { p50: [number, number]; p99: [number, number]; max: [number, number] };
  airtimePerUplinkMs?: number;
  uplinks?: number;
  /** The device's fastest sampling group (the report's left out): its period, its slots' period jitter (max, µs,
   * [low, high] over the timing model's cases) and the device and provider instructions of one cycle (mean). */
  fastest?: { group: string; periodMs: number; jitterMaxUs: [number, number]; instructionsPerCycle: number };
  /** XS memory the device held after collections, peak, bytes. */
  heapBytes: number;
  cpuBusyPercent: number;
  averageMilliamps: number;
  milliwattHoursPerDay: number;
  daysPer1000mAh: number;
  qemuWallPerVirtualHourS: number;
}

// Energy and CPU on the emulated Cortex-M4 (emulator/, QEMU): each device on each board's memory profile.
const emulateHours = Number(process.env.GANZHI_BENCH_EMULATE_HOURS ?? 1);
const emulatedRows: EmulatedRow[] = [];
if (emulateHours > 0) {
  const { emulate } = await import("../../emulator/host/emulate.js");
  const { MissingToolError } = await import("../../emulator/host/toolchain.js");
  const { profileForPlatform } = await import("../../emulator/host/profiles.js");
  const { loadBoard, loadDevice } = await import("../../manifests/load.js");
  const { existsSync } = await import("node:fs");
  /** The catalogue's boards, and each board the device manifest gives another link (a board overlay in examples/boards
   * until it joins the catalogue). */
  const targetsOf = (device: string) => {
    const base = ["esp32-devkitc", "nrf52840-dk"];
    const linked = Object.keys((loadDevice(device).manifest as { uplink?: { boards?: Record<string, string> } }).uplink?.boards ?? {});
    return [...base, ...linked].flatMap((name) => {
      const example = `${manifestRoot()}/examples/boards/${name}.json`;
      const board = existsSync(example) ? example : name;
      try {
        const loaded = loadBoard(board);
        return [{ board, name: loaded.name, profile: profileForPlatform(loaded.manifest.platform, loaded.name) }];
      } catch {
        return [];
      }
    });
  };
  console.log("");
  try {
    for (const device of listDevices()) {
      for (const t of targetsOf(device)) {
        const r = await emulate({ device, board: t.board, profile: t.profile, hours: emulateHours, seed: 1 });
        const f = r.figures;
        const l = f.lorawan;
        const pair = (b: { low: number; high: number }): [number, number] => [b.low, b.high];
        const worst = (k: "p50" | "p99" | "max") => {
          const e = l?.error.filter((x) => x.windows > 0) ?? [];
          return { low: Math.max(...e.map((x) => x[k].low)), high: Math.max(...e.map((x) => x[k].high)) };
        };
        const sampling = f.groups.filter((g) => g.group !== "report").sort((a, b) => a.periodMs - b.periodMs);
        const fastest = sampling[0];
        emulatedRows.push({
          device,
          board: t.name,
          profile: t.profile,
          link: f.link,
          ...(l && l.windows > 0
            ? { rxWindowErrorUs: { p50: pair(worst("p50")), p99: pair(worst("p99")), max: pair(worst("max")) }, airtimePerUplinkMs: l.airtimeUs.mean / 1000, uplinks: l.uplinks.length }
            : {}),
          hours: emulateHours,
          ...(fastest ? { fastest: { group: fastest.group, periodMs: fastest.periodMs, jitterMaxUs: pair(fastest.jitterMaxUs), instructionsPerCycle: fastest.instructionsPerCycleMean } } : {}),
          heapBytes: f.xsDeviceBytes,
          cpuBusyPercent: f.cpuBusyPercent,
          averageMilliamps: f.energy.averageMilliamps,
          milliwattHoursPerDay: f.energy.milliwattHoursPerDay,
          daysPer1000mAh: f.energy.daysPer1000mAh,
          qemuWallPerVirtualHourS: f.wallSeconds.emulate / emulateHours,
        });
      }
    }
    const h3 = ["device", "board", "profile", "link", "fastest sampling", "instructions per cycle", "jitter max", "XS heap held", "RX window error p50 / p99 / max", "airtime per uplink", "CPU busy", "mean current", "mWh/day", "days per 1,000 mAh", "QEMU wall s per virtual h"];
    const msPair = ([a, b]: [number, number], digits = 1) =>
      (a / 1000).toFixed(digits) === (b / 1000).toFixed(digits) ? (a / 1000).toFixed(digits) : `${(a / 1000).toFixed(digits)}–${(b / 1000).toFixed(digits)}`;
    const t3 = emulatedRows.map((r) => [
      r.device,
      r.board,
      r.profile,
      r.link,
      r.fastest ? `${r.fastest.group} ${r.fastest.periodMs} ms` : "-",
      r.fastest ? Math.round(r.fastest.instructionsPerCycle).toLocaleString("en-US") : "-",
      r.fastest ? `${msPair(r.fastest.jitterMaxUs, 2)} ms` : "-",
      `${(r.heapBytes / 1024).toFixed(1)} KB`,
      r.rxWindowErrorUs ? `${msPair(r.rxWindowErrorUs.p50)} / ${msPair(r.rxWindowErrorUs.p99)} / ${msPair(r.rxWindowErrorUs.max)} ms` : "-",
      r.airtimePerUplinkMs !== undefined ? `${r.airtimePerUplinkMs.toFixed(0)} ms (${r.uplinks} uplinks)` : "-",
      `${r.cpuBusyPercent.toFixed(2)} %`,
      r.averageMilliamps >= 1 ? `${r.averageMilliamps.toFixed(2)} mA` : `${(r.averageMilliamps * 1000).toFixed(1)} µA`,
      r.milliwattHoursPerDay.toFixed(1),
      r.daysPer1000mAh.toFixed(1),
      r.qemuWallPerVirtualHourS.toFixed(1),
    ]);
    printTable(
      `Emulated Cortex-M4 (QEMU, 62.5 MIPS): ${emulateHours} h per device and board, seed 1; the fastest sampling group's device and provider instructions per cycle (mean) and its slots' period jitter (max after the first 10 s, both ends of the timing model); XS memory the device held after collections (slots kept and the chunks they point to, peak); RX window error on the board's clock (listening − (TxDone + delay), worse of RX1 and RX2, both ends of the timing model); energy from the board manifests' currents and, on a LoRa board, the SX1262 model's time in each state (its TCXO, RF switch and 470 MHz TX figures not counted)`,
      h3,
      t3,
    );
  } catch (e) {
    if (!(e instanceof MissingToolError)) throw e;
    console.log(`Emulated Cortex-M4: skipped (${e.message})`);
  }
}
// Parking accuracy over a month of the street world: the detector against the world, no device, no radio.
const parkingMonth: { layout: string; seed: number; detected: number; changes: number; falseReports: number; longestDisagreementS: number }[] = [];
if (process.env.GANZHI_BENCH_PARKING_MONTH !== "0") {
  console.log("");
  console.log("Parking detector over a simulated month of the street world (tools/bench/parking-month.ts): changes reported within a minute of the car standing still or clear");
  for (const layout of ["parallel", "perpendicular"] as const) {
    for (const seed of MONTH_SEEDS) {
      const r = runMonth(seed, layout);
      parkingMonth.push({ layout, seed, detected: r.detected, changes: r.changes, falseReports: r.falseReports, longestDisagreementS: r.longestDisagreementS });
      console.log(`  ${monthLine(layout, seed, r)}`);
    }
  }
}

// Years on the battery, each battery node with its radio.
const batteryDays = Number(process.env.GANZHI_BENCH_BATTERY_DAYS ?? 7);
const batteryRows: BatteryRow[] = [];
if (batteryDays > 0 && emulateHours > 0) {
  const { MissingToolError } = await import("../../emulator/host/toolchain.js");
  console.log("");
  try {
    for (const spec of BATTERY_NODES) batteryRows.push(await batteryLife(spec, batteryDays, emulateHours));
    const ua = (x: number) => `${x.toFixed(1)} µA`;
    const h4 = ["device", "radio board (link)", "battery", "MCU (emulated)", "radio (simulated)", "sensors (simulated)", "total", "years", "dominated by"];
    const t4 = batteryRows.map((r) => [
      r.device,
      `${r.radioBoard.replace(/^.*\//, "").replace(/\.json$/, "")} (${r.link})`,
      `${int(r.capacityMah)} mAh`,
      `${ua(r.mcuMicroamps.low)}–${ua(r.mcuMicroamps.high)}`,
      ua(r.radioMicroamps),
      r.sensorStates.length > 0 ? ua(r.sensorMicroamps) : "-",
      `${ua(r.totalMicroamps.low)}–${ua(r.totalMicroamps.high)}`,
      yearsRange(r.years.low, r.years.high),
      r.dominant,
    ]);
    printTable(
      `Years on the battery (tools/bench/battery.ts): radio and sensors from their part models over ${batteryDays} simulated days on the radio board, MCU from ${emulateHours} h of the same board on the emulated nRF52840, seed 1; years = C / (I·8,760 h + ${SELF_DISCHARGE_PER_YEAR * 100} %·C a year)`,
      h4,
      t4,
    );
    for (const r of batteryRows) {
      console.log(
        `  ${r.device}: MCU in deep sleep ${(r.deepSleepShare * 100).toFixed(1)} % of the time (${r.deepSleepMicroamps.toFixed(2)} µA), waking ${r.wakeMicroamps.toFixed(2)} µA` +
          (r.deepSleepShare > 0 ? " (each wake a reboot: main's instructions are in the CPU term, the reset to main in waking)" : " (it waits in System ON idle between events)"),
      );
      console.log(`  ${r.device}: ${r.battery}; radio states ${r.radioStates.slice(0, 4).map((s) => `${s.state} ${s.microamps.toFixed(2)} µA`).join(", ")}${r.sensorStates.length > 0 ? `; sensors ${r.sensorStates.map((s) => `${s.state} ${s.microamps.toFixed(1)} µA`).join(", ")}` : ""}${r.magnetometerDuty !== undefined ? `; magnetometer in continuous mode ${(r.magnetometerDuty * 100).toFixed(2)} % of the time (its current is not charged: the reference notes give none)` : ""}`);
    }
    console.log(
      [
        "  MCU: the device's work on the emulated radio board (its LoRaWAN MAC or BC95 driver included), and between events System ON idle with the RTC (3.16 µA) or, while the device deep-sleeps, System ON with the RTC and RAM off (1.5 µA).",
        "  Sensors: counted where the part's model keeps its current (the strain bridge's excitation from the ADS1220 model); not counted: the magnetometer, the ADS1220's and SHT3x's own supply, the RS-485 transceiver, the regulator from 3.6 V, cell passivation and pulse limits, temperature, the DK's interface MCU.",
        "  A figure beyond a Li-SOCl2 cell's service life (about 10-20 years) means the cell, not the load, sets the node's life.",
      ].join("\n"),
    );
  } catch (e) {
    if (!(e instanceof MissingToolError)) throw e;
    console.log(`Years on the battery: skipped (${e.message})`);
  }
}

// What single radio events cost (tools/bench/event-costs.ts): deterministic, from the models' formulas and currents.
{
  const { lorawanEventCosts, nbiotLostCoverageDay, RX_MA, txMilliamps } = await import("./event-costs.js");
  const errorUs = 15_000;
  const rows = [...lorawanEventCosts(51, 0, 17, errorUs), ...lorawanEventCosts(51, 5, 17, errorUs).slice(0, 2)];
  console.log("");
  printTable(
    `What single events cost: LoRaWAN CN470 on the SX1262 (TX +17 dBm on the +22 dBm PA row ${txMilliamps(17).toFixed(0)} mA, RX ${RX_MA} mA with DC-DC; windows for a ${errorUs / 1000} ms timing error; the wake and standby before each window, the TCXO, RF switch and MCU not counted)`,
    ["event", "DR (SF)", "time on air ms", "listening ms", "charge µAh"],
    rows.map((r) => [r.event, `DR${r.dr} (SF${r.sf})`, r.airtimeMs.toFixed(1), r.listenMs.toFixed(1), r.microampHours.toFixed(2)]),
  );
  const lost = nbiotLostCoverageDay();
  console.log(
    `  NB-IoT (BC95 model): a day without coverage, searching for a cell the whole day, ${int(Math.round(lost.searchMicroampHours))} µAh, against ${int(Math.round(lost.psmMicroampHours))} µAh for a day in PSM (the model searches without back-off; a module's own search schedule may draw less).`,
  );
}

let build: Record<string, unknown> | undefined;
if (process.env.GANZHI_BENCH_BUILD !== "0") {
  console.log("");
  build = await benchBuild(manifestRoot(), printTable);
}
if (process.env.GANZHI_BENCH_JSON) console.log(JSON.stringify({ rows, fleets: fleetRows, engines: engineRows, emulated: emulatedRows, parkingMonth, battery: batteryRows, build }, null, 2));
