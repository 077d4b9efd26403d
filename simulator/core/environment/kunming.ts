/**
 * The weather a micro-station sees in Kunming (昆明, 25.04°N 102.71°E, about 1890 m): a subtropical highland
 * climate (Köppen Cwb) — mild all year, a large diurnal range, a dry season from November to April with sunny days
 * and frosty nights, and a rainy season from May to October with afternoon and evening convective showers.
 *
 * Everything is a pure function of (seed, absolute time): the world at virtual time t is the world at Unix time
 * epochMs + t/1000, so two runs with the same seed agree wherever their time spans overlap, and asking more often,
 * less often or out of order changes nothing. The model keeps small caches (shower parameters per hour, sun times
 * per day, the wind of the last few instants), which only make repeated questions cheaper.
 *
 * Components (all smooth in time except rain, which starts and stops):
 * - temperature = seasonal mean of the daily max and min (monthly normals, periodic spline)
 *   + diurnal shape (minimum at sunrise, maximum 2.5 h after solar noon, sine rise, square-root night cooling)
 *   + synoptic "fronts" (smooth noise with 20 h and 60 h cells, σ 0.8 °C in summer to 2.2 °C in winter)
 *   − rain cooling (convective showers cool the air by 1–5 °C, recovering over about 8 h) + small fast noise;
 *   the diurnal range shrinks in wet spells;
 * - humidity from a slowly varying dew point (monthly normals + air-mass noise), raised towards saturation by rain,
 *   always a little below the air temperature, so RH < 100 % and rises at night;
 * - pressure = the barometric formula at the station's elevation + seasonal cycle (high in winter)
 *   + atmospheric tide (S2 ±1.0 hPa and S1 ±0.3 hPa, maxima at 10:00 and 22:00 local solar time)
 *   − fronts and wet spells (warm, moist air masses bring lower pressure);
 * - wind = monthly mean (windiest in the dry spring) × afternoon maximum × synoptic factor, + gust fronts of
 *   convective showers, × turbulence (smooth noise on 3 s to 3 min scales); direction south-westerly on average,
 *   veering slowly with synoptic and hourly noise plus fast turbulent wobble;
 * - rain = a seeded sequence of showers: each UTC hour may start one, with a probability set by the month's normal
 *   rainfall, the hour of day (convective afternoon/evening maximum, weak nocturnal one) and the wet/dry spell;
 *   convective showers are short and intense (median peak 9 mm/h, up to 120 mm/h), stratiform ones long and light.
 *   Each shower is a triangle in time (fast rise, slow decay), so rainBetween is exact and additive.
 *
 * Climate figures (approximate normals for Kunming station 56778, rounded): daily max 15.6–25.7 °C and min
 * 3.0–17.6 °C, annual rain about 1000 mm (87 % in May–October), mean RH about 72 %, records about −7.8 and 32 °C.
 * Measured on the model (test/environment/kunming.test.ts prints them): mean annual rain 1001 ± 9 mm over 200 seeds
 * (year-to-year σ 134 mm), 86 % in May–October, ~130 rain days; one year spans about −1…28 °C, 807–824 hPa,
 * RH 19–99.4 %; median gust factor (3 s / 10 min) 1.7; air + wind + rainRate ≈ 3 µs per instant on V8.
 * Local time: UTC+8 for clocks; physics (sun, tides, diurnal cycles) uses local mean solar time, which in Kunming is
 * about 69 min behind Beijing time (solar noon ≈ 13:10 UTC+8).
 *
 * Portable (XS and V8, bit-identical): runtime/detmath.ts for every transcendental, no Date, no Math.round.
 */
import type { Micros } from "../engine.js";
import type { AirState, Atmosphere, WindState } from "./types.js";
import { cos, exp, ln, pow, sin } from "../../../runtime/detmath.js";
import { deriveSeed, hashNoise, SplineNoise, splineNoise, type Seed } from "../rng.js";
import { barometricPressure, LAPSE, monthly, monthlyTable, relativeHumidity } from "./air.js";
import { DEG, equationOfTime, halfDayHours, PI, solarDeclination, TWO_PI, yearFractionOfDays } from "./sun.js";

export interface KunmingWeatherOptions {
  seed: Seed;
  /** Unix ms at virtual time 0. Default 2026-06-01T00:00:00+08:00. */
  epochMs?: number;
  /** Station elevation, m (default 1890). */
  elevationM?: number;
  /** Degrees north (default 25.04). */
  latitudeDeg?: number;
  /** Degrees east (default 102.71). */
  longitudeDeg?: number;
  /** Mean sea-level pressure for the barometric formula, Pa (default 101325). */
  seaLevelPressurePa?: number;
  /** Added to every temperature, °C (a warmer or colder year; default 0). */
  temperatureOffsetC?: number;
  /** Multiplies the shower frequency (default 1; 0 for a dry world). */
  rainScale?: number;
  /** Multiplies wind speeds (default 1; sheltered sites below 1). */
  windScale?: number;
}

