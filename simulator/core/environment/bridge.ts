/**
 * A road bridge in Kunming for a strain monitor: a simply supported steel–concrete girder span with a foil-gauge
 * bridge on the bottom flange at midspan, under urban traffic, warming and cooling with the air, and damaged on the
 * third day. It gives the named quantities strain parts read (`StructureQuantities`: the strain the gauges indicate
 * and the temperature at the node's ADC) and, for tests and charts, every component and vehicle.
 *
 * Everything is a pure function of (seed, absolute time), as simulator/core/environment/kunming.ts is: the bridge
 * at virtual time t is the bridge at Unix time epochMs + t/1000; asking more often, less often or out of order
 * changes nothing (the model keeps caches of seeded vehicles and of the deck temperature, which only make repeated
 * questions cheaper). detmath for every transcendental, no Date, no Math.round: bit-identical on XS and V8.
 *
 * strain(t) = baseline + thermal(T_deck) + R(t)·(traffic + vibration) + offset(t) + ambient noise, µε, where
 * - traffic: vehicles arrive per lane (one lane each way) as a Poisson process whose rate follows the hour of the
 *   day (Beijing time): light vehicles with the two commuter peaks of urban roads (the peak hour 2–2.5 × the mean
 *   hour, as NPTEL's traffic-measurement notes give it, and 8–12 % of the day, the usual design-hour rule; the test
 *   prints what the model gives), heavy vehicles kept out of the rush hours and commonest at night (an assumption:
 *   Chinese cities restrict trucks in the day). Kinds, axle spacings and weights: cars and vans; two-axle (≤ 18 t),
 *   three-axle (≤ 25 t) and six-axle (≤ 49 t) trucks, the limits of the overload rules (超限运输车辆行驶公路管理规定,
 *   交通运输部令 2016 年第 62 号, after GB 1589-2016), with a few six-axle trucks overloaded to 50–70 t. Each axle load
 *   W moves across the span at the vehicle's speed (20–80 km/h) and strains the gauge by k·λ·W·η(x), η the
 *   midspan-moment influence line of a simply supported span (a triangle, 1 at midspan, 0 at the supports) and λ
 *   the lane's share of the load on the instrumented girder (k = 2.5 µε/t, λ = 1 and 0.45 by default: assumed, a
 *   49 t truck then strains the flange by about 80 µε, 17 MPa); a pulse lasts (span + wheelbase)/speed, about
 *   1.5–8 s.
 * - vibration: each vehicle sets the first bending mode ringing (3.6 Hz and 2 % damping by default: assumed values
 *   for a 30 m girder span, not taken from a measured bridge) with an amplitude of 4–12 % of its static peak,
 *   growing while it crosses and decaying after, cut off 15 s after it leaves.
 * - thermal: the gauges' apparent strain k_T·(T_deck − T_ref) (thermal output and restraint together, what the
 *   node's compensation coefficient is calibrated against). The deck follows the air temperature of the
 *   atmosphere (Kunming's by default) through a first-order lag τ (1.5 h): an exponential average of the air on a
 *   10-minute lattice over the last 6τ, interpolated linearly, so a daily air cycle reaches the deck later and
 *   smaller (test/environment/bridge.test.ts prints by how much). The node's ADC sits on the girder beside the
 *   gauges: its die is the deck temperature plus its own warming (0.3 °C).
 * - damage on day 3 (virtual time 2–3 days) at a seeded instant: a stiffness loss (seeded 10–25 %) scales the
 *   traffic response by 1/(1 − loss) and the frequency by √(1 − loss), and a permanent offset (seeded 6–15 µε, a
 *   crack opening next to the gauge) appears as a step.
 * - noise: ambient micro-vibration, smooth noise on a 20 ms lattice, 0.3 µε RMS (the ADC's own noise is its model's).
 * The baseline is a seeded 20–60 µε (creep and shrinkage since the gauges were zeroed).
 */
import type { Micros } from "../engine.js";
import type { StructureQuantities } from "../parts.js";
import type { Atmosphere } from "./types.js";
import { createKunmingWeather } from "./kunming.js";
import { exp, sin } from "../../../runtime/detmath.js";
import { deriveSeed, hashNoise, SplineNoise, type Seed } from "../rng.js";

