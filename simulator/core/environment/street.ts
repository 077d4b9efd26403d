/**
 * One on-street parking bay in Kunming and the bay next to it, as a magnetometer flush in the middle of the bay sees
 * them: a pure function of (seed, absolute time).
 *
 * Field. The Earth's field at Kunming from the World Magnetic Model WMM2025 (NOAA NCEI / BGS) at 25.04° N, 102.71° E,
 * 1.89 km, 2026-06-01: north 37 080 nT, east −1 089 nT, down 30 425 nT — total 47 977 nT, inclination 39.36°,
 * declination −1.68° (evaluated with the WMM2025 coefficients shipped in the npm package geomagnetism@0.2.0; the
 * secular change, about +40 nT a year in total field, is left out). The sensor's axes: x along the kerb in the
 * direction of traffic (azimuth `streetAzimuthDeg` from true north), y horizontal towards the road, z up.
 *
 * Vehicles. A car is a handful of point dipoles along its floor (engine, floor pan, rear axle, boot), each with an
 * induced moment along the Earth's field and a permanent one fixed in the car's frame — the dipole picture of
 * vehicle signatures (e.g. Honeywell AN218). Sizes follow a magnetometer maker's rule of thumb (Geometrics: a tonne
 * of steel gives about 1 nT at 30 m from its induced field alone, i.e. some 270 A·m²; permanent magnetisation
 * adds a factor of up to 3–5): here 110–230 A·m² induced by class, permanent 0.3–1.5 times that, in a random
 * direction, spread over the dipoles. Four classes (compact, sedan, SUV, van) differ in length, moment and height,
 * and every car in size, heights, parking position and permanent moment, so no two signatures are alike. Cars move
 * into and out of the bay along a path over 6–25 s, so the field changes as a real manoeuvre does. A car in the next
 * bay (6 m along the kerb for parallel bays, 2.5 m across for perpendicular ones) adds a smaller disturbance; so do
 * cars driving by in the lane (about 3 m away, a second or two each) and, now and then, a car rolling over the empty
 * bay's sensor for a few seconds.
 *
 * Arrivals and departures. Each bay is a queue with one server: arrivals are a non-homogeneous Poisson process by
 * hour of day (busiest 09:00–12:00 and 14:00–18:00, none 22:00–06:00 but overnight parkers), made by thinning; an
 * arrival that finds the bay taken goes elsewhere. Dwell times are log-normal (median 50 min, σ of ln 0.9, 3 min to
 * 10 h), with one stop in ten a short one of 1–5 min (dropping off); the log-normal shape is an assumption, the
 * usual fit for on-street parking durations. In the evening a bay takes an overnight parker with probability 0.35
 * (0.3 at weekends), who leaves the next morning between 06:45 and 09:30 (08:00–11:30 at weekends). Every "parking
 * day" (06:00 to 06:00 local) is drawn on its own from hashes of (seed, bay, day), the overnight car being shared by
 * the two days it spans, so the world at any instant is found without running it from a start.
 *
 * Sensor. Its temperature is the road surface's: the air's (the Kunming weather model of the same seed) plus solar
 * heating of the asphalt by day (up to 12 °C in the dry season, 7 °C in the wet one). Its offset, which the
 * magnetometer models do not model, is here: a hard-iron offset of the housing and battery (±3 µT per axis), a
 * temperature coefficient of ±0.05 µT/°C per axis and a sensitivity coefficient of ±0.03 %/°C (assumptions: the
 * reference notes give no drift figures for the QMC5883L), and a slow ageing wander of about 0.3 µT. `fieldInto`
 * gives what the part's axes measure before its own noise (the magnetometer models add that).
 *
 * Portable (XS and V8, bit-identical): runtime/detmath.ts for every transcendental, no Date.
 */
import { cos, exp, ln, sin } from "../../../runtime/detmath.js";
import type { Micros } from "../engine.js";
import { deriveSeed, hashNoise, splineNoise, type Seed } from "../rng.js";
import { createKunmingWeather, type KunmingWeather } from "./kunming.js";

/** µT along the sensor's axes (the same shape as the magnetometer models' MagneticField). */
export interface FieldVector {
  x: number;
  y: number;
  z: number;
}