/** One shower, in virtual time. */
export interface Shower {
  /** virtual µs */
  start: Micros;
  /** virtual µs */
  end: Micros;
  /** mm/h at the top of the triangle */
  peakMmPerHour: number;
  /** total rain, mm */
  depthMm: number;
  convective: boolean;
}

/** Every quantity of the model at one instant (for charts and test oracles). */
export interface WeatherSnapshot extends AirState {
  /** °C */
  dewPoint: number;
  /** m/s, instantaneous */
  windSpeed: number;
  /** m/s, the mean the turbulence is around (a 10-minute mean without gusts) */
  windMeanSpeed: number;
  /** degrees from north, the direction the wind comes from */
  windDirection: number;
  /** mm/h */
  rainRate: number;
  /** local mean solar time, hours [0, 24) */
  solarHour: number;
  /** fraction of the year since 1 January, [0, 1) */
  yearFraction: number;
}

export interface KunmingWeather extends Atmosphere {
  /** the 32-bit seed everything derives from */
  readonly seed: number;
  /** the barometric-formula station pressure the model varies around, Pa */
  readonly stationPressurePa: number;
  readonly options: Readonly<Required<Omit<KunmingWeatherOptions, "seed">>>;
  /** air(t) written into `out` (no allocation) */
  airInto(t: Micros, out: AirState): AirState;
  /** wind(t) written into `out` (no allocation) */
  windInto(t: Micros, out: WindState): WindState;
  /** the wind speed without turbulence (m/s) */
  meanWindSpeed(t: Micros): number;
  snapshot(t: Micros): WeatherSnapshot;
  /** showers overlapping [t0, t1), in start order */
  showers(t0: Micros, t1: Micros): Shower[];
  /**
   * The first virtual time T ≥ t0 (whole µs) with rainBetween(t0, T) ≥ depthMm (to rounding), or Infinity when
   * that does not happen before tLimit (default t0 + 400 days). For tipping buckets.
   */
  rainTime(t0: Micros, depthMm: number, tLimit?: Micros): Micros;
}

export function createKunmingWeather(options: KunmingWeatherOptions): KunmingWeather {
  return new KunmingWeatherModel(options);
}

// ───────────────────────── climatology ─────────────────────────