export interface BridgeOptions {
  seed: Seed;
  /** Unix ms at virtual time 0 (default 2026-06-01T00:00:00+08:00, as the Kunming weather). */
  epochMs?: number;
  /** Where the air temperature comes from (default: the Kunming weather of the same seed and epoch). */
  atmosphere?: Atmosphere;
  /** Span length, m (default 30). */
  spanM?: number;
  /** Vehicles a day, both directions (default 12 000). */
  dailyVehicles?: number;
  /** Heavy vehicles' share of them (default 0.12). */
  heavyShare?: number;
  /** Strain at the gauge for one tonne at midspan in the near lane, µε (default 2.5). */
  microstrainPerTonne?: number;
  /** The far lane's share of the near lane's response (default 0.45). */
  farLaneFactor?: number;
  /** Apparent thermal strain of the installation, µε/°C (default 2.5). */
  thermalMicrostrainPerC?: number;
  /** Temperature at which the gauges were zeroed, °C (default 20). */
  referenceC?: number;
  /** The deck's thermal lag, h (default 1.5). */
  deckLagH?: number;
  /** The ADC's warming above the deck, °C (default 0.3). */
  selfHeatingC?: number;
  /** First bending mode, Hz (default 3.6). */
  frequencyHz?: number;
  /** Its damping ratio (default 0.02). */
  dampingRatio?: number;
  /** Ambient noise, µε RMS (default 0.3). */
  noiseMicrostrain?: number;
  /** The damage on day 3: `false` for none, or any of its seeded values overridden. */
  damage?: false | { atMs?: number; stiffnessLoss?: number; offsetMicrostrain?: number };
}

export const VEHICLE_KINDS = Object.freeze(["car", "van", "truck2", "truck3", "semi6"] as const);
export type VehicleKind = (typeof VEHICLE_KINDS)[number];

export interface Vehicle {
  /** Virtual µs when the front axle enters the span. */
  enter: Micros;
  /** Virtual µs when the last axle leaves it. */
  leave: Micros;
  /** 0: the lane over the instrumented girder; 1: the other. */
  lane: number;
  kind: VehicleKind;
  gvwTonnes: number;
  speedKmh: number;
  /** The strain this vehicle alone gives at its largest (static, before damage), µε. */
  peakMicrostrain: number;
}

export interface BridgeSnapshot {
  /** What the gauges indicate, µε (the sum of the rest). */
  strain: number;
  baseline: number;
  thermal: number;
  /** Traffic and vibration, after the damage's scaling, µε. */
  traffic: number;
  offset: number;
  noise: number;
  airTemperature: number;
  deckTemperature: number;
  /** The ADC die, °C. */
  temperature: number;
  vehiclesOnSpan: number;
}

export interface BridgeWorld extends StructureQuantities {
  readonly seed: number;
  readonly epochMs: number;
  readonly options: Readonly<Required<Omit<BridgeOptions, "seed" | "atmosphere" | "damage">>>;
  /** Virtual µs of the damage (Infinity: none). */
  readonly damageAt: Micros;
  readonly stiffnessLoss: number;
  readonly offsetMicrostrain: number;
  /** The baseline strain, µε. */
  readonly baselineMicrostrain: number;
  deckTemperature(t: Micros): number;
  /** The traffic's strain (with vibration, scaled after the damage), µε. */
  trafficStrain(t: Micros): number;
  thermalStrain(t: Micros): number;
  /** Vehicles entering the span in [t0, t1), in order of entry. */
  vehicles(t0: Micros, t1: Micros): Vehicle[];
  snapshot(t: Micros): BridgeSnapshot;
}

export function createBridge(options: BridgeOptions): BridgeWorld {
  return new BridgeModel(options);
}

// ───────────────────────── traffic tables ─────────────────────────

/** Light vehicles per hour of the day (Beijing time), relative: the commuter peaks at 08 and 17–18 h. */
const LIGHT_BY_HOUR: readonly number[] = normalised([1.2, 0.8, 0.6, 0.5, 0.6, 1.2, 3.0, 6.0, 10.0, 6.5, 5.5, 5.5, 5.0, 5.0, 5.3, 5.6, 6.2, 9.5, 7.6, 5.6, 4.2, 3.4, 2.6, 1.8]);
/** Heavy vehicles per hour of the day: out of the rush hours, most at night (an assumption, see above). */
const HEAVY_BY_HOUR: readonly number[] = normalised([6.5, 6.5, 6.0, 5.5, 5.0, 4.5, 3.5, 2.0, 1.5, 2.5, 3.5, 4.0, 4.0, 4.0, 4.0, 4.0, 3.5, 2.0, 1.5, 2.5, 4.0, 5.5, 6.5, 6.5]);