export type BayLayout = "parallel" | "perpendicular";

export interface StreetOptions {
  seed: Seed;
  /** Unix ms at virtual time 0. Default 2026-06-01T00:00:00+08:00. */
  epochMs?: number;
  /** Default "parallel" (bays along the kerb). */
  layout?: BayLayout;
  /** Direction of traffic along the kerb, degrees clockwise from true north (default 35). */
  streetAzimuthDeg?: number;
  /** The weather whose air temperature the road follows (default: Kunming's, same seed and epoch). */
  weather?: KunmingWeather;
}

/** One car's stay in a bay, in virtual time (µs). */
export interface ParkingSession {
  /** The car starts to move into the bay (NaN when it came before the span asked about and was not looked up). */
  arriveStart: Micros;
  /** It stands still in the bay. */
  parked: Micros;
  /** It starts to leave. */
  leaveStart: Micros;
  /** It is clear of the bay. */
  gone: Micros;
  vehicleClass: VehicleClass;
}

export type VehicleClass = "compact" | "sedan" | "suv" | "van";

export interface Street {
  readonly epochMs: number;
  readonly seed: number;
  readonly layout: BayLayout;
  /** The Earth's field in the sensor's axes, µT. */
  readonly earth: Readonly<FieldVector>;
  /** What the magnetometer's axes measure at t before its own noise (field plus the sensor's offset), µT. */
  fieldInto(t: Micros, out: FieldVector): FieldVector;
  /** The field itself at t, µT. */
  trueFieldInto(t: Micros, out: FieldVector): FieldVector;
  /** Road-surface (sensor) temperature, °C. */
  sensorTemperature(t: Micros): number;
  /** Ground truth: a car stands in the bay (from `parked` to `leaveStart`). */
  occupied(t: Micros): boolean;
  neighbourOccupied(t: Micros): boolean;
  /** Stays in the sensor's bay (or the neighbour's) overlapping [t0, t1), in order. */
  sessions(t0: Micros, t1: Micros, bay?: "own" | "neighbour"): ParkingSession[];
}

export function createStreet(o: StreetOptions): Street {
  return new StreetModel(o);
}

// ───────────────────────── constants ─────────────────────────

/** WMM2025 at Kunming, 2026-06-01 (see the header): north, east, down, µT. */
export const KUNMING_FIELD_NED_UT: readonly number[] = Object.freeze([37.08015, -1.08939, 30.42464]);

const US_PER_S = 1_000_000;
const US_PER_MIN = 60 * US_PER_S;
const US_PER_H = 60 * US_PER_MIN;
const MS_PER_DAY = 86_400_000;
const LOCAL_OFFSET_MS = 8 * 3_600_000;
/** A parking day starts at 06:00 local. */
const PARKING_DAY_START_MS = 6 * 3_600_000;
const PI = 3.141592653589793;
const DEG = PI / 180;
const TROPICAL_YEAR_DAYS = 365.2425;
/** μ0/4π in µT·m³/(A·m²)... i.e. 1e-7 T·m/A as µT. */
const MU0_4PI_UT = 0.1;

/** Arrivals per hour by local hour (weekday), the non-homogeneous Poisson rate. */
const RATE_WEEKDAY: readonly number[] = Object.freeze([0, 0, 0, 0, 0, 0, 0.3, 0.9, 1.2, 1.5, 1.5, 1.4, 1.2, 1.2, 1.5, 1.5, 1.5, 1.4, 1.1, 1.0, 0.8, 0.5, 0, 0]);
const RATE_WEEKEND: readonly number[] = Object.freeze([0, 0, 0, 0, 0, 0, 0.1, 0.3, 0.7, 1.2, 1.5, 1.5, 1.4, 1.3, 1.5, 1.5, 1.4, 1.3, 1.2, 1.1, 0.9, 0.6, 0, 0]);
const RATE_MAX = 1.5;
/** Vehicles per hour driving by in the lane, by local hour. */
const TRAFFIC: readonly number[] = Object.freeze([40, 20, 10, 10, 20, 60, 200, 450, 500, 420, 380, 380, 400, 380, 380, 400, 450, 500, 450, 350, 260, 200, 130, 70]);

