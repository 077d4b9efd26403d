/**
 * Dew point, frost point and the frost flag (devices/weather-station/psychrometrics.ts) against values computed
 * here, independently of the device code:
 * - the WMO-No. 8 Annex 4.B saturation vapour pressures, typed from the Guide, with the frost point found by
 *   bisection on e_i(t_f) = U/100·e_w(t) (no algebraic inversion, Math.exp instead of runtime/detmath);
 * - a second published method, Murphy & Koop (2005, Q. J. R. Meteorol. Soc. 131, eq. 7 for ice and eq. 10 for
 *   water), solved the same way.
 */
import { describe, expect, it } from "vitest";
import { dewPoint, frostPoint, frostRisk } from "../../devices/weather-station/psychrometrics.js";

// WMO-No. 8, Annex 4.B: hPa, t in °C.
const wmoWater = (t: number): number => 6.112 * Math.exp((17.62 * t) / (243.12 + t));
const wmoIce = (t: number): number => 6.112 * Math.exp((22.46 * t) / (272.62 + t));

// Murphy & Koop (2005): Pa, T in K.
const mkIce = (T: number): number => Math.exp(9.550426 - 5723.265 / T + 3.53068 * Math.log(T) - 0.00728332 * T);
const mkWater = (T: number): number =>
  Math.exp(
    54.842763 -
      6763.22 / T -
      4.21 * Math.log(T) +
      0.000367 * T +
      Math.tanh(0.0415 * (T - 218.8)) * (53.878 - 1331.22 / T - 9.44523 * Math.log(T) + 0.014025 * T),
  );

/** The t in [lo, hi] where the increasing function f reaches `target`, by bisection to the last bit. */
function solve(f: (t: number) => number, target: number, lo = -90, hi = 60): number {
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

const wmoFrost = (t: number, rh: number): number => solve(wmoIce, (rh / 100) * wmoWater(t));
const wmoDew = (t: number, rh: number): number => solve(wmoWater, (rh / 100) * wmoWater(t));
const mkFrost = (t: number, rh: number): number => solve((x) => mkIce(x + 273.15), (rh / 100) * mkWater(t + 273.15));

/** −20 … +5 °C by 0.5 °C, 5 … 100 %RH by 5 %. */
const GRID: [number, number][] = [];
for (let t = -20; t <= 5; t += 0.5) for (let rh = 5; rh <= 100; rh += 5) GRID.push([t, rh]);

describe("frost point from RH over water (WMO-No. 8 Annex 4.B)", () => {
  it("is where the saturation vapour pressure over ice equals the air's vapour pressure, −20 … +5 °C", () => {
    let compared = 0;
    for (const [t, rh] of GRID) {
      const want = wmoFrost(t, rh);
      if (want > 0) {
        // Vapour pressure above e_i(0): the air saturates over water first, above 0 °C.
        expect(frostPoint(t, rh), `${t} °C ${rh} %`).toBeNaN();
        continue;
      }
      expect(Math.abs(frostPoint(t, rh) - want), `${t} °C ${rh} %`).toBeLessThan(1e-9);
      compared++;
    }
    expect(compared).toBeGreaterThan(800);
  });

  it("agrees with Murphy & Koop (2005) within 0.05 °C over the same range", () => {
    let worst = 0;
    for (const [t, rh] of GRID) {
      const fp = frostPoint(t, rh);
      if (fp !== fp) continue;
      worst = Math.max(worst, Math.abs(fp - mkFrost(t, rh)));
    }
    expect(worst).toBeGreaterThan(0.001); // two methods, not one written twice
    expect(worst).toBeLessThan(0.05);
  });

  it("lies above the dew point below 0 °C and meets it at 0 °C, 100 %RH", () => {
    for (const [t, rh] of GRID) {
      if (t >= 0) continue;
      expect(frostPoint(t, rh), `${t} °C ${rh} %`).toBeGreaterThan(dewPoint(t, rh));
    }
    expect(frostPoint(0, 100)).toBe(0);
    expect(dewPoint(0, 100)).toBe(0);
  });

  it("dew point matches the WMO formula, and the worked value 20 °C, 50 %RH → 9.26 °C", () => {
    for (const [t, rh] of GRID) expect(Math.abs(dewPoint(t, rh) - wmoDew(t, rh)), `${t} °C ${rh} %`).toBeLessThan(1e-9);
    expect(dewPoint(20, 50)).toBeCloseTo(9.26, 2);
  });

  it("refuses impossible inputs", () => {
    for (const [t, rh] of [
      [NaN, 50],
      [0, 0],
      [0, -1],
      [0, 100.5],
      [0, NaN],
    ] as const) {
      expect(frostPoint(t, rh)).toBeNaN();
      expect(dewPoint(t, rh)).toBeNaN();
      expect(frostRisk(t, rh, { airMaxC: 1, spreadC: 2 })).toBe(false);
    }
  });
});

describe("frost flag", () => {
  const rule = { airMaxC: 1, spreadC: 2 };

  it("a Kunming winter dawn, −4 °C at 83 %RH, is flagged: 1.72 °C above the frost point (the ice-on-RH shortcut said 2.18)", () => {
    const t = -4;
    const rh = 83;
    const spread = t - wmoFrost(t, rh);
    expect(spread).toBeCloseTo(1.717, 3);
    // What the previous code computed: the ice constants applied to the RH over water.
    const g = Math.log(rh / 100) + (22.46 * t) / (272.62 + t);
    expect(t - (272.62 * g) / (22.46 - g)).toBeCloseTo(2.178, 3);
    expect(frostRisk(t, rh, rule)).toBe(true);
  });

  it("follows the WMO spread everywhere on the grid, with the dew point once the vapour pressure passes 6.112 hPa", () => {
    let flagged = 0;
    for (const [t, rh] of GRID) {
      const fp = wmoFrost(t, rh);
      const point = fp <= 0 ? fp : wmoDew(t, rh);
      const spread = t - point;
      if (Math.abs(spread - rule.spreadC) < 1e-6) continue; // on the line: either answer is the rounding's
      const want = t <= rule.airMaxC && spread <= rule.spreadC;
      expect(frostRisk(t, rh, rule), `${t} °C ${rh} %`).toBe(want);
      if (want) flagged++;
    }
    expect(flagged).toBeGreaterThan(10);
  });

  it("never flags air warmer than airMaxC, however moist", () => {
    expect(frostRisk(1.5, 100, rule)).toBe(false);
    expect(frostRisk(1, 100, rule)).toBe(true);
  });
});