function normalised(v: readonly number[]): readonly number[] {
  let sum = 0;
  for (const x of v) sum += x;
  return Object.freeze(v.map((x) => x / sum));
}

interface Kind {
  /** Distances of each axle behind the front axle, m. */
  readonly axleOffsets: readonly number[];
  /** Each axle's share of the gross weight. */
  readonly axleShares: readonly number[];
  /** Mean and standard deviation of the speed, km/h. */
  readonly speed: readonly [number, number];
}

function kind(spacings: readonly number[], shares: readonly number[], speed: readonly [number, number]): Kind {
  const offsets = [0];
  for (const s of spacings) offsets.push(offsets[offsets.length - 1]! + s);
  return Object.freeze({ axleOffsets: Object.freeze(offsets), axleShares: Object.freeze([...shares]), speed: Object.freeze([...speed]) as readonly [number, number] });
}

const KINDS: readonly Kind[] = Object.freeze([
  kind([2.7], [0.55, 0.45], [50, 9]), // car
  kind([4.5], [0.4, 0.6], [45, 8]), // van, minibus
  kind([5.0], [0.33, 0.67], [40, 7]), // two-axle truck
  kind([4.5, 1.35], [0.24, 0.38, 0.38], [38, 7]), // three-axle truck
  kind([3.2, 1.35, 7.5, 1.3, 1.3], [0.12, 0.19, 0.19, 0.5 / 3, 0.5 / 3, 0.5 / 3], [36, 6]), // six-axle semi-trailer
]);

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;
const TWO_PI = 6.283185307179586;
/** Traffic is drawn per lane in slots of this many ms. */
const SLOT_MS = 10_000;
/** At most this many vehicles per lane and slot (a Poisson count beyond it is vanishingly rare at these rates). */
const MAX_PER_SLOT = 8;
const LANES = 2;
const CACHE_SLOTS = 16;
/** Vibration is followed this long after a vehicle leaves, s. */
const RING_S = 15;
const SLOWEST_KMH = 20;
/** Deck temperature lattice, ms. */
const LATTICE_MS = 600_000;
const LATTICE_CACHE = 128;

// ───────────────────────── model ─────────────────────────

class BridgeModel implements BridgeWorld {
  readonly seed: number;
  readonly epochMs: number;
  readonly options: Readonly<Required<Omit<BridgeOptions, "seed" | "atmosphere" | "damage">>>;
  readonly damageAt: Micros;
  readonly stiffnessLoss: number;
  readonly offsetMicrostrain: number;
  readonly baselineMicrostrain: number;
  readonly #atmosphere: Atmosphere;
  readonly #damageMs: number;
  readonly #lookback: number;
  /** Exponential weights of the deck's lag on the lattice, newest first, summing to 1. */
  readonly #lagWeights: Float64Array;
  readonly #noise: SplineNoise;
  // seeds
  readonly #sCount: number;
  readonly #sTime: number;
  readonly #sKind: number;
  readonly #sWeight: number;
  readonly #sSpeed: number;
  readonly #sSpeed2: number;
  readonly #sDyn: number;
  readonly #sPhase: number;
  // vehicle cache: (slot, lane) → up to MAX_PER_SLOT vehicles
  readonly #slotKey = new Float64Array(CACHE_SLOTS * LANES).fill(NaN);
  readonly #slotCount = new Uint8Array(CACHE_SLOTS * LANES);
  readonly #vEnter = new Float64Array(CACHE_SLOTS * LANES * MAX_PER_SLOT); // Unix ms (whole)
  readonly #vSpeed = new Float64Array(CACHE_SLOTS * LANES * MAX_PER_SLOT); // m/ms
  readonly #vKind = new Uint8Array(CACHE_SLOTS * LANES * MAX_PER_SLOT);
  readonly #vWeight = new Float64Array(CACHE_SLOTS * LANES * MAX_PER_SLOT); // t
  readonly #vCross = new Float64Array(CACHE_SLOTS * LANES * MAX_PER_SLOT); // ms on the span
  readonly #vDyn = new Float64Array(CACHE_SLOTS * LANES * MAX_PER_SLOT); // vibration amplitude, µε
  readonly #vPhase = new Float64Array(CACHE_SLOTS * LANES * MAX_PER_SLOT); // rad
  // air and deck temperatures on the lattice
  readonly #airKey = new Float64Array(LATTICE_CACHE).fill(NaN);
  readonly #air = new Float64Array(LATTICE_CACHE);
  readonly #deckKey = new Float64Array(LATTICE_CACHE).fill(NaN);
  readonly #deck = new Float64Array(LATTICE_CACHE);