interface ClassSpec {
  readonly share: number;
  readonly length: number;
  readonly momentAm2: number;
  readonly height: number;
}
const CLASSES: readonly (readonly [VehicleClass, ClassSpec])[] = Object.freeze([
  Object.freeze(["compact", Object.freeze({ share: 0.3, length: 4.0, momentAm2: 110, height: 0.33 })] as const),
  Object.freeze(["sedan", Object.freeze({ share: 0.35, length: 4.7, momentAm2: 150, height: 0.36 })] as const),
  Object.freeze(["suv", Object.freeze({ share: 0.25, length: 4.7, momentAm2: 200, height: 0.52 })] as const),
  Object.freeze(["van", Object.freeze({ share: 0.1, length: 5.0, momentAm2: 230, height: 0.48 })] as const),
]);
/** Dipoles along a car: position along its length (fraction of length from the centre, + forward), height above its base height (m), share of its moment. */
const DIPOLES: readonly (readonly [number, number, number])[] = Object.freeze([
  Object.freeze([0.33, 0.15, 0.3] as const),
  Object.freeze([0.12, -0.1, 0.2] as const),
  Object.freeze([-0.12, -0.1, 0.2] as const),
  Object.freeze([-0.3, 0, 0.15] as const),
  Object.freeze([-0.42, 0.1, 0.15] as const),
]);
const ND = DIPOLES.length;

/** A vehicle's signature: dipoles in its own frame (u forward, v left, w up), moments in the sensor frame. */
interface Vehicle {
  cls: VehicleClass;
  /** Per dipole: u, v, w (m); induced moment (A·m², sensor frame, along the Earth's field); permanent moment in the car's frame. */
  readonly pos: Float64Array;
  readonly induced: Float64Array;
  readonly permanent: Float64Array;
}

/** A stay with its geometry: final position and heading in the sensor's frame. */
interface Stay {
  s: ParkingSession;
  v: Vehicle;
  /** Parked position of the car's centre (m) and heading (rad, of its forward axis from the sensor's x). */
  px: number;
  py: number;
  heading: number;
  /** Where it comes from and goes to (m). */
  ax: number;
  ay: number;
  dx: number;
  dy: number;
}

/** One parking day of one bay. */
interface BayDay {
  stays: Stay[];
}

const BAY_CACHE = 4;

class StreetModel implements Street {
  readonly epochMs: number;
  readonly seed: number;
  readonly layout: BayLayout;
  readonly earth: Readonly<FieldVector>;
  readonly #earthUnit: readonly number[];
  readonly #weather: KunmingWeather;
  readonly #s: Readonly<Record<string, number>>;
  /** Bay centres in the sensor frame (own at the origin), m. */
  readonly #neighbourX: number;
  readonly #neighbourY: number;
  readonly #laneY: number;
  /** Sensor offset parameters per axis: hard iron (µT), temperature coefficient (µT/°C); sensitivity coefficient (1/°C). */
  readonly #hard: readonly number[];
  readonly #tempco: readonly number[];
  readonly #sensTempco: number;
  readonly #cacheKey = [new Float64Array(BAY_CACHE).fill(NaN), new Float64Array(BAY_CACHE).fill(NaN)];
  readonly #cache: BayDay[][] = [[], []];
  /** Signatures of cars driving by, kept while they are near (a pure memo: a signature depends only on its key). */
  readonly #passing = new Map<number, Vehicle>();
  /** Temperature at whole minutes, interpolated between (the air changes slowly; the weather costs microseconds). */
  #tMin = NaN;
  #tA = 0;
  #tB = 0;

