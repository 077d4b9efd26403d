/**
 * A Kunming household's electricity and water, as its meters see them: a pure function of (seed, absolute time).
 *
 * Every day (00:00–24:00 UTC+8) is drawn on its own from hashes of (seed, component, local day number): what runs
 * that day, when and for how long. Power and flow are piecewise constant between the instants appliances and taps
 * switch, so energy and volume are exact integrals (the S0 pulse model bisects them to the microsecond) and asking
 * more often, less often or out of order changes nothing. Energy and volume count from the run's epoch (virtual 0).
 *
 * The load profile is an assumption stated here, not a fitted curve: a three-person flat in a Chinese city with an
 * electric storage water heater, no air conditioning (Kunming's summer maximum is about 25 °C) and a portable heater
 * on winter mornings and evenings (unheated homes, nights near 3 °C in January). Its shape is the one published
 * Chinese residential profiles describe — a night minimum, breakfast and lunch peaks, and the day's maximum in the
 * evening (cooking, then lights, television and showers, 19:00–23:00) — with weekends later in the morning and busier
 * at noon. Components and their figures (all assumptions):
 * - standby 35 W all day; a refrigerator compressor of 90–110 W cycling with a 35–55 min period and 30–45 % duty
 *   (more in summer);
 * - lights 60–150 W from half an hour before sunset to bedtime (22:00–23:45), and on winter mornings before sunrise;
 * - cooking: kettle 1.8 kW for 3–5 min at breakfast, a rice cooker 700 W and induction hob (1.2–1.8 kW, average of
 *   its cycling) at lunch (weekdays 35 % of days, weekends 90 %) and dinner (95 %), a range hood 150 W;
 * - showers (about 0.75 per person a day in summer, 0.55 in winter, mostly 20:00–23:00) draw 6–8 L/min for 5–9 min;
 *   the storage heater (2 kW) then reheats the hot share (60 %) from the inlet temperature (10 °C in winter to 20 °C in
 *   summer) to 50 °C, plus standing losses of about 0.8 kWh a day in two or three short reheats;
 * - a washing machine (200 W, then a 450 W spin; four fills of 15 L) on 35 % of weekdays and 70 % of weekend days;
 *   a television 120 W in the evening, a computer 90 W some evenings and weekend afternoons; a 1.5 kW heater on
 *   winter mornings and evenings with a probability that follows the cold season;
 * - water: toilet flushes of 6 L (five per person a day), hand basin 1 L, kitchen sink at meals.
 * The model gives about 7–10 kWh (more in winter) and about 290 L a day (test/environment/household.test.ts prints the
 * figures).
 *
 * Voltage: 220 V nominal (GB/T 12325-2008 allows +7 %/−10 % on single-phase supplies), a little higher at night,
 * slow noise of about ±1 %, and a 0.25 Ω drop with the household's own current.
 *
 * Portable (XS and V8, bit-identical): runtime/detmath.ts for every transcendental, no Date.
 */
import type { ElectricitySupply } from "../../../parts/dlt645/model.js";
import type { WaterSupply } from "../../../parts/cjt188/model.js";
import { acos, cos, sin } from "../../../runtime/detmath.js";
import type { Micros } from "../engine.js";
import { deriveSeed, hashNoise, splineNoise, type Seed } from "../rng.js";

export interface HouseholdOptions {
  seed: Seed;
  /** Unix ms at virtual time 0. Default 2026-06-01T00:00:00+08:00. */
  epochMs?: number;
  /** People living there (default 3). */
  persons?: number;
  /** Degrees north, for sunrise and sunset (default Kunming, 25.04). */
  latitudeDeg?: number;
}

export interface HouseholdElectricity extends ElectricitySupply {
  /** Energy over [t0, t1], Wh. */
  energyBetween(t0: Micros, t1: Micros): number;
}

export interface HouseholdWater extends WaterSupply {
  /** Flow at t, L/min. */
  flowLpm(t: Micros): number;
  /** Volume over [t0, t1], litres. */
  volumeBetween(t0: Micros, t1: Micros): number;
}

