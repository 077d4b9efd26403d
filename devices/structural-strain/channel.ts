/**
 * One strain channel's sample path, at 20–100 Hz: each reading from the strain ADC goes through
 *   event capture (raw) → temperature compensation → quasi-static / dynamic split → rainflow on the dynamic part
 *   → graded alarm on the compensated strain → on a raise, the event capture's trigger,
 * and `sample` says whether the alarm level changed (the device sends that at once, priority ALARM). Off the sample
 * path: `closePeriod()` turns the period's rainflow counts into Miner damage (hourly), the quasi-static minutes are
 * read for the report, and `capture.take()` hands out an event once its window after the trigger is complete.
 *
 * Rainflow runs on the dynamic part, not the compensated strain: the daily thermal swing and a slow settlement are
 * one large "cycle" a day that fatigue assessments of traffic leave out, and keeping them out lets the classes span
 * only the traffic's ranges (finer classes for the same RAM).
 *
 * Device code: every buffer is made here; `sample` and `temperature` allocate nothing (test/devices/
 * structural-strain-channel.test.ts counts it on XS).
 */
import { ThresholdAlarm, type ThresholdAlarmConfig } from "./alarm.js";
import { EventCapture } from "./capture.js";
import { MinerDamage, en1993Curve, type SnCurve } from "./fatigue.js";
import { QuasiStaticStrain, type QuasiStaticConfig } from "./quasi-static.js";
import { Rainflow, type RainflowConfig } from "./rainflow.js";
import { ThermalCompensation, type ThermalCompensationConfig } from "./thermal.js";

export interface FatigueConfig {
  /** An EN 1993-1-9 detail category (Δσ_C, MPa), or… */
  detailCategory?: number;
  /** …a curve of its own. */
  curve?: SnCurve;
  /** GPa (structural steel: 210). */
  youngsModulusGPa: number;
  gammaFf?: number;
  gammaMf?: number;
}

export interface StrainChannelConfig {
  /** Strain samples per second. */
  sampleHz: number;
  thermal: ThermalCompensationConfig;
  quasiStatic?: QuasiStaticConfig;
  /** Classes of the dynamic strain, µε. */
  rainflow: RainflowConfig;
  fatigue: FatigueConfig;
  /** Thresholds on the compensated strain, µε; `on: "magnitude"` alarms on compression as well as tension. */
  alarm: ThresholdAlarmConfig & { on?: "tension" | "magnitude" };
  /** Seconds of raw samples kept before and after a raise. */
  capture: { beforeS: number; afterS: number; slots?: number };
}

const WHO = "strain channel";

export class StrainChannel {
  readonly sampleHz: number;
  readonly thermal: ThermalCompensation;
  readonly quasiStatic: QuasiStaticStrain;
  readonly rainflow: Rainflow;
  readonly miner: MinerDamage;
  readonly alarm: ThresholdAlarm;
  readonly capture: EventCapture;
  /** The last closed period's half cycles per range class (a copy of the rainflow counts at `closePeriod`). */
  readonly periodHalfCycles: Uint32Array;
  readonly #magnitude: boolean;
  #samples = 0;
  #missing = 0;
  #uncompensated = 0;
  #strain = NaN;
  #dynamic = NaN;
  #periodDamage = 0;
  #totalDamage = 0;
  #periods = 0;