/** mean daily maximum, °C */
const TMAX: readonly number[] = Object.freeze([15.9, 17.9, 21.6, 24.7, 25.7, 25.1, 24.7, 24.9, 23.6, 21.1, 18.3, 15.6]);
/** mean daily minimum, °C */
const TMIN: readonly number[] = Object.freeze([3.0, 4.6, 7.8, 11.1, 14.9, 17.3, 17.6, 17.2, 15.5, 12.6, 7.7, 3.7]);
/** mean dew point, °C (tuned so that the model's monthly mean RH follows Kunming's, 55 % in spring to 83 % in Aug) */
const TD: readonly number[] = Object.freeze([2.0, 2.0, 3.5, 7.0, 11.6, 16.0, 17.2, 16.8, 15.0, 12.3, 8.0, 3.3]);
/** σ of the synoptic temperature anomaly, °C */
const SIGMA_T: readonly number[] = Object.freeze([2.2, 2.2, 2.0, 1.6, 1.2, 0.9, 0.8, 0.8, 1.0, 1.3, 1.8, 2.2]);
/** σ of the air-mass dew-point anomaly, °C */
const SIGMA_TD: readonly number[] = Object.freeze([3.0, 3.2, 3.2, 3.0, 2.2, 1.4, 1.2, 1.2, 1.4, 1.8, 2.4, 2.8]);
/** seasonal pressure anomaly, hPa (Siberian high in winter, monsoon low in summer) */
const P_SEASON: readonly number[] = Object.freeze([3.2, 2.4, 1.0, -0.6, -2.4, -3.6, -3.8, -3.0, -1.2, 1.2, 2.8, 3.6]);
/** σ of the synoptic pressure anomaly, hPa */
const SIGMA_P: readonly number[] = Object.freeze([2.5, 2.5, 2.2, 1.8, 1.4, 1.1, 1.0, 1.0, 1.2, 1.6, 2.2, 2.5]);
/** normal monthly rain, mm (≈ 1006 mm a year, 87 % in May–October) */
const RAIN_MM: readonly number[] = Object.freeze([15, 14, 20, 25, 85, 175, 210, 200, 120, 88, 40, 14]);
const DAYS_IN_MONTH: readonly number[] = Object.freeze([31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
const RAIN_MM_DAY: readonly number[] = Object.freeze(RAIN_MM.map((mm, i) => mm / DAYS_IN_MONTH[i]!));
/** share of showers that are convective */
const CONVECTIVE: readonly number[] = Object.freeze([0.1, 0.1, 0.2, 0.4, 0.75, 0.85, 0.85, 0.85, 0.8, 0.6, 0.3, 0.1]);
/** mean wind speed at 10 m, m/s (windiest in the dry spring) */
const WIND: readonly number[] = Object.freeze([2.2, 2.8, 3.1, 3.0, 2.6, 2.1, 1.8, 1.6, 1.6, 1.7, 1.8, 1.9]);
/** prevailing direction (from), degrees: south-westerly all year */
const WIND_DIR: readonly number[] = Object.freeze([220, 225, 225, 220, 215, 205, 200, 200, 205, 210, 215, 220]);

/** Kunming's annual mean temperature, °C (for the barometric formula) */
const ANNUAL_MEAN_C = 15;
/** Temperature at sunset on the diurnal scale (−0.5 = daily min, +0.5 = daily max). */
const D_SET = 0.15;
/** The daily maximum comes this long after solar noon, h. */
const T_MAX_AFTER_NOON = 2.5;

const MS_PER_HOUR = 3_600_000;
/** How many hourly slots back a shower can still be falling (longest shower 6 h). */
const RAIN_LOOKBACK = 6;
/** Rain cooling and wetting fade over this long after a shower, h. */
const RAIN_AFTER_H = 8;
const EFFECT_LOOKBACK = RAIN_LOOKBACK + RAIN_AFTER_H + 1;

// shower statistics (see #slot): durations and peaks
const CONV_PEAK_MEDIAN = 9;
const CONV_PEAK_SIGMA = 0.8;
const STRAT_PEAK_MEDIAN = 2;
const STRAT_PEAK_SIGMA = 0.55;
/** mean depth of a shower, mm: E[peak]·E[duration]/2 */
const CONV_MEAN_DEPTH = (CONV_PEAK_MEDIAN * exp((CONV_PEAK_SIGMA * CONV_PEAK_SIGMA) / 2) * (0.25 + 2 / 2.7)) / 2;
const STRAT_MEAN_DEPTH = (STRAT_PEAK_MEDIAN * exp((STRAT_PEAK_SIGMA * STRAT_PEAK_SIGMA) / 2) * 3.5) / 2;

/** Hour-of-day (solar) distribution of shower starts, 24 bins summing to 1. */
function hourWeights(f: (h: number) => number): readonly number[] {
  const w: number[] = [];
  let sum = 0;
  for (let i = 0; i < 24; i++) {
    const v = f(i + 0.5);
    w.push(v);
    sum += v;
  }
  return Object.freeze(w.map((v) => v / sum));
}
function circularBump(h: number, centre: number, width: number): number {
  let d = h - centre;
  d -= 24 * Math.floor(d / 24 + 0.5);
  return exp(-0.5 * (d / width) * (d / width));
}
/** convective: afternoon/evening maximum near 17:30 solar, weak nocturnal one near 02:00 */
const HOURS_CONV = hourWeights((h) => 0.25 + circularBump(h, 17.5, 2.5) + 0.4 * circularBump(h, 2, 3));
/** stratiform: almost flat, slightly more at night */
const HOURS_STRAT = hourWeights((h) => 1 + 0.3 * cos((TWO_PI * (h - 3)) / 24));

function hourWeight(table: readonly number[], hod: number): number {
  const x = hod - 0.5;
  const i = Math.floor(x);
  const f = x - i;
  const a = table[(i + 24) % 24]!;
  const b = table[(i + 25) % 24]!;
  return a + (b - a) * f;
}

/** Rain falling at τ hours after the start of a triangle shower (rise to `peak` at `a`, zero again at `d`). */
function triangleRate(tau: number, a: number, d: number, peak: number): number {
  if (tau <= 0 || tau >= d) return 0;
  return tau < a ? (peak * tau) / a : (peak * (d - tau)) / (d - a);
}
/** Rain fallen from the start of a triangle shower to τ hours, mm. */
function triangleDepth(tau: number, a: number, d: number, peak: number): number {
  if (tau <= 0) return 0;
  if (tau >= d) return 0.5 * peak * d;
  if (tau <= a) return (0.5 * peak * tau * tau) / a;
  const s = tau - a;
  return peak * (0.5 * a + s - (s * s) / (2 * (d - a)));
}

// ───────────────────────── model ─────────────────────────

const CACHE_SLOTS = 64; // hourly shower slots
const WIND_MEMO = 4; // instants of wind remembered

/** The last WIND_MEMO instants of one wind quantity (a ring). */
interface WindMemo {
  t: Float64Array;
  v: Float64Array;
  next: number;
}
function windMemo(): WindMemo {
  return { t: new Float64Array(WIND_MEMO).fill(NaN), v: new Float64Array(WIND_MEMO), next: 0 };
}
function remember(memo: WindMemo, t: Micros, v: number): number {
  const i = memo.next;
  memo.next = (i + 1) % WIND_MEMO;
  memo.t[i] = t;
  memo.v[i] = v;
  return v;
}
const CACHE_DAYS = 8;

class KunmingWeatherModel implements KunmingWeather {
  readonly epochMs: number;
  readonly seed: number;
  readonly stationPressurePa: number;
  readonly options: Readonly<Required<Omit<KunmingWeatherOptions, "seed">>>;

  readonly #lonHours: number;
  readonly #sinLat: number;
  readonly #cosLat: number;
  readonly #tOffset: number;
  readonly #rainScale: number;
  readonly #windScale: number;
  // noise streams
  readonly #sFront: number;
  readonly #sFront2: number;
  readonly #sPress: number;
  readonly #sMoist: number;
  readonly #sDew: number;
  readonly #sFast: number;
  readonly #sFast2: number;
  readonly #sRain: number;
  readonly #sRainType: number;
  readonly #sRainStart: number;
  readonly #sRainDur: number;
  readonly #sRainPeak1: number;
  readonly #sRainPeak2: number;
  readonly #sWindSyn: number;
  readonly #sTurb: readonly number[];
  readonly #sDir: readonly number[];
  // shower cache: one entry per UTC hour slot
  readonly #slotKey = new Float64Array(CACHE_SLOTS).fill(NaN);
  readonly #slotStart = new Float64Array(CACHE_SLOTS); // Unix ms
  readonly #slotEnd = new Float64Array(CACHE_SLOTS); // Unix ms (whole)
  readonly #slotDur = new Float64Array(CACHE_SLOTS); // h, 0 = no shower
  readonly #slotRise = new Float64Array(CACHE_SLOTS); // h from start to the peak
  readonly #slotPeak = new Float64Array(CACHE_SLOTS); // mm/h
  readonly #slotCool = new Float64Array(CACHE_SLOTS); // °C
  readonly #slotGust = new Float64Array(CACHE_SLOTS); // m/s
  // sun cache: one entry per solar day
  readonly #dayKey = new Float64Array(CACHE_DAYS).fill(NaN);
  readonly #dayRise = new Float64Array(CACHE_DAYS); // solar hours
  readonly #daySet = new Float64Array(CACHE_DAYS);
  readonly #dayNoon = new Float64Array(CACHE_DAYS);
  // the instant last prepared (pure memo: recomputed whenever ms differs)
  #ms = NaN;
  #h = 0;
  #hod = 0;
  #day = 0;
  #yf = 0;
  #front = 0;
  #press = 0;
  #moist = 0;
  #wet = 1;
  #airTerms = false;
  #diurnal = 0;
  #cooling = 0;
  #wetting = 0;
  #dewPoint = 0;
  /** Noise streams evaluated at the current instant, each caching its lattice cell (same values as splineNoise). */
  readonly #n: {
    press: SplineNoise;
    moist: SplineNoise;
    front: SplineNoise;
    front2: SplineNoise;
    fast: SplineNoise;
    fast2: SplineNoise;
    dew: SplineNoise;
    windSyn: SplineNoise;
    turb: readonly SplineNoise[];
    dir: readonly SplineNoise[];
  };
  // The climatology as this model reads it many times a second (air.ts `monthlyTable`): the same numbers.
  readonly #tmax = monthlyTable(TMAX);
  readonly #tmin = monthlyTable(TMIN);
  readonly #td = monthlyTable(TD);
  readonly #sigmaT = monthlyTable(SIGMA_T);
  readonly #sigmaTd = monthlyTable(SIGMA_TD);
  readonly #sigmaP = monthlyTable(SIGMA_P);
  readonly #pSeason = monthlyTable(P_SEASON);
  readonly #wind = monthlyTable(WIND);
  readonly #windDir = monthlyTable(WIND_DIR);
  readonly #convective = monthlyTable(CONVECTIVE);
  readonly #rainMmDay = monthlyTable(RAIN_MM_DAY);
  readonly #speedMemo = windMemo();
  readonly #dirMemo = windMemo();
  #meanT = NaN;
  #mean = 0;
  /** The UTC hour #gusty speaks for. */
  #gustHour = NaN;
  #gusty = false;

  constructor(o: KunmingWeatherOptions) {
    const opts = {
      epochMs: o.epochMs ?? 1780243200000, // 2026-06-01T00:00:00+08:00
      elevationM: o.elevationM ?? 1890,
      latitudeDeg: o.latitudeDeg ?? 25.04,
      longitudeDeg: o.longitudeDeg ?? 102.71,
      seaLevelPressurePa: o.seaLevelPressurePa ?? 101325,
      temperatureOffsetC: o.temperatureOffsetC ?? 0,
      rainScale: o.rainScale ?? 1,
      windScale: o.windScale ?? 1,
    };
    this.options = Object.freeze(opts);
    this.epochMs = opts.epochMs;
    const s = o.seed;
    this.seed = deriveSeed(s, "");
    this.#lonHours = opts.longitudeDeg / 15;
    this.#sinLat = sin(opts.latitudeDeg * DEG);
    this.#cosLat = cos(opts.latitudeDeg * DEG);
    this.#tOffset = opts.temperatureOffsetC;
    this.#rainScale = opts.rainScale;
    this.#windScale = opts.windScale;
    // Barometric formula with the column's real warmth: the sea-level temperature that gives Kunming's annual mean
    // (15 °C) at the station with the standard lapse rate: 813.6 hPa at 1890 m. ISA's 15 °C at sea level would give
    // 805.9 hPa; the reference notes give about 810 hPa (unverified).
    this.stationPressurePa = barometricPressure(
      opts.elevationM,
      opts.seaLevelPressurePa,
      273.15 + ANNUAL_MEAN_C + LAPSE * opts.elevationM,
    );
    const d = (label: string): number => deriveSeed(s, `kunming/${label}`);
    this.#sFront = d("front");
    this.#sFront2 = d("front2");
    this.#sPress = d("pressure");
    this.#sMoist = d("moisture");
    this.#sDew = d("dewpoint");
    this.#sFast = d("fast");
    this.#sFast2 = d("fast2");
    this.#sRain = d("rain");
    this.#sRainType = d("rain/type");
    this.#sRainStart = d("rain/start");
    this.#sRainDur = d("rain/duration");
    this.#sRainPeak1 = d("rain/peak1");
    this.#sRainPeak2 = d("rain/peak2");
    this.#sWindSyn = d("wind/synoptic");
    this.#sTurb = Object.freeze([d("wind/turb3s"), d("wind/turb12s"), d("wind/turb45s"), d("wind/turb3min")]);
    this.#sDir = Object.freeze([d("dir/synoptic"), d("dir/hourly"), d("dir/turb20s"), d("dir/turb5s")]);
    const n = (seed: number) => new SplineNoise(seed);
    this.#n = {
      press: n(this.#sPress),
      moist: n(this.#sMoist),
      front: n(this.#sFront),
      front2: n(this.#sFront2),
      fast: n(this.#sFast),
      fast2: n(this.#sFast2),
      dew: n(this.#sDew),
      windSyn: n(this.#sWindSyn),
      turb: this.#sTurb.map(n),
      dir: this.#sDir.map(n),
    };
  }

  // ─────────── shared per-instant state ───────────

  #prepare(t: Micros): number {
    const ms = this.epochMs + t / 1000;
    if (ms === this.#ms) return ms;
    this.#ms = ms;
    const h = ms / MS_PER_HOUR;
    const solar = h + this.#lonHours;
    const day = Math.floor(solar / 24);
    this.#h = h;
    this.#day = day;
    this.#hod = solar - 24 * day;
    this.#yf = yearFractionOfDays(solar / 24);
    this.#airTerms = false; // the air's synoptic terms: computed on demand (the wind, asked 4 times a second, needs none)
    this.#diurnal = NaN; // computed on demand
    this.#dewPoint = NaN;
    return ms;
  }

  /** The synoptic terms only the air uses (fronts, pressure, moisture, wet spells) at the prepared instant. */
  #prepareAir(): void {
    if (this.#airTerms) return;
    const h = this.#h;
    this.#front = this.#frontAt(h);
    this.#press = this.#n.press.at(h / 48);
    this.#moist = this.#n.moist.at(h / 72);
    this.#wet = this.#wetAt(this.#moist, this.#press);
    this.#airTerms = true;
  }

  /** synoptic temperature anomaly in σ units (std ≈ 1) */
  #frontAt(h: number): number {
    return (0.8 * this.#n.front.at(h / 60) + 0.45 * this.#n.front2.at(h / 20)) / 0.9179;
  }

  /** wet/dry spell factor, mean ≈ 1: moist air masses and low pressure favour showers */
  #wetAt(moist: number, press: number): number {
    const w = 1 + 0.35 * moist - 0.2 * press;
    return w > 0.05 ? w : 0.05;
  }

  // ─────────── sun and the diurnal temperature shape ───────────

  /** cache index of the sun times of solar day `day` */
  #sun(day: number): number {
    const c = day & (CACHE_DAYS - 1);
    if (this.#dayKey[c] === day) return c;
    const g = TWO_PI * yearFractionOfDays(day + 0.5);
    const half = halfDayHours(solarDeclination(g), this.#sinLat, this.#cosLat);
    const noon = 12 - equationOfTime(g) / 60;
    this.#dayKey[c] = day;
    this.#dayNoon[c] = noon;
    this.#dayRise[c] = noon - half;
    this.#daySet[c] = noon + half;
    return c;
  }

  /** Diurnal temperature shape in [−0.5, 0.5]: −0.5 at sunrise, +0.5 at noon + 2.5 h, D_SET at sunset. */
  #diurnalAt(): number {
    if (this.#diurnal === this.#diurnal) return this.#diurnal;
    const hod = this.#hod;
    const c = this.#sun(this.#day);
    const sr = this.#dayRise[c]!;
    const ss = this.#daySet[c]!;
    const tx = this.#dayNoon[c]! + T_MAX_AFTER_NOON;
    let v: number;
    if (hod < sr) {
      const p = this.#sun(this.#day - 1);
      const ssPrev = this.#daySet[p]! - 24;
      v = D_SET - (D_SET + 0.5) * Math.sqrt((hod - ssPrev) / (sr - ssPrev));
    } else if (hod < tx) {
      v = -0.5 * cos((PI * (hod - sr)) / (tx - sr));
    } else if (hod < ss) {
      v = D_SET + (0.5 - D_SET) * cos((0.5 * PI * (hod - tx)) / (ss - tx));
    } else {
      const n = this.#sun(this.#day + 1);
      const srNext = this.#dayRise[n]! + 24;
      v = D_SET - (D_SET + 0.5) * Math.sqrt((hod - ss) / (srNext - ss));
    }
    this.#diurnal = v;
    return v;
  }

  // ─────────── showers ───────────

  /** cache index of the hourly slot k (UTC hours since 1970); #slotDur is 0 when no shower starts in it */
  #slot(k: number): number {
    const c = k & (CACHE_SLOTS - 1);
    if (this.#slotKey[c] === k) return c;
    this.#slotKey[c] = k;
    this.#slotDur[c] = 0;
    if (this.#rainScale <= 0) return c;
    const hMid = k + 0.5;
    const solar = hMid + this.#lonHours;
    const hod = solar - 24 * Math.floor(solar / 24);
    const yf = yearFractionOfDays(solar / 24);
    const conv = monthly(this.#convective, yf);
    const mmDay = monthly(this.#rainMmDay, yf);
    if (!(mmDay > 0)) return c;
    const perDay = mmDay / (conv * CONV_MEAN_DEPTH + (1 - conv) * STRAT_MEAN_DEPTH);
    const hourShare = conv * hourWeight(HOURS_CONV, hod) + (1 - conv) * hourWeight(HOURS_STRAT, hod);
    const wet = this.#wetAt(splineNoise(this.#sMoist, hMid / 72), splineNoise(this.#sPress, hMid / 48));
    const p = perDay * hourShare * wet * this.#rainScale;
    if (!(hashNoise(this.#sRain, k) < p)) return c;
    const convective = hashNoise(this.#sRainType, k) < conv;
    // whole milliseconds and seconds, so start and end are whole µs in virtual time
    const startMs = k * MS_PER_HOUR + Math.floor(hashNoise(this.#sRainStart, k) * MS_PER_HOUR);
    const v = hashNoise(this.#sRainDur, k);
    // a normal deviate for the log-normal peak (Box–Muller on two hashes)
    const u1 = hashNoise(this.#sRainPeak1, k);
    const u2 = hashNoise(this.#sRainPeak2, k);
    const z = Math.sqrt(-2 * ln(1 - u1)) * cos(TWO_PI * u2); // 1 − u1 is exact and > 0
    let durH: number;
    let peak: number;
    if (convective) {
      durH = 0.25 + 2 * pow(v, 1.7);
      peak = CONV_PEAK_MEDIAN * exp(CONV_PEAK_SIGMA * z);
      if (peak > 120) peak = 120;
    } else {
      durH = 1 + 5 * v;
      peak = STRAT_PEAK_MEDIAN * exp(STRAT_PEAK_SIGMA * z);
      if (peak > 15) peak = 15;
    }
    const durS = Math.floor(durH * 3600);
    durH = durS / 3600;
    this.#slotStart[c] = startMs;
    this.#slotEnd[c] = startMs + durS * 1000;
    this.#slotDur[c] = durH;
    this.#slotRise[c] = (convective ? 0.2 : 0.4) * durH;
    this.#slotPeak[c] = peak;
    // cooling: convective downdraughts in daytime cool most; light night rain hardly at all
    const startHod = hod - 0.5 + (startMs - k * MS_PER_HOUR) / MS_PER_HOUR;
    const daytime = startHod > 8 && startHod < 19 ? 1 : 0.4;
    const cool = convective ? 1 + 0.1 * peak : 0.4 + 0.1 * peak;
    this.#slotCool[c] = (cool > 5 ? 5 : cool) * daytime;
    const gust = 1.5 + 0.06 * peak;
    this.#slotGust[c] = convective ? (gust > 8 ? 8 : gust) : 0;
    return c;
  }

  /** Σ over showers of their rain cooling (°C) and wetting (0–1) at the prepared instant. */
  #rainEffects(ms: number): void {
    const k = Math.floor(ms / MS_PER_HOUR);
    let cool = 0;
    let wet = 0;
    for (let j = k - EFFECT_LOOKBACK; j <= k; j++) {
      const c = this.#slot(j);
      const d = this.#slotDur[c]!;
      if (d === 0) continue;
      const tau = (ms - this.#slotStart[c]!) / MS_PER_HOUR;
      if (tau <= 0) continue;
      let g: number;
      if (tau < d) {
        g = tau / (tau + 0.25);
      } else {
        const x = (tau - d) / RAIN_AFTER_H;
        if (x >= 1) continue;
        g = (d / (d + 0.25)) * (1 - x) * (1 - x);
      }
      cool += this.#slotCool[c]! * g;
      const strength = 0.3 + this.#slotPeak[c]! / 10;
      wet += g * (strength > 1 ? 1 : strength);
    }
    this.#cooling = cool > 6 ? 6 : cool;
    this.#wetting = wet > 1 ? 1 : wet;
  }

  // ─────────── Atmosphere ───────────

  air(t: Micros): AirState {
    return this.airInto(t, { temperature: 0, humidity: 0, pressure: 0 });
  }

  airInto(t: Micros, out: AirState): AirState {
    const ms = this.#prepare(t);
    this.#prepareAir();
    const yf = this.#yf;
    const tmax = monthly(this.#tmax, yf);
    const tmin = monthly(this.#tmin, yf);
    const wet = this.#wet;
    const front = this.#front;
    const D = this.#diurnalAt();
    this.#rainEffects(ms);
    const h = this.#h;
    const mean = 0.5 * (tmax + tmin) + this.#tOffset + monthly(this.#sigmaT, yf) * front;
    const range = (tmax - tmin) * (1 - 0.2 * (wet - 1));
    const heat = D + 0.5; // 0 at sunrise … 1 at the daily maximum
    const fast = (0.08 + 0.25 * heat) * this.#n.fast.at(h * 6) + 0.05 * this.#n.fast2.at(h * 60);
    const T = mean + range * D - this.#cooling + fast;
    // dew point: air mass (correlated with the fronts) + wet spells, pulled towards saturation by rain
    let td =
      monthly(this.#td, yf) +
      this.#tOffset +
      monthly(this.#sigmaTd, yf) * (0.6 * front + 0.8 * this.#n.dew.at(h / 36)) +
      1.2 * (wet - 1);
    if (T > td) td += this.#wetting * 0.9 * (T - td);
    // keep the dew point below the temperature, smoothly: depression ≥ 0.1 °C
    let dep = T - td;
    if (dep < 0.6) dep = 0.1 + 0.5 * exp((dep - 0.6) / 0.5);
    this.#dewPoint = T - dep;
    // pressure
    const hod = this.#hod;
    const tide = 1.0 * cos((TWO_PI * (hod - 10)) / 12) + 0.3 * cos((TWO_PI * (hod - 10)) / 24);
    const synoptic = -monthly(this.#sigmaP, yf) * (0.85 * front + 0.5 * this.#press) / 0.986 - 1.0 * (wet - 1);
    out.temperature = T;
    out.humidity = relativeHumidity(T, T - dep);
    out.pressure = this.stationPressurePa + 100 * (monthly(this.#pSeason, yf) + tide + synoptic);
    return out;
  }

  meanWindSpeed(t: Micros): number {
    const ms = this.#prepare(t);
    const hod = this.#hod;
    const diurnal = 1 + 0.45 * cos((TWO_PI * (hod - 15)) / 24) + 0.1 * cos((TWO_PI * (hod - 15)) / 12);
    let syn = 1 + 0.3 * this.#n.windSyn.at(this.#h / 30);
    if (syn < 0.3) syn = 0.3;
    let u = monthly(this.#wind, this.#yf) * diurnal * syn;
    // gust fronts of convective showers: a jump at the start, fading within 1.5 h
    const k = Math.floor(ms / MS_PER_HOUR);
    if (k !== this.#gustHour) {
      this.#gustHour = k;
      this.#gusty = this.#gustIn(k);
    }
    if (this.#gusty) u = this.#withGusts(u, ms, k);
    return u * this.#windScale;
  }

  /** Whether a shower of the hours k − 2 … k brings a gust front (most hours none, and the wind, asked for at 8
   * instants a second, skips the slots). */
  #gustIn(k: number): boolean {
    for (let j = k - 2; j <= k; j++) {
      const c = this.#slot(j);
      if (this.#slotDur[c] !== 0 && this.#slotGust[c] !== 0) return true;
    }
    return false;
  }

  /** `u` plus the gust fronts at `ms`, added one by one. */
  #withGusts(u: number, ms: number, k: number): number {
    for (let j = k - 2; j <= k; j++) {
      const c = this.#slot(j);
      const g = this.#slotGust[c]!;
      if (this.#slotDur[c] === 0 || g === 0) continue;
      const tau = (ms - this.#slotStart[c]!) / MS_PER_HOUR;
      if (tau <= 0 || tau >= 1.5) continue;
      const x = 1 - tau / 1.5;
      u += g * (tau / (tau + 0.03)) * x * x;
    }
    return u;
  }

  wind(t: Micros): WindState {
    return this.windInto(t, { speed: 0, direction: 0 });
  }

  windInto(t: Micros, out: WindState): WindState {
    out.speed = this.windSpeed(t);
    out.direction = this.windDirection(t);
    return out;
  }

  // Pure memos of the last few instants, one per quantity: each sample the vane asks for the direction now while the
  // anemometer's integral asks for the speed at the end of its 250 ms cell (the next sample's now). Asked for both at
  // every instant, a one-entry memo computed each instant three times, and each the half it was not asked for.

  windSpeed(t: Micros): number {
    const memo = this.#speedMemo;
    for (let i = 0; i < WIND_MEMO; i++) if (memo.t[i] === t) return memo.v[i]!;
    const u = this.#meanAt(t);
    // turbulence: smooth noise on 3 s, 12 s, 45 s and 3 min cells, stronger at low speed and in the afternoon
    const sec = this.#ms / 1000;
    const st = this.#n.turb;
    const g =
      (0.45 * st[0]!.at(sec / 3) +
        0.6 * st[1]!.at(sec / 12) +
        0.7 * st[2]!.at(sec / 45) +
        0.55 * st[3]!.at(sec / 180)) /
      1.1657;
    const afternoon = cos((TWO_PI * (this.#hod - 14)) / 24);
    const intensity = 0.2 + 0.3 / (1 + u) + (afternoon > 0 ? 0.08 * afternoon : 0);
    const f = 1 + intensity * g;
    return remember(memo, t, f > 0 ? u * f : 0);
  }

  windDirection(t: Micros): number {
    const memo = this.#dirMemo;
    for (let i = 0; i < WIND_MEMO; i++) if (memo.t[i] === t) return memo.v[i]!;
    const u = this.#meanAt(t);
    const sec = this.#ms / 1000;
    const h = this.#h;
    const sd = this.#n.dir;
    const wobble = 6 + 14 / (1 + u);
    let dir =
      monthly(this.#windDir, this.#yf) +
      35 * sd[0]!.at(h / 40) +
      15 * sd[1]!.at(h / 3) +
      wobble * (0.7 * sd[2]!.at(sec / 20) + 0.5 * sd[3]!.at(sec / 5));
    dir -= 360 * Math.floor(dir / 360);
    return remember(memo, t, dir < 360 ? dir : 0);
  }

  /** meanWindSpeed(t), prepared at t, remembered for the other half of the wind at the same instant. */
  #meanAt(t: Micros): number {
    if (t === this.#meanT) {
      this.#prepare(t);
      return this.#mean;
    }
    const u = this.meanWindSpeed(t); // prepares t
    this.#meanT = t;
    this.#mean = u;
    return u;
  }

  rainRate(t: Micros): number {
    const ms = this.epochMs + t / 1000;
    const k = Math.floor(ms / MS_PER_HOUR);
    let r = 0;
    for (let j = k - RAIN_LOOKBACK; j <= k; j++) {
      const c = this.#slot(j);
      const d = this.#slotDur[c]!;
      if (d === 0) continue;
      r += triangleRate((ms - this.#slotStart[c]!) / MS_PER_HOUR, this.#slotRise[c]!, d, this.#slotPeak[c]!);
    }
    return r;
  }

  rainBetween(t0: Micros, t1: Micros): number {
    if (t1 < t0) return -this.rainBetween(t1, t0);
    if (t1 === t0) return 0;
    const ms0 = this.epochMs + t0 / 1000;
    const ms1 = this.epochMs + t1 / 1000;
    const k1 = Math.floor(ms1 / MS_PER_HOUR);
    let sum = 0;
    for (let j = Math.floor(ms0 / MS_PER_HOUR) - RAIN_LOOKBACK; j <= k1; j++) {
      const c = this.#slot(j);
      const d = this.#slotDur[c]!;
      if (d === 0) continue;
      const start = this.#slotStart[c]!;
      const a = this.#slotRise[c]!;
      const p = this.#slotPeak[c]!;
      sum += triangleDepth((ms1 - start) / MS_PER_HOUR, a, d, p) - triangleDepth((ms0 - start) / MS_PER_HOUR, a, d, p);
    }
    return sum;
  }

  rainTime(t0: Micros, depthMm: number, tLimit: Micros = t0 + 400 * 24 * 3_600_000_000): Micros {
    if (!(depthMm > 0)) return t0;
    const step = 3_600_000_000; // 1 h
    let acc = 0;
    let a = t0;
    while (a < tLimit) {
      const b = a + step < tLimit ? a + step : tLimit;
      const r = this.rainBetween(a, b);
      if (acc + r >= depthMm) {
        let lo = a;
        let hi = Math.ceil(b);
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (acc + this.rainBetween(a, mid) >= depthMm) hi = mid;
          else lo = mid;
        }
        return hi;
      }
      acc += r;
      a = b;
    }
    return Infinity;
  }

  showers(t0: Micros, t1: Micros): Shower[] {
    const out: Shower[] = [];
    const ms0 = this.epochMs + t0 / 1000;
    const ms1 = this.epochMs + t1 / 1000;
    const k1 = Math.floor(ms1 / MS_PER_HOUR);
    for (let j = Math.floor(ms0 / MS_PER_HOUR) - RAIN_LOOKBACK; j <= k1; j++) {
      const c = this.#slot(j);
      const d = this.#slotDur[c]!;
      if (d === 0) continue;
      const startMs = this.#slotStart[c]!;
      const endMs = this.#slotEnd[c]!;
      if (endMs <= ms0 || startMs >= ms1) continue;
      const peak = this.#slotPeak[c]!;
      out.push({
        start: (startMs - this.epochMs) * 1000,
        end: (endMs - this.epochMs) * 1000,
        peakMmPerHour: peak,
        depthMm: 0.5 * peak * d,
        convective: this.#slotRise[c]! < 0.3 * d,
      });
    }
    return out;
  }

  snapshot(t: Micros): WeatherSnapshot {
    const air = this.air(t);
    const dewPoint = this.#dewPoint;
    const w = this.wind(t);
    return {
      temperature: air.temperature,
      humidity: air.humidity,
      pressure: air.pressure,
      dewPoint,
      windSpeed: w.speed,
      windMeanSpeed: this.meanWindSpeed(t),
      windDirection: w.direction,
      rainRate: this.rainRate(t),
      solarHour: this.#hod,
      yearFraction: this.#yf,
    };
  }
}


export { saturationVaporPressure, saturationVaporPressureIce, relativeHumidity } from "./air.js";