  constructor(o: StreetOptions) {
    this.epochMs = o.epochMs ?? 1780243200000;
    this.seed = deriveSeed(o.seed, "street");
    this.layout = o.layout ?? "parallel";
    if (this.layout !== "parallel" && this.layout !== "perpendicular") throw new RangeError(`street: layout must be parallel or perpendicular, got ${String(o.layout)}`);
    const psi = (o.streetAzimuthDeg ?? 35) * DEG;
    const [n, e, d] = KUNMING_FIELD_NED_UT as [number, number, number];
    const earth = { x: n * cos(psi) + e * sin(psi), y: n * sin(psi) - e * cos(psi), z: -d };
    this.earth = Object.freeze(earth);
    const f = Math.sqrt(earth.x * earth.x + earth.y * earth.y + earth.z * earth.z);
    this.#earthUnit = Object.freeze([earth.x / f, earth.y / f, earth.z / f]);
    this.#weather = o.weather ?? createKunmingWeather({ seed: o.seed, epochMs: this.epochMs });
    const names = ["own", "neighbour", "vehicle", "traffic", "passover", "sensor", "ageing"];
    const s: Record<string, number> = {};
    for (const name of names) s[name] = deriveSeed(o.seed, `street/${name}`);
    this.#s = Object.freeze(s);
    if (this.layout === "parallel") {
      this.#neighbourX = -6;
      this.#neighbourY = 0;
      this.#laneY = 3;
    } else {
      this.#neighbourX = 2.5;
      this.#neighbourY = 0;
      this.#laneY = 5.5;
    }
    const u = (j: number) => hashNoise(s["sensor"]!, j);
    this.#hard = Object.freeze([6 * u(0) - 3, 6 * u(1) - 3, 6 * u(2) - 3]);
    this.#tempco = Object.freeze([0.1 * u(3) - 0.05, 0.1 * u(4) - 0.05, 0.1 * u(5) - 0.05]);
    this.#sensTempco = 6e-4 * u(6) - 3e-4;
  }

  // ───────────── sensor ─────────────

  sensorTemperature(t: Micros): number {
    const ms = this.epochMs + t / 1000;
    const minute = Math.floor(ms / 60_000);
    if (minute !== this.#tMin) {
      this.#tMin = minute;
      this.#tA = this.#roadTemperature(minute);
      this.#tB = this.#roadTemperature(minute + 1);
    }
    const f = ms / 60_000 - minute;
    return this.#tA + (this.#tB - this.#tA) * f;
  }