  constructor(o: BridgeOptions) {
    const opts = {
      epochMs: o.epochMs ?? 1780243200000,
      spanM: o.spanM ?? 30,
      dailyVehicles: o.dailyVehicles ?? 12_000,
      heavyShare: o.heavyShare ?? 0.12,
      microstrainPerTonne: o.microstrainPerTonne ?? 2.5,
      farLaneFactor: o.farLaneFactor ?? 0.45,
      thermalMicrostrainPerC: o.thermalMicrostrainPerC ?? 2.5,
      referenceC: o.referenceC ?? 20,
      deckLagH: o.deckLagH ?? 1.5,
      selfHeatingC: o.selfHeatingC ?? 0.3,
      frequencyHz: o.frequencyHz ?? 3.6,
      dampingRatio: o.dampingRatio ?? 0.02,
      noiseMicrostrain: o.noiseMicrostrain ?? 0.3,
    };
    check(opts.spanM > 2 && opts.spanM <= 200, "spanM", "a span between 2 and 200 m", opts.spanM);
    check(opts.dailyVehicles >= 0 && opts.dailyVehicles <= 100_000, "dailyVehicles", "between 0 and 100000 a day", opts.dailyVehicles);
    check(opts.heavyShare >= 0 && opts.heavyShare <= 1, "heavyShare", "a share from 0 to 1", opts.heavyShare);
    check(opts.deckLagH > 0 && opts.deckLagH <= 24, "deckLagH", "between 0 and 24 h", opts.deckLagH);
    check(opts.frequencyHz > 0.2 && opts.frequencyHz < 50, "frequencyHz", "between 0.2 and 50 Hz", opts.frequencyHz);
    check(opts.dampingRatio > 0 && opts.dampingRatio < 0.5, "dampingRatio", "between 0 and 0.5", opts.dampingRatio);
    this.options = Object.freeze(opts);
    this.epochMs = opts.epochMs;
    this.seed = deriveSeed(o.seed, "");
    const d = (label: string) => deriveSeed(o.seed, `bridge/${label}`);
    this.#atmosphere = o.atmosphere ?? createKunmingWeather({ seed: o.seed, epochMs: opts.epochMs });
    this.#sCount = d("count");
    this.#sTime = d("time");
    this.#sKind = d("kind");
    this.#sWeight = d("weight");
    this.#sSpeed = d("speed");
    this.#sSpeed2 = d("speed2");
    this.#sDyn = d("dynamic");
    this.#sPhase = d("phase");
    this.#noise = new SplineNoise(d("noise"));
    this.baselineMicrostrain = 20 + 40 * hashNoise(d("baseline"), 0);
    // The damage: day 3 at a seeded instant, a seeded stiffness loss and offset, each overridable.
    const damage = o.damage;
    if (damage === false) {
      this.#damageMs = Infinity;
      this.stiffnessLoss = 0;
      this.offsetMicrostrain = 0;
    } else {
      this.#damageMs = damage?.atMs ?? opts.epochMs + 2 * MS_PER_DAY + Math.floor(hashNoise(d("damage/time"), 0) * MS_PER_DAY);
      this.stiffnessLoss = damage?.stiffnessLoss ?? 0.1 + 0.15 * hashNoise(d("damage/stiffness"), 0);
      this.offsetMicrostrain = damage?.offsetMicrostrain ?? 6 + 9 * hashNoise(d("damage/offset"), 0);
      check(this.stiffnessLoss >= 0 && this.stiffnessLoss < 0.9, "damage.stiffnessLoss", "a share from 0 to 0.9", this.stiffnessLoss);
      check(Number.isFinite(this.#damageMs), "damage.atMs", "a Unix time in ms", this.#damageMs);
    }
    this.damageAt = (this.#damageMs - opts.epochMs) * 1000;
    const longest = KINDS[KINDS.length - 1]!.axleOffsets;
    const crossS = (opts.spanM + longest[longest.length - 1]!) / (SLOWEST_KMH / 3.6);
    this.#lookback = Math.ceil(((crossS + RING_S) * 1000) / SLOT_MS);
    // The lag's kernel: e^(−age/τ) on the lattice over 6τ, normalised.
    const tauMs = opts.deckLagH * MS_PER_HOUR;
    const n = Math.ceil((6 * tauMs) / LATTICE_MS) + 1;
    check(n < LATTICE_CACHE - 2, "deckLagH", `at most ${(((LATTICE_CACHE - 3) * LATTICE_MS) / 6 / MS_PER_HOUR).toFixed(1)} h`, opts.deckLagH);
    this.#lagWeights = new Float64Array(n);
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const w = exp((-j * LATTICE_MS) / tauMs);
      this.#lagWeights[j] = w;
      sum += w;
    }
    for (let j = 0; j < n; j++) this.#lagWeights[j] = this.#lagWeights[j]! / sum;
  }

  // ─────────── StructureQuantities ───────────

  strain(t: Micros): number {
    const ms = this.epochMs + t / 1000;
    return (
      this.baselineMicrostrain +
      this.#thermalAt(ms) +
      this.#trafficAt(ms, null) +
      (ms >= this.#damageMs ? this.offsetMicrostrain : 0) +
      this.#noiseAt(ms)
    );
  }

  temperature(t: Micros): number {
    return this.#deckAt(this.epochMs + t / 1000) + this.options.selfHeatingC;
  }

  // ─────────── components ───────────

  deckTemperature(t: Micros): number {
    return this.#deckAt(this.epochMs + t / 1000);
  }

  thermalStrain(t: Micros): number {
    return this.#thermalAt(this.epochMs + t / 1000);
  }

  trafficStrain(t: Micros): number {
    return this.#trafficAt(this.epochMs + t / 1000, null);
  }

  snapshot(t: Micros): BridgeSnapshot {
    const ms = this.epochMs + t / 1000;
    const on = { count: 0 };
    const traffic = this.#trafficAt(ms, on);
    const thermal = this.#thermalAt(ms);
    const offset = ms >= this.#damageMs ? this.offsetMicrostrain : 0;
    const noise = this.#noiseAt(ms);
    const deck = this.#deckAt(ms);
    return {
      strain: this.baselineMicrostrain + thermal + traffic + offset + noise,
      baseline: this.baselineMicrostrain,
      thermal,
      traffic,
      offset,
      noise,
      airTemperature: this.#atmosphere.air(t).temperature,
      deckTemperature: deck,
      temperature: deck + this.options.selfHeatingC,
      vehiclesOnSpan: on.count,
    };
  }

  vehicles(t0: Micros, t1: Micros): Vehicle[] {
    const out: Vehicle[] = [];
    const ms0 = this.epochMs + t0 / 1000;
    const ms1 = this.epochMs + t1 / 1000;
    for (let k = Math.floor(ms0 / SLOT_MS); k * SLOT_MS < ms1; k++) {
      for (let lane = 0; lane < LANES; lane++) {
        const c = this.#slot(k, lane);
        for (let i = 0; i < this.#slotCount[c]!; i++) {
          const v = c * MAX_PER_SLOT + i;
          const enter = this.#vEnter[v]!;
          if (enter < ms0 || enter >= ms1) continue;
          const kind = this.#vKind[v]!;
          out.push({
            enter: (enter - this.epochMs) * 1000,
            leave: (enter + this.#vCross[v]! - this.epochMs) * 1000,
            lane,
            kind: VEHICLE_KINDS[kind]!,
            gvwTonnes: this.#vWeight[v]!,
            speedKmh: this.#vSpeed[v]! * 3_600_000 / 1000,
            peakMicrostrain: this.#staticPeak(kind, this.#vWeight[v]!, lane),
          });
        }
      }
    }
    return out.sort((a, b) => a.enter - b.enter || a.lane - b.lane);
  }

  // ─────────── thermal ───────────

  #thermalAt(ms: number): number {
    return this.options.thermalMicrostrainPerC * (this.#deckAt(ms) - this.options.referenceC);
  }

  #deckAt(ms: number): number {
    const x = ms / LATTICE_MS;
    const k = Math.floor(x);
    const a = this.#deckLattice(k);
    return a + (this.#deckLattice(k + 1) - a) * (x - k);
  }

  /** The deck temperature at lattice point k: the lag's weighted average of the air at k, k − 1, … */
  #deckLattice(k: number): number {
    const c = k & (LATTICE_CACHE - 1);
    if (this.#deckKey[c] === k) return this.#deck[c]!;
    const w = this.#lagWeights;
    let sum = 0;
    for (let j = 0; j < w.length; j++) sum += w[j]! * this.#airLattice(k - j);
    this.#deckKey[c] = k;
    this.#deck[c] = sum;
    return sum;
  }

  #airLattice(k: number): number {
    const c = k & (LATTICE_CACHE - 1);
    if (this.#airKey[c] === k) return this.#air[c]!;
    const v = this.#atmosphere.air((k * LATTICE_MS - this.epochMs) * 1000).temperature;
    this.#airKey[c] = k;
    this.#air[c] = v;
    return v;
  }

  // ─────────── noise ───────────

  #noiseAt(ms: number): number {
    return this.options.noiseMicrostrain * this.#noise.at(ms / 20);
  }

  // ─────────── traffic ───────────

  /** Σ over the vehicles on the span or still ringing of their strain, µε, scaled after the damage. */
  #trafficAt(ms: number, on: { count: number } | null): number {
    const damaged = ms >= this.#damageMs;
    const scale = damaged ? 1 / (1 - this.stiffnessLoss) : 1;
    const omega = (TWO_PI * this.options.frequencyHz * (damaged ? Math.sqrt(1 - this.stiffnessLoss) : 1)) / 1000; // rad/ms
    const decay = this.options.dampingRatio * omega; // 1/ms
    const span = this.options.spanM;
    const k1 = Math.floor(ms / SLOT_MS);
    let sum = 0;
    for (let k = k1 - this.#lookback; k <= k1; k++) {
      for (let lane = 0; lane < LANES; lane++) {
        const c = this.#slot(k, lane);
        const n = this.#slotCount[c]!;
        for (let i = 0; i < n; i++) {
          const v = c * MAX_PER_SLOT + i;
          const tau = ms - this.#vEnter[v]!; // ms since the front axle entered
          if (tau < 0) continue;
          const cross = this.#vCross[v]!;
          if (tau > cross + RING_S * 1000) continue;
          const ring = sin(omega * tau + this.#vPhase[v]!) * this.#vDyn[v]!;
          if (tau <= cross) {
            if (on) on.count++;
            sum += influence(KINDS[this.#vKind[v]!]!, tau * this.#vSpeed[v]!, span) * this.#vWeight[v]! * this.#perTonne(lane) + ring * (tau / cross);
          } else {
            sum += ring * exp(-decay * (tau - cross));
          }
        }
      }
    }
    return sum * scale;
  }

  /** A vehicle's static peak at the gauge: its axle loads at the best position on the influence line, µε. */
  #staticPeak(kindIndex: number, w: number, lane: number): number {
    const kind = KINDS[kindIndex]!;
    const span = this.options.spanM;
    let best = 0;
    // The peak of a sum of triangles is with some axle at midspan.
    for (let p = 0; p < kind.axleOffsets.length; p++) {
      const s = influence(kind, span / 2 + kind.axleOffsets[p]!, span);
      if (s > best) best = s;
    }
    return best * w * this.#perTonne(lane);
  }

  /** The gauge's strain per tonne at midspan in a lane, µε. */
  #perTonne(lane: number): number {
    return this.options.microstrainPerTonne * (lane === 0 ? 1 : this.options.farLaneFactor);
  }

  /** Cache index of (slot k, lane): the vehicles entering in that 10 s slot, drawn from hashes of (k, lane, i). */
  #slot(k: number, lane: number): number {
    const c = (k & (CACHE_SLOTS - 1)) * LANES + lane;
    if (this.#slotKey[c] === k) return c;
    this.#slotKey[c] = k;
    const ms = k * SLOT_MS;
    const hod = ((ms + SLOT_MS / 2) / MS_PER_HOUR + 8) % 24; // Beijing time
    const perLane = this.options.dailyVehicles / LANES;
    const heavy = this.options.heavyShare;
    const toSlot = SLOT_MS / MS_PER_HOUR;
    const light = poisson(perLane * (1 - heavy) * hourly(LIGHT_BY_HOUR, hod) * toSlot, hashNoise(this.#sCount, k, 2 * lane));
    const trucks = poisson(perLane * heavy * hourly(HEAVY_BY_HOUR, hod) * toSlot, hashNoise(this.#sCount, k, 2 * lane + 1));
    let n = light + trucks;
    if (n > MAX_PER_SLOT) n = MAX_PER_SLOT;
    this.#slotCount[c] = n;
    for (let i = 0; i < n; i++) {
      const v = c * MAX_PER_SLOT + i;
      const j = lane * MAX_PER_SLOT + i;
      const u = hashNoise(this.#sKind, k, j);
      const g = hashNoise(this.#sWeight, k, j);
      let kindIndex: number;
      let w: number;
      if (i < light) {
        kindIndex = u < 0.88 ? 0 : 1;
        w = kindIndex === 0 ? 1.2 + 1.2 * g : 3 + 13 * g;
      } else if (u < 0.35) {
        kindIndex = 2;
        w = 6 + 12 * g;
      } else if (u < 0.6) {
        kindIndex = 3;
        w = 10 + 15 * g;
      } else {
        kindIndex = 4;
        // Empty, loaded to the limit, or (rarely) overloaded.
        const load = hashNoise(this.#sWeight, k, j + 1000);
        w = load < 0.35 ? 15 + 3 * g : load < 0.95 ? 35 + 14 * g : 50 + 20 * g;
      }
      const kind = KINDS[kindIndex]!;
      // Speed: a triangular spread about the kind's mean with its standard deviation.
      let kmh = kind.speed[0] + 2.449489742783178 * kind.speed[1] * (hashNoise(this.#sSpeed, k, j) + hashNoise(this.#sSpeed2, k, j) - 1);
      if (kmh < SLOWEST_KMH) kmh = SLOWEST_KMH;
      else if (kmh > 80) kmh = 80;
      const speed = kmh / 3600; // m/ms
      const enter = ms + Math.floor(hashNoise(this.#sTime, k, j) * SLOT_MS);
      const wheelbase = kind.axleOffsets[kind.axleOffsets.length - 1]!;
      this.#vEnter[v] = enter;
      this.#vSpeed[v] = speed;
      this.#vKind[v] = kindIndex;
      this.#vWeight[v] = w;
      this.#vCross[v] = (this.options.spanM + wheelbase) / speed;
      this.#vDyn[v] = (0.04 + 0.08 * hashNoise(this.#sDyn, k, j)) * this.#staticPeak(kindIndex, w, lane);
      this.#vPhase[v] = TWO_PI * hashNoise(this.#sPhase, k, j);
    }
    return c;
  }
}

/**
 * Σ over a vehicle's axles of their share of its weight times the midspan-moment influence line of a simply
 * supported span, η(x) = 2x/L up to midspan and 2(L − x)/L after it (1 at midspan), with the front axle `front` m
 * onto the span.
 */
function influence(kind: Kind, front: number, span: number): number {
  let s = 0;
  for (let a = 0; a < kind.axleOffsets.length; a++) {
    const x = front - kind.axleOffsets[a]!;
    if (x <= 0 || x >= span) continue;
    s += kind.axleShares[a]! * (x <= span / 2 ? (2 * x) / span : (2 * (span - x)) / span);
  }
  return s;
}

/** A day's share in the hour of the day `hod` is in (24 shares summing to 1). */
function hourly(table: readonly number[], hod: number): number {
  return table[Math.floor(hod) % 24]!;
}

/** The Poisson(μ) count whose cumulative probability first reaches u (inversion), capped at MAX_PER_SLOT. */
function poisson(mu: number, u: number): number {
  if (!(mu > 0)) return 0;
  let p = exp(-mu);
  let cdf = p;
  let n = 0;
  while (u >= cdf && n < MAX_PER_SLOT) {
    n++;
    p *= mu / n;
    cdf += p;
  }
  return n;
}

function check(ok: boolean, field: string, what: string, v: unknown): void {
  if (!ok) throw new RangeError(`bridge: ${field} must be ${what}, got ${String(v)}`);
}
