/**
 * The simulator's recording of what reached a device (simulator/node/record.ts): transparent to the run, complete
 * enough to replay, and checked against the parts' datasheets rather than read back from itself.
 */
import { describe, expect, it } from "vitest";
import { recordSim } from "../../simulator/node/record.js";
import { runSim } from "../../simulator/node/session.js";
import { replayBlob } from "../../emulator/host/replay-file.js";
import { LINE_ANSWERS_WRITE_CODE, LINE_TIMING_CODE } from "../../simulator/core/io/lines.js";

/** Sensirion CRC-8 (poly 0x31, init 0xFF), from the SHT3x datasheet §4.12, written out here independently. */
function sensirionCrc(a: number, b: number): number {
  let crc = 0xff;
  for (const byte of [a, b]) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x31) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

describe("recording a simulated device", () => {
  it("changes nothing: the same frames, at the same virtual times, as a plain run", async () => {
    const opts = { device: "weather-station", board: "esp32-devkitc", hours: 1, seed: 5 };
    const plain = await runSim(opts);
    const { result } = await recordSim(opts);
    expect(result.frames.map((f) => [f.t, f.topic, f.hex, f.acked])).toEqual(plain.frames.map((f) => [f.t, f.topic, f.hex, f.acked]));
  });

  it("holds the device's I2C traffic as the datasheets describe it, its ADC and counter readings, and the broker's side", async () => {
    const { recording } = await recordSim({ device: "weather-station", board: "esp32-devkitc", hours: 0.5, seed: 2 });
    const sht = recording.i2c.find((t) => t.address === 0x44)!;
    // Commands from the datasheet only (table 9: single shot without clock stretching 0x2400/0x240B/0x2416;
    // 0x30A2 soft reset; 0x3066/0x306D heater off/on), a single shot per air slot, each read answering with
    // 6 bytes whose two words carry valid CRCs.
    const writes = sht.transactions.filter((t) => t.op === "write" && t.ack).map((t) => t.hex);
    expect(writes.every((h) => /^(24(00|0b|16)|30a2|306[6d])$/.test(h))).toBe(true);
    expect(writes.filter((h) => h.startsWith("24")).length).toBe(30);
    const reads = sht.transactions.filter((t) => t.op === "read" && t.ack).map((t) => Buffer.from(t.hex, "hex"));
    expect(reads.length).toBeGreaterThanOrEqual(30);
    for (const r of reads) {
      expect(r.length).toBe(6);
      expect(r[2]).toBe(sensirionCrc(r[0]!, r[1]!));
      expect(r[5]).toBe(sensirionCrc(r[3]!, r[4]!));
    }
    // BME280: the chip-id read of register 0xD0 answers 0x60 (datasheet §5.4.1).
    const bme = recording.i2c.find((t) => t.address === 0x76)!;
    const idAt = bme.transactions.findIndex((t) => t.op === "write" && t.hex === "d0");
    expect(idAt).toBeGreaterThanOrEqual(0);
    expect(bme.transactions[idAt + 1]).toMatchObject({ op: "read", ack: true, hex: "60" });
    // The vane's ADC: one reading per 250 ms wind slot, all within the supply. Wind runs half a period off the
    // report/air grid (slots at 125 ms + k·250 ms), so 30 minutes hold 7,200 of them.
    const vane = recording.analog[0]!;
    expect(vane.volts).toHaveLength(7200);
    expect(vane.volts.every((v) => v >= 0 && v <= 3.3)).toBe(true);
    // The anemometer's counter never runs backwards.
    const counts = recording.pulse[0]!.counts;
    expect(counts.every((c, i) => i === 0 || c >= counts[i - 1]!)).toBe(true);
    // The broker: connected once, answered the device's CONNECT with a CONNACK (0x20 0x02 …) first.
    expect(recording.connections).toHaveLength(1);
    expect(recording.connections[0]!.txHex.slice(0, 2)).toBe("10");
    const firstData = recording.net.find((e) => e.kind === "data")!;
    expect(firstData.hex!.slice(0, 4)).toBe("2002");
    expect(recording.net[0]!.kind).toBe("connected");
    // Posted after the device's callbacks that came before them: the counts never go down.
    expect(recording.net.every((e, i) => i === 0 || e.after >= recording.net[i - 1]!.after)).toBe(true);
  });

  it("becomes a replay blob the image reads in place", async () => {
    const { recording } = await recordSim({ device: "weather-station", board: "nrf52840-dk", hours: 0.1, seed: 2 });
    const { blob, figures } = replayBlob(recording);
    expect(Buffer.from(blob.subarray(0, 4)).toString("latin1")).toBe("GZRP");
    expect(new DataView(blob.buffer, blob.byteOffset).getUint32(8, true)).toBe(blob.length);
    // On the nRF52840-DK the anemometer is counted by edge interrupts: its line changes are in the recording.
    expect(figures.lineChanges).toBe(recording.lineChanges.length);
    expect(figures.lineChanges).toBeGreaterThan(100);
  });

  // The HX711 is read by bit-banging (parts/hx711/driver.ts): its data bits answer the device's own PD_SCK writes
  // inside one callback, so they are kept with the write they answer, not as events of their own.
  it("keeps a bit-banged part's answers with the device's writes they answer (an HX711's data bits)", async () => {
    const { recording } = await recordSim({ device: "examples/devices/structural-strain-hx711.json", board: "nrf52840-dk", hours: 0.01, seed: 2 });
    const dout = (recording.config as { parts: { strain: { pin: number } } }).parts.strain.pin;
    const changes = recording.lineChanges.filter(([pin]) => pin === dout);
    expect(changes.length).toBe(recording.lineChanges.length);
    // Data ready (DOUT falling) is on the chip's own clock, 80 conversions a second (RATE high), never inside a write.
    const ready = changes.filter((c) => c[3] !== LINE_ANSWERS_WRITE_CODE);
    expect(ready.every(([, at, level, timing]) => level === 0 && timing === LINE_TIMING_CODE.clock && at % 12_500 === 0)).toBe(true);
    expect(ready.length).toBeGreaterThan(0.01 * 3600 * 80 - 2);
    // The device's writes: its constructor's PD_SCK low (write 0), then per read 25 pulses, each a rise and a fall.
    // The datasheet shifts a bit out on each rising edge, so every answer is made in a rise (an odd write) ...
    const answers = changes.filter((c) => c[3] === LINE_ANSWERS_WRITE_CODE);
    expect(answers.every(([, , , , write]) => write! % 2 === 1)).toBe(true);
    // ... and a read's bits, MSB first, are DOUT's level after rises 1-24; the 25th pulls DOUT high again.
    let read = -1;
    let level = 0;
    let code = 0;
    let bit = 0;
    const decoded: number[] = [];
    const finish = (): void => {
      for (; bit < 24; bit++) code = (code << 1) | level;
      expect(level).toBe(1); // after the 25th rise at the latest
      decoded.push((code << 8) >> 8);
    };
    let codes = 0;
    for (const [, , l, timing, write] of changes) {
      if (timing !== LINE_ANSWERS_WRITE_CODE) {
        if (read >= 0) finish();
        read++;
        codes++;
        level = l;
        code = 0;
        bit = 0;
        continue;
      }
      const rise = ((write! - 1) / 2) % 25; // 0-based pulse of this read
      for (; bit < Math.min(rise, 24); bit++) code = (code << 1) | level;
      level = l;
    }
    finish();
    expect(codes).toBe(ready.length);
    // What the bits say: 24-bit two's-complement codes inside the range (no saturation at 800000h/7FFFFFh), the
    // first four rising while the filter settles (400 ms at 10 SPS, 50 ms at 80: four conversions), then a bridge
    // that moves slowly next to 80 samples a second (steps well under 1 % of full scale).
    expect(decoded).toHaveLength(ready.length);
    expect(decoded.every((c) => c > -0x800000 && c < 0x7fffff)).toBe(true);
    expect(decoded[0]! < decoded[1]! && decoded[1]! < decoded[2]! && decoded[2]! < decoded[3]!).toBe(true);
    const steps = decoded.slice(4).map((c, i) => Math.abs(c - decoded[3 + i]!));
    expect(Math.max(...steps)).toBeLessThan(0x800000 / 100);
    const { figures } = replayBlob(recording);
    expect(figures.writeAnswers).toBe(answers.length);
    expect(figures.lineChanges).toBe(changes.length);
  });
});
