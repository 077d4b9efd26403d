/**
 * LoRa time on air against published figures: Semtech's LoRa Calculator and The Things Network's airtime tables
 * (CR 4/5, 8-symbol preamble, explicit header, CRC on, low-data-rate optimisation at SF11/SF12 on 125 kHz):
 * SF7 51 B 102.7 ms, SF12 51 B 2465.8 ms, SF12 10 B 991.2 ms; and the figures in ../shared/reference
 * (sensors-and-protocols §6.2) for a 10-byte application payload at SF12 (23 B PHY, 1.48 s) and the largest frames
 * of CN470 DR0 (64 B PHY, 2.79 s) and DR3 (128 B PHY, 0.68 s).
 */
import { describe, expect, it } from "vitest";
import { airtimeMicros, lowDataRateOptimizeNeeded, symbolMicros } from "../../runtime/link/lorawan/airtime.js";

const at = (sf: number, bytes: number, bandwidthHz = 125_000) => airtimeMicros({ sf, bandwidthHz, codingRate: 5, preamble: 8, payloadBytes: bytes, explicitHeader: true, crc: true }) / 1000;

describe("LoRa time on air", () => {
  it("matches the published figures", () => {
    expect(at(7, 51)).toBeCloseTo(102.656, 3);
    expect(at(12, 51)).toBeCloseTo(2465.792, 3);
    expect(at(12, 10)).toBeCloseTo(991.232, 3);
    expect(at(12, 23)).toBeCloseTo(1482.752, 3);
    expect(at(12, 64) / 1000).toBeCloseTo(2.79, 2);
    expect(at(9, 128) / 1000).toBeCloseTo(0.68, 2);
  });
  it("switches low-data-rate optimisation on where the symbol lasts 16 ms or more", () => {
    expect(symbolMicros(11, 125_000)).toBe(16_384);
    expect(lowDataRateOptimizeNeeded(11, 125_000)).toBe(true);
    expect(lowDataRateOptimizeNeeded(10, 125_000)).toBe(false);
    expect(lowDataRateOptimizeNeeded(12, 500_000)).toBe(false);
  });
  it("grows with every coding-rate step", () => {
    const cr = (c: number) => airtimeMicros({ sf: 7, bandwidthHz: 125_000, codingRate: c, preamble: 8, payloadBytes: 20, explicitHeader: true, crc: true });
    expect(cr(5)).toBeLessThan(cr(6));
    expect(cr(6)).toBeLessThan(cr(7));
    expect(cr(7)).toBeLessThan(cr(8));
  });
});
