/**
 * The board clock model (emulator/host/timeline.ts, board-timing.ts) on event records written by hand in the
 * image's console format: wake-ups on the RTOS tick, the start-up time, queueing behind a busy CPU, cycles per
 * instruction at both ends, and points inside a handler (where a radio driver's SPI command would be).
 */
import { describe, expect, it } from "vitest";
import { boardTiming, CORTEX_M4_CPI, TimingModelError } from "../../emulator/host/board-timing.js";
import type { BoardTiming } from "../../emulator/host/board-timing.js";
import { parseConsole } from "../../emulator/host/console.js";
import { analyze } from "../../emulator/host/analyze.js";
import { bounds, timeline, wakeSourceOf } from "../../emulator/host/timeline.js";
import { loadBoard } from "../../manifests/load.js";

const hex = (n: number) => Math.round(n).toString(16);
/** An `E` record: due and start in µs (25 ticks each), device and provider work in instructions (2.5 a tick). */
function E(stream: number, dueUs: number, startUs: number, deviceInstructions: number, providerInstructions: number, workBefore: number): string {
  const ticks = (deviceInstructions + providerInstructions) / 2.5;
  return `E ${hex(stream)} ${hex(dueUs * 25)} ${hex(startUs * 25)} ${hex(startUs * 25 + ticks)} 0 0 0 ${hex(deviceInstructions / 2.5)} ${hex(providerInstructions / 2.5)} ${hex(workBefore / 2.5)}`;
}

const ORIGIN = 1000; // µs from reset to the device's boot (virtual time 0)
const TICK = 1e6 / 1024;

function consoleOf(lines: string[]) {
  return parseConsole([`B ${JSON.stringify({ originUs: ORIGIN })}`, "N 3 timer(boot+250ms)", "N 4 edge:36", "N 5 host", ...lines].join("\n"));
}

const nrf = boardTiming(loadBoard("nrf52840-dk").manifest);
const esp = boardTiming(loadBoard("esp32-devkitc").manifest);
const usAt = (t: BoardTiming, instructions: number, k: "best" | "worst") => (instructions * t.cpi[k]) / (t.coreHz / 1e6);

describe("board timing", () => {
  it("nRF52840-DK: FreeRTOS's 1024 Hz tick, 3 µs to wake from System ON idle; ESP32: 1000 Hz, the CPU never sleeps", () => {
    expect(nrf).toMatchObject({ tickHz: 1024, wakeUs: { best: 3, worst: 3 }, sleeps: true, coreHz: 64e6, cpi: CORTEX_M4_CPI });
    expect(esp).toMatchObject({ tickHz: 1000, wakeUs: { best: 0, worst: 0 }, sleeps: false });
    // An ESP32 board that claims to light-sleep has no wake-up figure here: refused, not guessed.
    const board = loadBoard("esp32-devkitc").manifest;
    expect(() => boardTiming({ ...board, power: { ...board.power, idleState: "lightSleep" } })).toThrow(TimingModelError);
  });

  it("timers wake on a tick, interrupts at once", () => {
    expect(wakeSourceOf("timer(boot+250ms)")).toBe("timer");
    expect(wakeSourceOf("boot")).toBe("timer");
    expect(wakeSourceOf("edge:36")).toBe("interrupt");
    expect(wakeSourceOf("net:0:data")).toBe("interrupt");
  });
});