export interface Household {
  readonly epochMs: number;
  readonly seed: number;
  readonly electricity: HouseholdElectricity;
  readonly water: HouseholdWater;
}

export function createHousehold(o: HouseholdOptions): Household {
  return new HouseholdModel(o);
}

const MS_PER_MIN = 60_000;
const MS_PER_HOUR = 3_600_000;
const DAY_MS = 86_400_000;
const LOCAL_OFFSET_MS = 8 * MS_PER_HOUR;
const PI = 3.141592653589793;
const DEG = PI / 180;
const TROPICAL_YEAR_DAYS = 365.2425;
/** Solar noon in Kunming, hours UTC+8 (102.71° E is 69 min behind the 120° E meridian; ± the equation of time). */
const SOLAR_NOON_H = 13.15;
const CACHE_DAYS = 8;

/** One day drawn: breakpoints (ms from local midnight), power or flow after each, and the integral up to each. */
interface Timeline {
  at: Float64Array;
  level: Float64Array;
  /** Wh (electricity) or litres (water) from midnight to at[i]. */
  cum: Float64Array;
  total: number;
}

/** Collects on/off segments of a day and turns them into a Timeline. */
class DayBuilder {
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  readonly levels: number[] = [];

  add(startMs: number, durationMs: number, level: number): void {
    let s = Math.floor(startMs);
    let e = Math.floor(startMs + durationMs);
    if (s < 0) s = 0;
    if (e > DAY_MS) e = DAY_MS;
    if (e <= s || !(level > 0)) return;
    this.starts.push(s);
    this.ends.push(e);
    this.levels.push(level);
  }

  /** `perHour`: the integral unit per level·hour (level W → Wh: 1; level L/min → litres: 60). */
  build(perHour: number): Timeline {
    const n = this.starts.length;
    const times: number[] = [0, DAY_MS];
    for (let i = 0; i < n; i++) times.push(this.starts[i]!, this.ends[i]!);
    times.sort((a, b) => a - b);
    const uniq: number[] = [];
    for (const t of times) if (uniq.length === 0 || uniq[uniq.length - 1] !== t) uniq.push(t);
    const m = uniq.length;
    const at = Float64Array.from(uniq);
    const delta = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      delta[bsearch(at, this.starts[i]!)]! += this.levels[i]!;
      delta[bsearch(at, this.ends[i]!)]! -= this.levels[i]!;
    }
    const level = new Float64Array(m);
    const cum = new Float64Array(m);
    let l = 0;
    for (let i = 0; i < m; i++) {
      if (i > 0) cum[i] = cum[i - 1]! + (level[i - 1]! * (at[i]! - at[i - 1]!)) / MS_PER_HOUR * perHour;
      l += delta[i]!;
      // Sums of the same levels in another order can leave 1e-13 behind: an appliance that is off draws nothing.
      level[i] = l > 1e-9 ? l : 0;
    }
    return { at, level, cum, total: cum[m - 1]! };
  }
}