  #roadTemperature(minute: number): number {
    const ms = minute * 60_000;
    const air = this.#weather.air((ms - this.epochMs) * 1000).temperature;
    const localH = ((ms + LOCAL_OFFSET_MS) % MS_PER_DAY) / 3_600_000;
    const day = Math.floor((ms + LOCAL_OFFSET_MS) / MS_PER_DAY);
    const yf = day / TROPICAL_YEAR_DAYS - Math.floor(day / TROPICAL_YEAR_DAYS);
    // Dry season (Nov–Apr) sunnier: 12 °C of solar heating at the peak; wet season 7 °C.
    const amp = 9.5 + 2.5 * cos(2 * PI * (yf - 0.1));
    const x = (localH - 7.5) / 11.5; // sun on the road from about 07:30 to 19:00 local
    const sun = x > 0 && x < 1 ? sin(PI * x) : 0;
    return air + amp * sun * sun;
  }

  /** The sensor's offset at t added into `out` (µT), with its sensitivity change applied to the field already in it. */
  #sensorOffset(t: Micros, out: FieldVector): void {
    const T = this.sensorTemperature(t);
    const k = 1 + this.#sensTempco * (T - 25);
    const days = (this.epochMs + t / 1000) / MS_PER_DAY;
    const a = this.#s["ageing"]!;
    out.x = out.x * k + this.#hard[0]! + this.#tempco[0]! * (T - 25) + 0.3 * splineNoise(a, days / 10);
    out.y = out.y * k + this.#hard[1]! + this.#tempco[1]! * (T - 25) + 0.3 * splineNoise(a + 1, days / 10);
    out.z = out.z * k + this.#hard[2]! + this.#tempco[2]! * (T - 25) + 0.3 * splineNoise(a + 2, days / 10);
  }

  // ───────────── field ─────────────

  fieldInto(t: Micros, out: FieldVector): FieldVector {
    this.trueFieldInto(t, out);
    this.#sensorOffset(t, out);
    return out;
  }

  trueFieldInto(t: Micros, out: FieldVector): FieldVector {
    out.x = this.earth.x;
    out.y = this.earth.y;
    out.z = this.earth.z;
    const own = this.#stayAt(0, t);
    if (own) this.#addStay(own, t, 0, 0, out);
    const nb = this.#stayAt(1, t);
    if (nb) this.#addStay(nb, t, this.#neighbourX, this.#neighbourY, out);
    this.#addTraffic(t, out);
    return out;
  }

  /** The stay of a bay whose car is anywhere on its path at t. */
  #stayAt(bay: number, t: Micros): Stay | undefined {
    const day = this.#parkingDay(t);
    const d = this.#bayDay(bay, day);
    for (const st of d.stays) if (t >= st.s.arriveStart && t < st.s.gone) return st;
    // An overnight stay of the day before reaches into this one only through its own morning entry, already listed.
    return undefined;
  }

  #addStay(st: Stay, t: Micros, bx: number, by: number, out: FieldVector): void {
    const s = st.s;
    let px = st.px;
    let py = st.py;
    if (t < s.parked) {
      const f = ease((t - s.arriveStart) / (s.parked - s.arriveStart));
      px = st.ax + (st.px - st.ax) * f;
      py = st.ay + (st.py - st.ay) * f;
    } else if (t >= s.leaveStart) {
      const f = ease((t - s.leaveStart) / (s.gone - s.leaveStart));
      px = st.px + (st.dx - st.px) * f;
      py = st.py + (st.dy - st.py) * f;
    }
    this.#addVehicle(st.v, bx + px, by + py, st.heading, out);
  }

  /** The field of a vehicle whose centre stands at (cx, cy) with its forward axis at `heading`, added into out. */
  #addVehicle(v: Vehicle, cx: number, cy: number, heading: number, out: FieldVector): void {
    const ch = cos(heading);
    const sh = sin(heading);
    for (let k = 0; k < ND; k++) {
      const u = v.pos[3 * k]!;
      const w = v.pos[3 * k + 1]!;
      const h = v.pos[3 * k + 2]!;
      // Dipole position in the sensor frame; r points from the dipole to the sensor at the origin.
      const rx = -(cx + u * ch - w * sh);
      const ry = -(cy + u * sh + w * ch);
      const rz = -h;
      const pu = v.permanent[3 * k]!;
      const pv = v.permanent[3 * k + 1]!;
      const mx = v.induced[3 * k]! + pu * ch - pv * sh;
      const my = v.induced[3 * k + 1]! + pu * sh + pv * ch;
      const mz = v.induced[3 * k + 2]! + v.permanent[3 * k + 2]!;
      addDipole(mx, my, mz, rx, ry, rz, out);
    }
  }

  /** Cars driving by in the lane, and now and then one over the empty bay's sensor (minute slots around t). */
  #addTraffic(t: Micros, out: FieldVector): void {
    const ms = this.epochMs + t / 1000;
    const minute = Math.floor(ms / 60_000);
    const localH = Math.floor(((ms + LOCAL_OFFSET_MS) % MS_PER_DAY) / 3_600_000);
    for (let m = minute - 1; m <= minute; m++) {
      const perMin = TRAFFIC[localH]! / 60;
      const count = poissonCount(hashNoise(this.#s["traffic"]!, m, 0), perMin);
      for (let j = 0; j < count; j++) {
        const u = (k: number) => hashNoise(this.#s["traffic"]!, m, 1 + 8 * j + k);
        const atMs = m * 60_000 + 60_000 * u(0);
        const speed = (5 + 6 * u(1)) * (localH >= 7 && localH < 20 ? 1 : 1.4); // m/s, 18–40 km/h (faster at night)
        const x = ((ms - atMs) / 1000) * speed;
        if (x < -15 || x > 15) continue;
        const y = this.#laneY + (u(2) - 0.5) * 1.2;
        this.#addVehicle(this.#passingVehicle(this.#s["traffic"]! ^ m, j), x, y, 0, out);
      }
    }
    // A car over the sensor: about one every three hours by day, rolling at walking pace for a few seconds.
    const slot = Math.floor(ms / 600_000);
    for (let k = slot - 1; k <= slot; k++) {
      const u = (j: number) => hashNoise(this.#s["passover"]!, k, j);
      const hourOfSlot = Math.floor((((k * 600_000 + LOCAL_OFFSET_MS) % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY / 3_600_000);
      if (!(hourOfSlot >= 7 && hourOfSlot < 21) || !(u(0) < 0.055)) continue;
      const atMs = k * 600_000 + 600_000 * u(1);
      const speed = 1.5 + 2 * u(2);
      const x = ((ms - atMs) / 1000) * speed;
      if (x < -12 || x > 12) continue;
      // Only when our bay is empty: a car cannot roll over a parked one.
      if (this.occupied(t)) continue;
      this.#addVehicle(this.#passingVehicle(this.#s["passover"]! ^ k, 0), x, (u(3) - 0.5) * 1.6, 0, out);
    }
  }

  // ───────────── ground truth ─────────────

  occupied(t: Micros): boolean {
    const st = this.#stayAt(0, t);
    return st !== undefined && t >= st.s.parked && t < st.s.leaveStart;
  }

  neighbourOccupied(t: Micros): boolean {
    const st = this.#stayAt(1, t);
    return st !== undefined && t >= st.s.parked && t < st.s.leaveStart;
  }

  sessions(t0: Micros, t1: Micros, bay: "own" | "neighbour" = "own"): ParkingSession[] {
    const b = bay === "own" ? 0 : 1;
    const out: ParkingSession[] = [];
    const first = this.#parkingDay(t0) - 1;
    const last = this.#parkingDay(t1);
    for (let day = first; day <= last; day++) {
      for (const st of this.#bayDay(b, day).stays) {
        const s = st.s;
        if (s.gone <= t0 || s.arriveStart >= t1) continue;
        // An overnight stay is listed by both days it spans: keep it once, with the evening's arrival.
        const prev = out[out.length - 1];
        if (prev && prev.leaveStart === s.leaveStart && prev.gone === s.gone) continue;
        out.push({ ...s });
      }
    }
    return out;
  }

  // ───────────── the queue of each bay ─────────────

  /** Parking day (06:00–06:00 local, counted from 1970) of virtual time t. */
  #parkingDay(t: Micros): number {
    return Math.floor((this.epochMs + t / 1000 + LOCAL_OFFSET_MS - PARKING_DAY_START_MS) / MS_PER_DAY);
  }

  /** Virtual µs of `h` hours after the start (06:00 local) of parking day `day`. */
  #at(day: number, h: number): Micros {
    return (day * MS_PER_DAY + PARKING_DAY_START_MS - LOCAL_OFFSET_MS - this.epochMs) * 1000 + h * US_PER_H;
  }

  #bayDay(bay: number, day: number): BayDay {
    const c = ((day % BAY_CACHE) + BAY_CACHE) % BAY_CACHE;
    if (this.#cacheKey[bay]![c] !== day) {
      this.#cache[bay]![c] = this.#drawDay(bay, day);
      this.#cacheKey[bay]![c] = day;
    }
    return this.#cache[bay]![c]!;
  }

  /** Whether parking day `day` ends with an overnight parker, when it arrives (or NaN) is decided by the day itself. */
  #overnight(bay: number, day: number): { departs: Micros } | undefined {
    const s = this.#s[bay === 0 ? "own" : "neighbour"]!;
    const u = (j: number) => hashNoise(s, day, 100_000 + j);
    const weekendNext = isWeekend(day + 1);
    const weekend = isWeekend(day);
    if (!(u(0) < (weekend ? 0.3 : 0.35))) return undefined;
    // Leaves the next morning: hours after 06:00 of day + 1.
    const h = weekendNext ? 2 + 3.5 * u(1) : 0.75 + 2.75 * u(1);
    return { departs: this.#at(day + 1, h) };
  }

  #drawDay(bay: number, day: number): BayDay {
    const s = this.#s[bay === 0 ? "own" : "neighbour"]!;
    const u = (j: number) => hashNoise(s, day, j);
    const stays: Stay[] = [];
    let free = this.#at(day, 0);
    // The overnight parker from the evening before, if any.
    const prev = this.#overnight(bay, day - 1);
    if (prev) {
      const leave = prev.departs;
      const st = this.#stay(bay, day - 1, 1_000_000, this.#at(day - 1, 0) - US_PER_H, this.#at(day - 1, 0), leave, leaveDuration(hashNoise(s, day - 1, 100_010)));
      // Its arrival lies in the day before; only its morning counts here.
      stays.push(st);
      free = st.s.gone + 30 * US_PER_S;
    }
    const weekend = isWeekend(day);
    const rates = weekend ? RATE_WEEKEND : RATE_WEEKDAY;
    const overnight = this.#overnight(bay, day);
    const eveningH = 12 + 4.5 * u(50_000); // 18:00–22:30 local: from then on only the overnight parker comes
    const endH = overnight ? eveningH : 16; // regular arrivals until 22:00 at the latest
    let h = 0;
    for (let j = 0; ; j++) {
      h += -ln(1 - u(2 * j)) / RATE_MAX;
      if (h >= endH || h >= 16) break;
      const localHour = Math.floor(6 + h) % 24;
      if (!(u(2 * j + 1) < rates[localHour]! / RATE_MAX)) continue;
      const arrive = this.#at(day, h);
      if (arrive < free) continue; // taken: the driver goes elsewhere
      const k = stays.length;
      const v = (i: number) => hashNoise(s, day, 10_000 + 16 * k + i);
      let dwellMin: number;
      if (v(0) < 0.1) dwellMin = 1 + 4 * v(1);
      else {
        dwellMin = 50 * exp(0.9 * normal(v(1), v(2)));
        if (dwellMin < 3) dwellMin = 3;
        if (dwellMin > 600) dwellMin = 600;
      }
      const inS = 6 + 19 * v(3);
      const parked = arrive + inS * US_PER_S;
      let leave = parked + dwellMin * US_PER_MIN;
      const latest = this.#at(day, 23.5);
      if (leave > latest) leave = latest;
      const st = this.#stay(bay, day, k, arrive, parked, leave, leaveDuration(v(4)));
      stays.push(st);
      free = st.s.gone + 30 * US_PER_S;
    }
    if (overnight) {
      const arrive = Math.max(this.#at(day, eveningH), free);
      const st = this.#stay(bay, day, 1_000_000, arrive, arrive + (6 + 19 * u(50_001)) * US_PER_S, overnight.departs, leaveDuration(hashNoise(s, day, 100_010)));
      stays.push(st);
    }
    return { stays };
  }

  /** A stay: its times, its car (drawn from (bay, day, k)), where the car stands and how it comes and goes. */
  #stay(bay: number, day: number, k: number, arriveStart: Micros, parked: Micros, leaveStart: Micros, leaveS: number): Stay {
    const key = (this.#s["vehicle"]! ^ Math.imul(bay + 1, 0x9e3779b1)) | 0;
    const v = this.#vehicle(key, day * 2048 + (k === 1_000_000 ? 2047 : k));
    const u = (j: number) => hashNoise(key, day * 2048 + (k === 1_000_000 ? 2047 : k), 200 + j);
    const spec = classSpec(v.cls);
    let px: number;
    let py: number;
    let heading: number;
    let ax: number;
    let ay: number;
    let dx: number;
    let dy: number;
    if (this.layout === "parallel") {
      px = clamp(0.45 * normal(u(0), u(1)), 0.9);
      py = -0.15 + 0.25 * (u(2) - 0.5);
      heading = 0.04 * (u(3) - 0.5);
      ax = -spec.length - 2.5;
      ay = this.#laneY;
      dx = spec.length + 3;
      dy = this.#laneY;
    } else {
      px = clamp(0.2 * normal(u(0), u(1)), 0.45);
      py = 0.4 * (u(2) - 0.5);
      const noseIn = u(3) < 0.7;
      heading = (noseIn ? -PI / 2 : PI / 2) + 0.06 * (u(4) - 0.5);
      ax = (u(5) < 0.5 ? -1 : 1) * 4;
      ay = this.#laneY + 1;
      dx = -ax;
      dy = this.#laneY + 1;
    }
    const s: ParkingSession = { arriveStart, parked, leaveStart, gone: leaveStart + leaveS * US_PER_S, vehicleClass: v.cls };
    return { s, v, px, py, heading, ax, ay, dx, dy };
  }

  #passingVehicle(key: number, index: number): Vehicle {
    const id = (key >>> 0) * 1024 + index;
    let v = this.#passing.get(id);
    if (!v) {
      if (this.#passing.size >= 256) this.#passing.clear();
      v = this.#vehicle(key, index);
      this.#passing.set(id, v);
    }
    return v;
  }

  /** The signature of vehicle (key, index): class, dipole positions and moments. */
  #vehicle(key: number, index: number): Vehicle {
    const u = (j: number) => hashNoise(key, index, j);
    let acc = 0;
    let cls: VehicleClass = "sedan";
    const pick = u(0);
    for (const [name, spec] of CLASSES) {
      acc += spec.share;
      if (pick < acc) {
        cls = name;
        break;
      }
    }
    const spec = classSpec(cls);
    const length = spec.length * (0.93 + 0.14 * u(1));
    const base = spec.height * (0.85 + 0.3 * u(2));
    const induced = spec.momentAm2 * (0.75 + 0.5 * u(3));
    const permanent = induced * (0.2 + 0.7 * u(4));
    // A random direction for the permanent moment, in the car's frame.
    const cz = 2 * u(5) - 1;
    const az = 2 * PI * u(6);
    const rxy = Math.sqrt(1 - cz * cz);
    const dirP = [rxy * cos(az), rxy * sin(az), cz];
    const pos = new Float64Array(3 * ND);
    const ind = new Float64Array(3 * ND);
    const perm = new Float64Array(3 * ND);
    const e = this.#earthUnit;
    for (let k = 0; k < ND; k++) {
      const [along, up, share] = DIPOLES[k]!;
      const w = share * (0.7 + 0.6 * u(10 + 4 * k));
      pos[3 * k] = along * length + 0.3 * (u(11 + 4 * k) - 0.5);
      pos[3 * k + 1] = 0.5 * (u(12 + 4 * k) - 0.5);
      pos[3 * k + 2] = base + up + 0.08 * (u(13 + 4 * k) - 0.5);
      for (let a = 0; a < 3; a++) {
        ind[3 * k + a] = induced * w * e[a]!;
        perm[3 * k + a] = permanent * w * dirP[a]!;
      }
    }
    return { cls, pos, induced: ind, permanent: perm };
  }
}