  constructor(config: StrainChannelConfig) {
    const { sampleHz } = config;
    if (!(sampleHz >= 1 && sampleHz <= 1000)) throw new RangeError(`${WHO}: sampleHz must be between 1 and 1000, got ${String(sampleHz)}`);
    const on = config.alarm.on ?? "magnitude";
    if (on !== "tension" && on !== "magnitude") throw new RangeError(`${WHO}: alarm.on must be "tension" or "magnitude", got ${String(on)}`);
    const f = config.fatigue;
    if ((f.curve === undefined) === (f.detailCategory === undefined)) throw new RangeError(`${WHO}: fatigue needs exactly one of detailCategory and curve`);
    const { beforeS, afterS } = config.capture;
    if (!(beforeS > 0 && beforeS <= 600)) throw new RangeError(`${WHO}: capture.beforeS must be between 0 and 600 s, got ${String(beforeS)}`);
    if (!(afterS >= 0 && afterS <= 600)) throw new RangeError(`${WHO}: capture.afterS must be between 0 and 600 s, got ${String(afterS)}`);
    this.sampleHz = sampleHz;
    this.thermal = new ThermalCompensation(config.thermal);
    this.quasiStatic = new QuasiStaticStrain(config.quasiStatic);
    this.rainflow = new Rainflow(config.rainflow);
    this.miner = new MinerDamage({
      curve: f.curve ?? en1993Curve(f.detailCategory!),
      youngsModulusGPa: f.youngsModulusGPa,
      classWidth: this.rainflow.classWidth,
      classes: this.rainflow.classes,
      ...(f.gammaFf !== undefined ? { gammaFf: f.gammaFf } : {}),
      ...(f.gammaMf !== undefined ? { gammaMf: f.gammaMf } : {}),
    });
    this.alarm = new ThresholdAlarm(config.alarm);
    this.#magnitude = on === "magnitude";
    this.capture = new EventCapture({
      preSamples: Math.max(1, Math.floor(beforeS * sampleHz + 0.5)),
      postSamples: Math.floor(afterS * sampleHz + 0.5),
      ...(config.capture.slots !== undefined ? { slots: config.capture.slots } : {}),
    });
    this.periodHalfCycles = new Uint32Array(this.rainflow.classes);
  }

  /** The installation's temperature, °C (from the ADC's sensor, every few seconds). */
  temperature(c: number): void {
    this.thermal.temperature = c;
  }

  /** One indicated strain (µε) read at `atUs` (monotonic µs); true when the alarm level changed. */
  sample(indicated: number, atUs: number): boolean {
    this.#samples++;
    this.capture.push(indicated);
    if (!(indicated - indicated === 0)) {
      this.#missing++;
      return false;
    }
    const c = this.thermal.compensate(indicated);
    if (c !== c) {
      this.#uncompensated++;
      return false;
    }
    this.#strain = c;
    const d = this.quasiStatic.push(c, atUs);
    this.#dynamic = d;
    this.rainflow.push(d);
    const alarm = this.alarm;
    if (!alarm.update(this.#magnitude && c < 0 ? -c : c, atUs / 1000)) return false;
    if (alarm.level > alarm.previous) this.capture.trigger(atUs);
    return true;
  }

  /** The last compensated strain, µε. */
  get strain(): number {
    return this.#strain;
  }
  /** The last sample's dynamic part, µε. */
  get dynamic(): number {
    return this.#dynamic;
  }

  /** End a fatigue period (an hour): its counts move to `periodHalfCycles`; returns its Miner damage. */
  closePeriod(): number {
    this.endPeriod();
    return this.periodDamageOf(this.miner.damage(this.periodHalfCycles));
  }

  /**
   * `closePeriod` in pieces, off the sample path: `endPeriod()` moves the counts (the sample path counts into a new
   * period from then on), then `miner.damage(periodHalfCycles, …)` over the classes a piece at a time, then
   * `periodDamageOf(sum)`.
   */
  endPeriod(): void {
    this.periodHalfCycles.set(this.rainflow.halfCycles);
    this.rainflow.resetCounts();
  }

  /** Book the Miner damage of the period `endPeriod` closed; returns it. */
  periodDamageOf(d: number): number {
    this.#periodDamage = d;
    this.#totalDamage += d;
    this.#periods++;
    return d;
  }

  /** Damage of the last closed period. */
  get periodDamage(): number {
    return this.#periodDamage;
  }
  /** Damage summed over every closed period since start-up. */
  get totalDamage(): number {
    return this.#totalDamage;
  }

  /** Counters for the device's stats(). */
  stats(): Record<string, number> {
    return {
      samples: this.#samples,
      missing: this.#missing,
      uncompensated: this.#uncompensated,
      clipped: this.rainflow.clipped,
      turningPoints: this.rainflow.turningPoints,
      rainflowDeepest: this.rainflow.deepest,
      alarmRaises: this.alarm.raises,
      events: this.capture.captured,
      eventsMerged: this.capture.merged,
      eventsMissed: this.capture.missed,
      periods: this.#periods,
    };
  }
}