describe("timeline", () => {
  it("a timer due on a tick starts 3 µs late (waking); one due between ticks waits for the next tick", () => {
    // 250 ms is 256 ticks exactly; 100 µs after boot is not on the grid.
    const c = consoleOf([E(3, ORIGIN + 250_000, ORIGIN + 250_000, 64_000, 0, 0), E(3, ORIGIN + 500_100, ORIGIN + 500_100, 64_000, 0, 64_000)]);
    const t = timeline(c, nrf);
    expect(t.events).toHaveLength(2);
    const [a, b] = t.events;
    expect(a!.latenessUs.fast).toBeCloseTo(3, 9);
    expect(a!.latenessUs.slow).toBeCloseTo(3, 9);
    const nextTick = ORIGIN + Math.ceil(500_100 / TICK) * TICK;
    expect(b!.startUs.fast).toBeCloseTo(nextTick + 3, 6);
    expect(b!.latenessUs.slow).toBeCloseTo(nextTick + 3 - (ORIGIN + 500_100), 6);
    // 64,000 instructions at the fewest and the most cycles each (CORTEX_M4_CPI), at 64 MHz.
    expect(a!.endUs.fast - a!.startUs.fast).toBeCloseTo(usAt(nrf, 64_000, "best"), 6);
    expect(a!.endUs.slow - a!.startUs.slow).toBeCloseTo(usAt(nrf, 64_000, "worst"), 6);
    expect(t.wakeups).toEqual({ fast: 2, slow: 2 });
  });

  it("an event due while the CPU is busy waits for it, without a tick or a wake-up; the slower CPU makes it later", () => {
    // A 64,000-instruction timer handler at 250 ms; an edge 1 ms later arrives while it runs (1.56 to 2.14 ms).
    const c = consoleOf([E(3, ORIGIN + 250_000, ORIGIN + 250_000, 64_000, 0, 0), E(4, ORIGIN + 251_000, ORIGIN + 251_100, 3_000, 0, 64_000)]);
    const [, edge] = timeline(c, nrf).events;
    expect(edge!.source).toBe("interrupt");
    expect(edge!.woke).toEqual({ fast: false, slow: false });
    expect(edge!.startUs.fast).toBeCloseTo(ORIGIN + 250_000 + 3 + usAt(nrf, 64_000, "best"), 6);
    expect(edge!.startUs.slow).toBeCloseTo(ORIGIN + 250_000 + 3 + usAt(nrf, 64_000, "worst"), 6);
    expect(bounds(edge!.latenessUs)).toEqual({ low: edge!.latenessUs.fast, high: edge!.latenessUs.slow });
  });

  it("a timer due while the CPU is busy still waits for its tick; a faster CPU can start later (it slept and pays the start-up time)", () => {
    // The second timer is due at 252.5 ms, between ticks: it fires on tick 259 (252.93 ms). The first handler is sized
    // so that the slow CPU ends 1 µs after that tick (no sleep) and the fast one long before it (it sleeps, wakes in 3 µs).
    const tick259 = ORIGIN + 259 * TICK;
    const n = (tick259 + 1 - (ORIGIN + 250_003)) / (usAt(nrf, 1, "worst"));
    const c = consoleOf([E(3, ORIGIN + 250_000, ORIGIN + 250_000, n, 0, 0), E(3, ORIGIN + 252_500, ORIGIN + 252_500, 1_000, 0, n)]);
    const [, second] = timeline(c, nrf).events;
    expect(second!.boardDueUs.fast).toBeCloseTo(ORIGIN + 252_500, 6);
    expect(second!.woke).toEqual({ fast: true, slow: false });
    // (E records count in 40 ns ticks: to a tenth of a µs.)
    expect(second!.startUs.fast).toBeCloseTo(tick259 + 3, 1);
    expect(second!.startUs.slow).toBeCloseTo(tick259 + 1, 1);
    const b = bounds(second!.latenessUs);
    expect(b.low).toBe(second!.latenessUs.slow);
    expect(b.high).toBe(second!.latenessUs.fast);
  });

  it("a timer armed by a late handler is late with it: the board counts its delay from when the handler set it", () => {
    // An edge (a radio's TxDone, say) at 250 ms waits behind a 64,000-instruction timer handler; 16,000 instructions
    // into its own handler it arms a 1,000 ms timer (the RX1 window). On the board that timer fires 1,000 ms after
    // the arming instant, in whole ms of the RTOS's clock, on its tick.
    const arm = E(4, ORIGIN + 250_100, ORIGIN + 252_000, 20_000, 0, 64_000);
    const timer = `${E(3, ORIGIN + 1_250_100, ORIGIN + 1_250_100, 5_000, 0, 84_000)} ${hex(1)} ${hex((64_000 + 16_000) / 2.5)}`;
    const c = consoleOf([E(3, ORIGIN + 250_000, ORIGIN + 250_000, 64_000, 0, 0), arm, timer]);
    expect(c.dispatches[2]!.armedIn).toBe(1);
    const t = timeline(c, nrf);
    const [, edge, rx] = t.events;
    expect(rx!.armedBy).toBe(1);
    for (const k of ["fast", "slow"] as const) {
      const armedAt = t.at(1, (64_000 + 16_000) / 2.5)![k];
      expect(armedAt).toBeCloseTo(edge!.startUs[k] + usAt(nrf, 16_000, k === "fast" ? "best" : "worst"), 6);
      // The RTOS clock's ms at arming (ticks × 1000 / 1024, truncated), plus the 1,000 ms asked.
      const ms = Math.floor((Math.floor((armedAt - ORIGIN) / TICK) * 1000) / 1024) + 1000;
      expect(rx!.boardDueUs[k]).toBeCloseTo(ORIGIN + ms * 1000, 6);
      const wake = ORIGIN + Math.ceil((ms * 1024) / 1000) * TICK;
      expect(rx!.startUs[k]).toBeCloseTo(wake + 3, 6);
      // 1,000 ms after the arming instant, give or take the clock: its milliseconds are whole ticks, truncated (up to
      // two milliseconds behind real time), and it wakes on a tick.
      expect(rx!.startUs[k] - armedAt).toBeGreaterThan(1_000_000 - 2_000);
      expect(rx!.startUs[k] - armedAt).toBeLessThan(1_000_000 + TICK + 3);
    }
  });

  it("a transceiver's line answering an SPI command comes as long after the command's transfer on the board as in the simulation", () => {
    // A timer handler at 250 ms sends a 10-byte command (SetTx, say) 16,000 instructions in; the radio's DIO1 rises
    // 300 ms later in the simulation (its time on air). The image tags the edge with the command's dispatch and work.
    const work = (1_000_000 + 16_000) / 2.5;
    const command = `P 0 250000 ${ORIGIN + 250_010} ${work} ${"83".padEnd(20, "0")}`;
    const edge = `${E(4, ORIGIN + 550_000, ORIGIN + 550_000, 3_000, 0, 1_064_000)} ${hex(0)} ${hex(work)}`;
    const c = consoleOf([E(3, ORIGIN + 250_000, ORIGIN + 250_000, 64_000, 0, 1_000_000), command, edge]);
    expect(c.spi).toHaveLength(1);
    const t = timeline(c, nrf, { spiHz: 1_000_000 });
    const [, dio1] = t.events;
    expect(dio1!.armedBy).toBe(0);
    for (const k of ["fast", "slow"] as const) {
      // 10 bytes at 1 MHz: the command reaches the chip 80 µs after the device issued it.
      expect(dio1!.boardDueUs[k]).toBeCloseTo(t.at(0, work)![k] + 80 + 300_000, 6);
      expect(dio1!.startUs[k]).toBeCloseTo(dio1!.boardDueUs[k] + 3, 6);
    }
    // Without the SPI clock the transfer takes no time: the edge is the simulated delay after the command itself.
    expect(timeline(c, nrf).events[1]!.boardDueUs.slow).toBeCloseTo(t.at(0, work)!.slow + 300_000, 6);
  });

  it("a piece of work re-armed with no delay by its own handler fires when it was armed on the board, after an edge that came during the piece before", () => {
    // A report at 250 ms queues a job (runtime/work-queue.ts): its pieces are one timer callback re-arming itself with
    // delay 0, all at virtual 250 ms, so the image runs them back to back before an edge due at 252.4 ms. On the board
    // each piece's timer is set when the piece before it ends, later than the edge: the edge runs between them.
    const lines = ["N 8 timer(timer(boot+250ms)+0ms)"];
    lines.push(E(3, ORIGIN + 250_000, ORIGIN + 250_000, 64_000, 0, 0));
    lines.push(`${E(8, ORIGIN + 250_000, ORIGIN + 251_100, 128_000, 0, 64_000)} ${hex(0)} ${hex(64_000 / 2.5)}`);
    lines.push(`${E(8, ORIGIN + 250_000, ORIGIN + 253_200, 128_000, 0, 192_000)} ${hex(1)} ${hex(192_000 / 2.5)}`);
    lines.push(E(4, ORIGIN + 252_400, ORIGIN + 255_300, 3_000, 0, 320_000));
    const t = timeline(consoleOf(lines), nrf);
    const [report, first, second, edge] = t.events;
    expect(second!.armedBy).toBe(1);
    for (const k of ["fast", "slow"] as const) {
      expect(first!.startUs[k]).toBeGreaterThanOrEqual(report!.endUs[k]);
      // Never before it was armed: not at its virtual due (250 ms) but at the RTOS clock's ms when the piece before it
      // ended (whole ticks, truncated: up to 2 ms behind real time).
      expect(second!.boardDueUs[k]).toBeGreaterThan(first!.endUs[k] - 2_000);
      expect(second!.boardDueUs[k]).toBeGreaterThan(ORIGIN + 252_000);
      expect(edge!.startUs[k]).toBeCloseTo(first!.endUs[k], 6);
      expect(second!.startUs[k]).toBeGreaterThanOrEqual(edge!.endUs[k]);
      // The edge waited for one piece, not for the whole job.
      expect(edge!.latenessUs[k]).toBeLessThan(first!.endUs[k] - first!.startUs[k]);
    }
  });

  it("a relative timer's delay is whole milliseconds on the board (Moddable truncates it)", () => {
    // Armed at 250 ms for 999.472 ms (a MAC's RX window: TxDone + 1 s − the radio's set-up): the board asks for 999.
    const arm = E(4, ORIGIN + 250_000, ORIGIN + 250_000, 1_000, 0, 0);
    const timer = `${E(3, ORIGIN + 1_249_472, ORIGIN + 1_249_472, 5_000, 0, 1_000)} ${hex(0)} ${hex(1_000 / 2.5)}`;
    const t = timeline(consoleOf([arm, timer]), nrf);
    const armedAt = t.at(0, 1_000 / 2.5)!.fast;
    const ms = Math.floor((Math.floor((armedAt - ORIGIN) / TICK) * 1000) / 1024) + 999;
    expect(t.events[1]!.boardDueUs.fast).toBeCloseTo(ORIGIN + ms * 1000, 6);
  });

  it("charges the device and its provider, not the emulator: an event that ran no device code is not a board's", () => {
    const c = consoleOf([E(5, ORIGIN + 10, ORIGIN + 10, 0, 0, 0), E(3, ORIGIN + 250_000, ORIGIN + 250_000, 40_000, 24_000, 0)]);
    const t = timeline(c, esp);
    expect(t.events.map((e) => e.label)).toEqual(["timer(boot+250ms)"]);
    expect(t.byDispatch[0]).toBe(-1);
    expect(t.events[0]!.instructions).toBe(64_000);
    // ESP32: the CPU is clocked while idle, no start-up; a whole millisecond is on its tick.
    expect(t.events[0]!.latenessUs).toEqual({ fast: 0, slow: 0 });
    expect(t.busyUs.slow).toBeCloseTo(usAt(esp, 64_000, "worst"), 6);
  });

  it("places a point inside a handler (a socket write, an SPI command) by the device work before it", () => {
    const c = consoleOf([E(3, ORIGIN + 250_000, ORIGIN + 250_000, 64_000, 0, 1_000_000)]);
    const t = timeline(c, nrf);
    // 16,000 instructions into the handler.
    const at = t.at(0, (1_000_000 + 16_000) / 2.5)!;
    expect(at.fast).toBeCloseTo(ORIGIN + 250_000 + 3 + usAt(nrf, 16_000, "best"), 6);
    expect(at.slow).toBeCloseTo(ORIGIN + 250_000 + 3 + usAt(nrf, 16_000, "worst"), 6);
  });
});