function classSpec(cls: VehicleClass): ClassSpec {
  for (const [name, spec] of CLASSES) if (name === cls) return spec;
  return CLASSES[1]![1];
}

/** B of a point dipole m (A·m²) at displacement r (m, from the dipole to the point), µT, added into out. */
function addDipole(mx: number, my: number, mz: number, rx: number, ry: number, rz: number, out: FieldVector): void {
  const r2 = rx * rx + ry * ry + rz * rz;
  const r = Math.sqrt(r2);
  const inv3 = 1 / (r2 * r);
  const mr = (mx * rx + my * ry + mz * rz) / r2;
  out.x += MU0_4PI_UT * (3 * mr * rx - mx) * inv3;
  out.y += MU0_4PI_UT * (3 * mr * ry - my) * inv3;
  out.z += MU0_4PI_UT * (3 * mr * rz - mz) * inv3;
}

/** Smooth start and stop of a manoeuvre, f in [0, 1]. */
function ease(f: number): number {
  const x = f < 0 ? 0 : f > 1 ? 1 : f;
  return x * x * (3 - 2 * x);
}

function clamp(x: number, limit: number): number {
  return x > limit ? limit : x < -limit ? -limit : x;
}

/** A standard normal deviate from two uniforms (Box–Muller, detmath). */
function normal(u1: number, u2: number): number {
  return Math.sqrt(-2 * ln(1 - u1)) * cos(2 * PI * u2);
}

/** Seconds a car takes to leave: 5–12 s. */
function leaveDuration(u: number): number {
  return 5 + 7 * u;
}

/** How many events of a Poisson process with mean `mean` (inverse transform of one uniform). */
function poissonCount(u: number, mean: number): number {
  let p = exp(-mean);
  let c = p;
  let k = 0;
  while (u > c && k < 50) {
    k++;
    p *= mean / k;
    c += p;
  }
  return k;
}

/** Local weekday of parking day `day` (the day its 06:00 belongs to): Saturday or Sunday. */
function isWeekend(day: number): boolean {
  const dow = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  return dow === 0 || dow === 6;
}
