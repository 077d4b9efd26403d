/**
 * The weather station over LoRaWAN (CN470, class A) on the emulated Cortex-M4, on both memory profiles: the
 * nRF52840-DK with an SX1262 shield (nrf52840) and an ESP32-DevKitC with an SX1262 module (mps2-4m). The image
 * replays the SPI conversation with the simulated SX1262 (MOSI checked, MISO answered) and its BUSY and DIO1 edges;
 * the class A windows are timed on the board's clock (emulator/host/rx-windows.ts) and held to the device manifest's
 * budgets; the frames are checked against the simulation's and decoded by lora-packet, which no one here wrote.
 */
import { existsSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { runSimXs } from "../../simulator/xs/session.js";
import { loadDevice } from "../../manifests/load.js";
import { checkBudgets } from "../../emulator/host/budgets.js";
import { emulate, radioWiring } from "../../emulator/host/emulate.js";
import type { EmulateResult } from "../../emulator/host/emulate.js";
import { loraPacket } from "../../simulator/node/lns/lora-packet.js";
import { loadBoard, resolveNode } from "../../manifests/load.js";

const HOURS = 1;
// The catalogue's board once it is there (branch lora-xs moves it), the example overlay until then.
const NRF = existsSync("manifests/boards/nrf52840-dk-sx1262.json") ? "nrf52840-dk-sx1262" : "examples/boards/nrf52840-dk-sx1262.json";
const ESP = "examples/boards/esp32-devkitc-sx1262.json";
const budgets = loadDevice("weather-station").manifest.budgets!;

const runs: Record<string, EmulateResult> = {};

beforeAll(async () => {
  // One QEMU each, at once (two cores).
  const [nrf, esp] = await Promise.all([
    emulate({ device: "weather-station", board: NRF, hours: HOURS, seed: 1 }),
    emulate({ device: "weather-station", board: ESP, hours: HOURS, seed: 1 }),
  ]);
  runs.nrf52840 = nrf;
  runs["mps2-4m"] = esp;
}, 300_000);

/**
 * Time on air by Semtech's formula (SX1261/2 datasheet §6.1.4; AN1200.13), written out here from the datasheet:
 * explicit header, CRC on for uplinks, coding rate 4/5, low-data-rate optimisation when a symbol lasts 16 ms or more.
 */
function semtechAirtimeUs(payloadBytes: number, sf: number, bandwidthHz: number, preamble = 8): number {
  const symbolUs = (2 ** sf / bandwidthHz) * 1e6;
  const de = symbolUs >= 16_000 ? 1 : 0;
  const crc = 1;
  const header = 0; // H = 0: explicit header
  const cr = 1; // 4/5
  const n = 8 + Math.max(Math.ceil((8 * payloadBytes - 4 * sf + 28 + 16 * crc - 20 * header) / (4 * (sf - 2 * de))) * (cr + 4), 0);
  return (preamble + 4.25) * symbolUs + n * symbolUs;
}

describe.each(["nrf52840", "mps2-4m"])("weather-station over LoRaWAN on the emulated Cortex-M4 (%s, 1 h, seed 1)", (profile) => {
  const r = () => runs[profile]!;

  it("replays the SPI conversation with the SX1262 and its BUSY/DIO1 edges without leaving the recording", () => {
    const { recording, console: c, figures: f } = r();
    expect(f.profile).toBe(profile);
    const config = resolveNode(loadDevice("weather-station"), loadBoard(recording.board)).config;
    const radio = radioWiring(config, recording)!;
    expect(radio).toBeDefined();
    const recorded = recording.spi[radio.target]!.transactions;
    expect(recorded.length).toBeGreaterThan(200);
    // Every transaction the device made, and no other: MOSI checked against the simulation's, MISO replayed.
    expect(c.spi.filter((p) => p.target === radio.target)).toHaveLength(recorded.length);
    expect(c.divergences).toEqual([]);
    expect(c.crashes).toEqual([]);
    expect(r().replay.spiTransactions).toBe(recorded.length);
    const edges = (pin: number) => recording.lineChanges.filter(([p]) => p === pin).length;
    expect(edges(radio.busy)).toBeGreaterThan(100);
    expect(edges(radio.dio1)).toBeGreaterThan(2 * f.lorawan!.uplinks.length);
  });

  it("sends the simulation's PHY payloads byte for byte, and the broker's frames are its uplinks decrypted by lora-packet", () => {
    const { comparison, frames, simFrames, recording } = r();
    expect(comparison.firstDifference).toBeUndefined();
    expect(comparison.identical).toBe(true);
    const uplinks = r().figures.lorawan!.uplinks;
    // OTAA: the first frame is a Join-Request from the node's DevEUI, the rest data uplinks with valid MICs.
    const first = loraPacket.fromWire(Buffer.from(uplinks[0]!.phyHex, "hex"));
    expect(first.getMType()).toBe("Join Request");
    const identity = (recording.config as { uplink: { lorawan: { identity: { devEui: string } } } }).uplink.lorawan.identity;
    expect(first.DevEUI!.toString("hex")).toBe(identity.devEui);
    expect(uplinks.slice(1).every((u) => u.kind === "data")).toBe(true);
    // Every frame the broker got is the decryption of one of the image's uplinks (retransmissions aside).
    expect(simFrames.length).toBeGreaterThan(2);
    expect(frames.length).toBeGreaterThanOrEqual(simFrames.length);
    const decrypted = new Set(frames.map((x) => x.hex));
    for (const s of simFrames) expect(decrypted.has(s.hex)).toBe(true);
  });

  it("joins: the JoinAccept arrives in a join window and data uplinks follow", () => {
    const l = r().figures.lorawan!;
    expect(l.joins).toBe(1);
    expect(l.joined).toBe(true);
    expect(l.uplinks[0]!.windows.some((w) => w.received)).toBe(true);
  });

  it("spends the Semtech formula's time on air per uplink (from the recorded BUSY and DIO1 edges)", () => {
    const l = r().figures.lorawan!;
    for (const u of l.uplinks) {
      const w = u.windows[0]!;
      // The uplink went at the RX1 data rate's SF (CN470 RX1DROffset 0 here) on 125 kHz.
      const expected = semtechAirtimeUs(u.phyHex.length / 2, w.sf, w.bandwidthHz);
      expect(Math.abs(u.airtimeUs - expected), u.phyHex).toBeLessThanOrEqual(1);
    }
    expect(l.airtimeUs.count).toBe(l.uplinks.length);
  });

  it("aims each window at the spec's instant, and on the board reaches SetRx in one handler (the receiver was prepared ahead)", () => {
    const l = r().figures.lorawan!;
    expect(l.windows).toBeGreaterThanOrEqual(2 * (l.uplinks.length - 1));
    for (const u of l.uplinks) {
      // RX1 at TxDone + 5 s after a Join-Request, + the JoinAccept's RxDelay (1 s) after data; RX2 one second later.
      expect(u.windows.map((w) => w.delayUs)).toEqual(u.kind === "join" ? [5e6, 6e6].slice(0, u.windows.length) : [1e6, 2e6].slice(0, u.windows.length));
      for (const w of u.windows) {
        // In virtual time the device's code takes none: the receiver listens at the instant or, where the symbol
        // timeout needs it (Semtech's rule), a little before it, never later and never earlier than its timeout covers.
        expect(w.simulatedErrorUs).toBeLessThanOrEqual(0);
        expect(w.simulatedErrorUs).toBeGreaterThanOrEqual(-w.toleranceUs.early);
        // On the board the timer's handler sends SetRx itself: its CPU time, not a dozen BUSY handshakes (which took
        // 20–62 ms before the receiver was prepared ahead).
        expect(w.sequenceUs.slow).toBeGreaterThan(w.simulatedSequenceUs);
        expect(w.sequenceUs.slow).toBeLessThan(2000);
      }
    }
    // After ADR the uplinks go at DR5 (SF7), whose RX1 symbols last 1.024 ms.
    expect(l.uplinks.some((u) => u.windows[0]?.sf === 7)).toBe(true);
    const checks = checkBudgets(budgets, r().figures);
    expect(checks.find((c) => c.name === "rxWindowErrorUs")!.value).toBe(l.absMaxUs);
    expect(checks.find((c) => c.name === "joined")!.ok).toBe(true);
  });

  // The budget is the system's timing error the MAC plans each window for (runtime/link/lorawan/rx-window.ts), 15 ms
  // in the weather station's manifest: within the 10-20 ms Semtech's LoRaMac-node uses (SystemMaxRxError, 10 by
  // default, 20 in its applications). It must cover more than the clock: a window's timer can come due while the
  // runtime's wind-sampling handler runs (up to ~400k instructions), which a single-threaded host cannot preempt;
  // with seed 1 that puts one nRF52840 RX2 10.3 ms late, still inside the budget and caught.
  it("meets the manifest's window budget (rxWindowErrorUs) on the board's clock", () => {
    const check = checkBudgets(budgets, r().figures).find((c) => c.name === "rxWindowErrorUs")!;
    expect(check.value).toBeLessThanOrEqual(budgets.rxWindowErrorUs!);
    expect(check.ok).toBe(true);
  });

  it("would catch a preamble sent on time in every window: the error is inside the symbol timeout and the preamble", () => {
    for (const u of r().figures.lorawan!.uplinks) {
      for (const w of u.windows) {
        expect(w.catches).toBe(true);
        for (const k of ["fast", "slow"] as const) {
          expect(w.errorUs[k]).toBeLessThanOrEqual(w.toleranceUs.late);
          expect(w.errorUs[k]).toBeGreaterThanOrEqual(-w.toleranceUs.early);
        }
      }
    }
    expect(checkBudgets(budgets, r().figures).find((c) => c.name === "rxWindowsMissed")!.ok).toBe(true);
  });

  it("holds the SF7 windows inside DR5's two spare preamble symbols, and a budget tighter than the measured error fails", () => {
    const f = r().figures;
    const windows = f.lorawan!.uplinks.flatMap((u) => u.windows);
    const sf7 = windows.filter((w) => w.sf === 7);
    expect(sf7.length).toBeGreaterThan(0);
    for (const w of sf7) {
      // Two spare symbols of 1.024 ms: the budget the late side has, whatever the timeout.
      expect(w.toleranceUs.late).toBe(2 * 1024);
      expect(Math.max(w.errorUs.fast, w.errorUs.slow)).toBeLessThanOrEqual(w.toleranceUs.late);
    }
    // A budget tighter than the measured error still fails.
    const tight = checkBudgets({ ...budgets, rxWindowErrorUs: f.lorawan!.absMaxUs! - 1 }, f).find((c) => c.name === "rxWindowErrorUs")!;
    expect(tight.ok).toBe(false);
  });

  it("fails the window budget when it is tighter than the error, when a window would miss, and when nothing was sent", () => {
    const f = r().figures;
    const tight = checkBudgets({ ...budgets, rxWindowErrorUs: f.lorawan!.absMaxUs! - 1 }, f).find((c) => c.name === "rxWindowErrorUs")!;
    expect(tight.ok).toBe(false);
    // A window whose error is beyond what the preamble and symbol timeout allow counts as missed.
    const late = structuredClone(f.lorawan!);
    late.missed = 1;
    expect(checkBudgets(budgets, { ...f, lorawan: late }).find((c) => c.name === "rxWindowsMissed")!.ok).toBe(false);
    // A LoRaWAN node that never transmitted has no window to measure: the budget fails.
    const none = { ...f.lorawan!, uplinks: [], windows: 0, absMaxUs: undefined, error: [] };
    const silent = checkBudgets(budgets, { ...f, lorawan: none });
    expect(silent.find((c) => c.name === "rxWindowErrorUs")).toMatchObject({ ok: false });
    expect(silent.find((c) => c.name === "rxWindowsMissed")).toMatchObject({ ok: false });
  });

  it("counts the SX1262's transmit and receive time in the energy estimate", () => {
    const shares = r().figures.energy.shares.filter((s) => s.state === "part");
    const tx = shares.filter((s) => s.current.includes(" TX "));
    const rx = shares.filter((s) => / RX$/.test(s.current));
    expect(tx.length).toBeGreaterThan(0);
    expect(rx.length).toBeGreaterThan(0);
    // Transmit time (at each power the uplinks used) is their time on air: the model's ledger against the recorded
    // edges, within a millisecond an uplink.
    const txUs = tx.reduce((a, s) => a + s.seconds * 1e6, 0);
    expect(Math.abs(txUs - r().figures.lorawan!.airtimeUs.total)).toBeLessThan(1000 * r().figures.lorawan!.uplinks.length);
    expect(r().figures.energy.radio).toBe(true);
  });

  it("runs within the board's memory: RAM inside the profile, XS inside the board's creation", () => {
    const f = r().figures;
    expect(f.heapPeakBytes).toBeLessThan(f.heapCapacityBytes);
    expect(f.heapCapacityBytes).toBeLessThanOrEqual(f.ramBytes);
    if (profile === "nrf52840") {
      expect(f.ramBytes).toBe(256 * 1024);
      expect(f.boardStaticBytes).toBe(128 * 1024);
    }
  });
});

describe("the LoRaWAN node's frames on V8, XS and the emulated MCU", () => {
  // XS carries LoRaWAN from branch lora-xs on (simulator/xs: the air and gateways inside XS, datagrams across).
  it("are byte-identical: the PHY payloads (V8 and the image) and the broker's frames (all three)", async () => {
    const emulated = runs.nrf52840!;
    const xs = await runSimXs({ device: "weather-station", board: NRF, hours: HOURS, seed: 1 });
    const v8 = emulated.simFrames;
    expect(v8.length).toBeGreaterThan(2);
    // V8 ↔ XS: the broker's frames, every field.
    expect(xs.frames.map((f) => JSON.stringify(f))).toEqual(v8.map((f) => JSON.stringify(f)));
    // V8 ↔ the image: PHY payloads byte for byte, and each broker frame one of the image's uplinks decrypted.
    expect(emulated.comparison.identical).toBe(true);
    const decrypted = emulated.frames.map((f) => f.hex);
    let j = 0;
    for (const f of xs.frames) {
      while (j < decrypted.length && decrypted[j] !== f.hex) j++;
      expect(j, f.hex).toBeLessThan(decrypted.length);
      j++;
    }
  }, 300_000);
});