describe("period jitter on the board's clock", () => {
  it("a 100 ms period on the nRF52840's 1024 Hz tick alternates 102 and 103 ticks: jitter of up to 0.59 ms a constant clock would hide", () => {
    // A repeating timer armed by the boot event (dispatch 0) at virtual 0, then 40 slots every 100 ms from 20 s on.
    const lines = ["N 6 boot", "N 7 timer(boot+100ms)", E(6, ORIGIN, ORIGIN, 2_500, 0, 0)];
    for (let i = 1; i <= 40; i++) {
      const due = ORIGIN + 20_000_000 + i * 100_000;
      lines.push(`${E(7, due, due, 2_500, 0, 2_500 * i)} 0 0`);
    }
    const c = consoleOf(lines);
    const a = analyze(c, { sampling: { fast: 100 }, reportIntervalS: 600, endUs: 25_000_000, isTelemetry: () => false, timing: nrf });
    const g = a.groups.find((x) => x.group === "fast")!;
    expect(g.slots).toBe(40);
    // |102 × 976.5625 µs − 100 ms| = 390.625 µs; |103 × 976.5625 µs − 100 ms| = 585.9375 µs.
    expect(g.jitterUs.fast.max).toBeCloseTo(585.9375, 3);
    expect(g.jitterUs.slow.max).toBeCloseTo(585.9375, 3);
    // The same period on the ESP32's 1000 Hz tick is a whole number of ticks: no jitter at all.
    const esp32 = analyze(c, { sampling: { fast: 100 }, reportIntervalS: 600, endUs: 25_000_000, isTelemetry: () => false, timing: esp });
    expect(esp32.groups.find((x) => x.group === "fast")!.jitterUs.slow.max).toBe(0);
  });
});