/** Largest i with a[i] ≤ x (a sorted, a[0] ≤ x). */
function bsearch(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (a[mid]! <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function levelAt(d: Timeline, ms: number): number {
  return d.level[bsearch(d.at, ms)]!;
}

function integralTo(d: Timeline, ms: number, perHour: number): number {
  const i = bsearch(d.at, ms);
  return d.cum[i]! + ((d.level[i]! * (ms - d.at[i]!)) / MS_PER_HOUR) * perHour;
}

class HouseholdModel implements Household {
  readonly epochMs: number;
  readonly seed: number;
  readonly electricity: HouseholdElectricity;
  readonly water: HouseholdWater;
  readonly #persons: number;
  readonly #tanLat: number;
  readonly #s: Readonly<Record<string, number>>;
  readonly #sVolt: number;
  /** Day cache: local day number per slot, and that day's timelines. */
  readonly #cacheDay = new Float64Array(CACHE_DAYS).fill(NaN);
  readonly #cacheE: Timeline[] = [];
  readonly #cacheW: Timeline[] = [];
  /** Running totals from the epoch's day: index i holds the sum of whole days epochDay … epochDay+i−1. */
  readonly #cumE: number[] = [0];
  readonly #cumW: number[] = [0];
  readonly #epochDay: number;
  readonly #epochInE: number;
  readonly #epochInW: number;
  #ms = 0;

  constructor(o: HouseholdOptions) {
    this.epochMs = o.epochMs ?? 1780243200000; // 2026-06-01T00:00:00+08:00
    this.seed = deriveSeed(o.seed, "household");
    this.#persons = o.persons ?? 3;
    if (!(Number.isInteger(this.#persons) && this.#persons >= 1 && this.#persons <= 8)) throw new RangeError(`household: persons must be 1…8, got ${o.persons}`);
    const lat = (o.latitudeDeg ?? 25.04) * DEG;
    this.#tanLat = sin(lat) / cos(lat);
    const names = ["fridge", "lights", "cooking", "shower", "heater", "washer", "tv", "pc", "space", "toilet", "basin", "sink"];
    const s: Record<string, number> = {};
    for (const n of names) s[n] = deriveSeed(o.seed, `household/${n}`);
    this.#s = Object.freeze(s);
    this.#sVolt = deriveSeed(o.seed, "household/voltage");
    this.#epochDay = Math.floor((this.epochMs + LOCAL_OFFSET_MS) / DAY_MS);
    const inDay = this.epochMs + LOCAL_OFFSET_MS - this.#epochDay * DAY_MS;
    this.#epochInE = integralTo(this.#day(this.#epochDay, true), inDay, 1);
    this.#epochInW = integralTo(this.#day(this.#epochDay, false), inDay, 60);
    const self = this;
    this.electricity = {
      energyWh: (t) => self.#integral(t, true),
      energyBetween: (t0, t1) => self.#integral(t1, true) - self.#integral(t0, true),
      powerW: (t) => self.#level(t, true),
      voltageV: (t) => self.#voltage(t),
    };
    this.water = {
      volumeLitres: (t) => self.#integral(t, false),
      volumeBetween: (t0, t1) => self.#integral(t1, false) - self.#integral(t0, false),
      flowLpm: (t) => self.#level(t, false),
    };
  }

  /** Local day number of virtual time t (ms into it in #ms): no object per call, the meters' models ask often. */
  #locate(t: Micros): number {
    const local = this.epochMs + t / 1000 + LOCAL_OFFSET_MS;
    const day = Math.floor(local / DAY_MS);
    this.#ms = local - day * DAY_MS;
    return day;
  }

  #level(t: Micros, electric: boolean): number {
    const day = this.#locate(t);
    return levelAt(this.#day(day, electric), this.#ms);
  }

  #integral(t: Micros, electric: boolean): number {
    const day = this.#locate(t);
    const within = integralTo(this.#day(day, electric), this.#ms, electric ? 1 : 60);
    return this.#daysBefore(day, electric) + within - (electric ? this.#epochInE : this.#epochInW);
  }

  /** Sum of the whole days from the epoch's day to `day` − 1 (negative for days before it). */
  #daysBefore(day: number, electric: boolean): number {
    const k = day - this.#epochDay;
    if (k < 0) {
      let sum = 0;
      for (let d = day; d < this.#epochDay; d++) sum -= this.#day(d, electric).total;
      return sum;
    }
    const cum = electric ? this.#cumE : this.#cumW;
    while (cum.length <= k) cum.push(cum[cum.length - 1]! + this.#day(this.#epochDay + cum.length - 1, electric).total);
    return cum[k]!;
  }

  #voltage(t: Micros): number {
    this.#locate(t);
    const h = this.#ms / MS_PER_HOUR;
    const minutes = (this.epochMs + t / 1000) / MS_PER_MIN;
    const v = 220 * (1 + 0.02 * cos((2 * PI * (h - 3)) / 24)) + 2.2 * splineNoise(this.#sVolt, minutes / 20);
    return v - (0.25 * this.#level(t, true)) / 220;
  }

  #day(day: number, electric: boolean): Timeline {
    const c = ((day % CACHE_DAYS) + CACHE_DAYS) % CACHE_DAYS;
    if (this.#cacheDay[c] !== day) {
      const { e, w } = this.#draw(day);
      this.#cacheDay[c] = day;
      this.#cacheE[c] = e;
      this.#cacheW[c] = w;
    }
    return electric ? this.#cacheE[c]! : this.#cacheW[c]!;
  }

  /** Everything that happens on local day `day`. */
  #draw(day: number): { e: Timeline; w: Timeline } {
    const s = this.#s;
    const u = (stream: string, j: number) => hashNoise(s[stream]!, day, j);
    const H = MS_PER_HOUR;
    const M = MS_PER_MIN;
    const E = new DayBuilder();
    const W = new DayBuilder();
    const weekend = ((day + 4) % 7 === 0 || (day + 4) % 7 === 6);
    const yf = (day + 0.5) / TROPICAL_YEAR_DAYS - Math.floor((day + 0.5) / TROPICAL_YEAR_DAYS);
    /** 1 in mid-January, 0 in mid-July. */
    const winter = 0.5 * (1 + cos(2 * PI * (yf - 0.04)));
    // Sun: declination and day length (a standard approximation; a few minutes is enough for lights).
    const decl = 23.44 * DEG * sin(2 * PI * (yf - 0.2213));
    let cw = (-this.#tanLat * sin(decl)) / cos(decl);
    cw = cw > 1 ? 1 : cw < -1 ? -1 : cw;
    const halfDay = (acos(cw) / PI) * 12;
    const sunrise = (SOLAR_NOON_H - halfDay) * H;
    const sunset = (SOLAR_NOON_H + halfDay) * H;
    const tri = (stream: string, j: number, a: number, b: number) => a + (b - a) * 0.5 * (u(stream, j) + u(stream, j + 1));

    E.add(0, DAY_MS, 35);
    // refrigerator
    {
      let t = -u("fridge", 0) * 45 * M;
      const duty = 0.3 + 0.15 * (1 - winter);
      for (let j = 1; t < DAY_MS; j++) {
        const period = (35 + 20 * u("fridge", j)) * M;
        E.add(t, period * duty, 90 + 20 * u("fridge", 1000));
        t += period;
      }
    }
    // waking, bedtime
    const wake = (weekend ? 7.75 : 6.6) * H + tri("lights", 0, -0.5, 0.5) * H;
    const bed = tri("lights", 2, 22, 23.75) * H;
    E.add(sunset - 0.5 * H, bed - (sunset - 0.5 * H), 60 + 90 * u("lights", 4));
    if (wake < sunrise) E.add(wake, sunrise - wake, 80);
    // cooking
    if (u("cooking", 0) < 0.85) E.add(wake + tri("cooking", 1, 5, 25) * M, (3 + 2 * u("cooking", 3)) * M, 1800);
    if (u("cooking", 4) < 0.5) E.add(wake + tri("cooking", 5, 10, 40) * M, 20 * M, 800);
    if (u("cooking", 7) < (weekend ? 0.9 : 0.35)) {
      const t = tri("cooking", 8, 11.25, 12.5) * H;
      E.add(t, 35 * M, 700);
      E.add(t + 10 * M, (10 + 15 * u("cooking", 10)) * M, 1200 + 600 * u("cooking", 11));
      E.add(t + 10 * M, 20 * M, 150);
    }
    if (u("cooking", 12) < 0.95) {
      const t = tri("cooking", 13, 17.75, 19.25) * H;
      E.add(t, 40 * M, 700);
      E.add(t + 15 * M, (15 + 15 * u("cooking", 15)) * M, 1200 + 600 * u("cooking", 16));
      E.add(t + 15 * M, 25 * M, 150);
      // washing up
      W.add(t + 60 * M, (3 + 3 * u("sink", 0)) * M, 5);
    }
    // showers, and the storage heater putting the heat back
    const inletC = 20 - 10 * winter;
    const reheatWhPerLitre = (4.186 * (50 - inletC)) / 3.6; // kJ/(kg·K)·ΔT per litre, in Wh
    let heaterFree = 0;
    for (let p = 0; p < this.#persons; p++) {
      if (!(u("shower", 10 * p) < 0.75 - 0.2 * winter)) continue;
      const evening = u("shower", 10 * p + 1) < 0.7;
      const start = evening ? tri("shower", 10 * p + 2, 20, 23) * H : wake + tri("shower", 10 * p + 2, 5, 40) * M;
      const minutes = 5 + 4 * u("shower", 10 * p + 4);
      const lpm = 6 + 2 * u("shower", 10 * p + 5);
      W.add(start, minutes * M, lpm);
      // The thermostat starts when the hot water drawn has cooled the tank; one element, so reheats queue.
      const heatMs = ((0.6 * lpm * minutes * reheatWhPerLitre) / 2000) * H;
      const from = Math.max(start + 2 * M, heaterFree);
      E.add(from, heatMs, 2000);
      heaterFree = from + heatMs;
    }
    for (let j = 0; j < 3; j++) {
      if (j === 2 && u("heater", 9) < 0.7) break;
      const t = (j * 8 + 2 + 6 * u("heater", j)) * H;
      const from = Math.max(t, heaterFree);
      E.add(from, (8 + 4 * u("heater", j + 3)) * M, 2000);
    }
    // washing machine
    if (u("washer", 0) < (weekend ? 0.7 : 0.35)) {
      const t = u("washer", 1) < 0.5 ? tri("washer", 2, 9, 11.5) * H : tri("washer", 2, 19, 21) * H;
      E.add(t, 45 * M, 200);
      E.add(t + 45 * M, 10 * M, 450);
      for (let k = 0; k < 4; k++) W.add(t + k * 12 * M, 1.5 * M, 10);
    }
    // television, computer
    E.add(tri("tv", 0, 19.25, 20) * H, tri("tv", 2, 2, 3.5) * H, 120);
    if (weekend && u("tv", 4) < 0.6) E.add(tri("tv", 5, 14, 16) * H, 1.5 * H, 120);
    if (u("pc", 0) < (weekend ? 0.7 : 0.45)) E.add(tri("pc", 1, weekend ? 14 : 20, weekend ? 18 : 22) * H, tri("pc", 3, 1, 3) * H, 90);
    // space heater on cold mornings and evenings
    if (u("space", 0) < 0.7 * winter * winter) E.add(wake, (40 + 40 * u("space", 1)) * M, 1500);
    if (u("space", 2) < 0.8 * winter * winter) E.add(tri("space", 3, 19, 20.5) * H, (60 + 90 * u("space", 5)) * M, 1500);
    // toilets and hand basin: through the waking day, more in the morning and evening
    const awake = bed - wake;
    for (let j = 0; j < 5 * this.#persons; j++) {
      const x = u("toilet", 2 * j);
      const at = j % 3 === 0 ? wake + x * 1.5 * H : j % 3 === 1 ? bed - x * 3 * H : wake + x * awake;
      W.add(at, 40_000, 9);
      W.add(at + 60_000, 15_000, 4);
    }
    for (let j = 0; j < 4 * this.#persons; j++) W.add(wake + u("basin", j) * awake, 15_000, 4);
    // kitchen sink at breakfast and lunch
    W.add(wake + 20 * M, 60_000, 5);
    if (u("sink", 1) < (weekend ? 0.9 : 0.35)) W.add(12.75 * H, 3 * M, 5);
    return { e: E.build(1), w: W.build(60) };
  }
}
