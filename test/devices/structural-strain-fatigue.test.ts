/**
 * Miner's rule on the EN 1993-1-9 S–N curve (devices/structural-strain/fatigue.ts), checked by hand from the
 * standard's formulas for detail category 71 with E = 210 GPa (0.21 MPa per µε):
 *   Δσ_D = 71·(2/5)^(1/3) = 52.313 MPa,  Δσ_L = Δσ_D·(5/100)^(1/5) = 28.735 MPa (0.4047·Δσ_C);
 *   400 µε → 84 MPa ≥ Δσ_D:  N = 2·10⁶·(71/84)³ = 2·10⁶·357911/592704 = 1.20772·10⁶;
 *   200 µε → 42 MPa:          N = 5·10⁶·(52.313/42)⁵ = 1.49893·10⁷;
 *   120 µε → 25.2 MPa < Δσ_L: no damage;
 *   1000 cycles at 400 µε + 5000 at 200 µε + 10⁶ at 120 µε: D = 1000/1.20772·10⁶ + 5000/1.49893·10⁷ = 1.16158·10⁻³.
 *   With γ_Mf = 1.35, 400 µε verifies as 113.4 MPa: N = 2·10⁶·(71/113.4)³ = 4.90869·10⁵.
 */
import { describe, expect, it } from "vitest";
import { EN1993_DETAIL_CATEGORIES, MinerDamage, cutoffStress, cyclesToFailure, en1993Curve, kneeStress } from "../../devices/structural-strain/fatigue.js";

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("fatigue: EN 1993-1-9 S–N curve and Miner's rule", () => {
  const curve = en1993Curve(71);

  it("has the standard's knee and cut-off", () => {
    expect(relative(kneeStress(curve), 52.313)).toBeLessThan(1e-4);
    expect(relative(cutoffStress(curve), 28.735)).toBeLessThan(1e-4);
    expect(relative(cutoffStress(curve) / 71, 0.4047)).toBeLessThan(1e-3);
    // Both branches meet at the knee; the reference point and the cut-off are where the standard puts them.
    expect(relative(cyclesToFailure(curve, 71), 2e6)).toBeLessThan(1e-12);
    expect(relative(cyclesToFailure(curve, kneeStress(curve)), 5e6)).toBeLessThan(1e-12);
    expect(relative(cyclesToFailure(curve, kneeStress(curve) * (1 - 1e-12)), 5e6)).toBeLessThan(1e-9);
    expect(relative(cyclesToFailure(curve, cutoffStress(curve)), 1e8)).toBeLessThan(1e-9);
    expect(cyclesToFailure(curve, cutoffStress(curve) * 0.999)).toBe(Infinity);
    expect(cyclesToFailure(curve, 0)).toBe(Infinity);
  });

  it("gives the hand-checked lives and damage", () => {
    expect(relative(cyclesToFailure(curve, 84), 1.20772e6)).toBeLessThan(1e-5);
    expect(relative(cyclesToFailure(curve, 42), 1.49893e7)).toBeLessThan(1e-5);
    const miner = new MinerDamage({ curve, youngsModulusGPa: 210, classWidth: 2, classes: 256 });
    expect(miner.stressRange[200]).toBeCloseTo(84, 9);
    const half = new Uint32Array(256);
    half[200] = 2 * 1000; // 400 µε = 200 classes of 2 µε
    half[100] = 2 * 5000;
    half[60] = 2 * 1_000_000;
    expect(relative(miner.damage(half), 1.16158e-3)).toBeLessThan(1e-5);
    expect(miner.perCycle[60]).toBe(0);
    const safe = new MinerDamage({ curve, youngsModulusGPa: 210, classWidth: 2, classes: 256, gammaMf: 1.35 });
    expect(relative(1 / safe.perCycle[200]!, 4.90869e5)).toBeLessThan(1e-5);
  });

  it("knows the standard's detail categories and rejects others, naming the field", () => {
    expect(EN1993_DETAIL_CATEGORIES).toEqual([160, 140, 125, 112, 100, 90, 80, 71, 63, 56, 50, 45, 40, 36]);
    expect(() => en1993Curve(70)).toThrow("fatigue: detailCategory must be one of EN 1993-1-9's 160, 140, 125, 112, 100, 90, 80, 71, 63, 56, 50, 45, 40, 36 MPa, got 70");
    expect(() => new MinerDamage({ curve: { ...curve, m1: 0 }, youngsModulusGPa: 210, classWidth: 1, classes: 8 })).toThrow("fatigue: curve.m1 must be a slope from 1 to 20, got 0");
    expect(() => new MinerDamage({ curve: { ...curve, cutoffCycles: 1e6 }, youngsModulusGPa: 210, classWidth: 1, classes: 8 })).toThrow(
      "fatigue: curve.cutoffCycles must be at least kneeCycles (Infinity: no cut-off), got 1000000",
    );
    expect(() => new MinerDamage({ curve, youngsModulusGPa: 210e3, classWidth: 1, classes: 8 })).toThrow("fatigue: youngsModulusGPa must be between 1 and 1000 GPa (steel 210), got 210000");
    expect(() => new MinerDamage({ curve, youngsModulusGPa: 210, classWidth: 1, classes: 8, gammaFf: 0.9 })).toThrow("fatigue: gammaFf must be between 1 and 3, got 0.9");
  });

  it("has no cut-off when the curve has none", () => {
    const open = { ...curve, cutoffCycles: Infinity };
    expect(cutoffStress(open)).toBe(0);
    expect(cyclesToFailure(open, 1)).toBeGreaterThan(1e8);
    expect(Number.isFinite(cyclesToFailure(open, 1))).toBe(true);
  });
});
