/**
 * Graded threshold alarms with hysteresis and a minimum hold, for a value sampled many times a second.
 *
 * Bridge-monitoring codes grade their alarms: JT/T 1037-2022 defines 预警 and 预警值 (warning, warning value, §3.7–3.8),
 * and the design standards after it define 报警阈值 as the thresholds set for each level of anomaly or risk, usually
 * graded yellow/orange/red from the structure's design values. The values are the structure's, so they come from
 * the manifest. Each level has a raise threshold and a lower clear threshold:
 * - the level goes up at once to the highest level whose raise threshold the value reaches;
 * - it comes down only when the value is below the current level's clear threshold and the level has been held for
 *   at least `holdMs`; it then drops to the highest lower level whose clear threshold the value still reaches (the
 *   value is inside that level's hysteresis band), or to 0.
 * So a value wandering around a threshold gives one raise, not one per sample, and a train of truck pulses a few
 * seconds apart keeps one alarm up instead of sending a raise and a clear for each. `update` returns true when the
 * level changed: the device sends that at once with priority ALARM. NaN is no value and changes nothing.
 *
 * Device code: nothing allocated per update.
 */

export interface AlarmLevel {
  /** The level is raised when the value reaches this. */
  raise: number;
  /** …and may clear when the value falls below this (< raise). */
  clear: number;
}

export interface ThresholdAlarmConfig {
  /** Levels 1, 2, … in order of severity: raise and clear thresholds both increasing. */
  levels: readonly AlarmLevel[];
  /** Least time a level is held before it may come down, ms. */
  holdMs: number;
}

const WHO = "alarm";

export class ThresholdAlarm {
  /** Number of levels. */
  readonly levels: number;
  readonly holdMs: number;
  readonly #raise: Float64Array;
  readonly #clear: Float64Array;
  #level = 0;
  #previous = 0;
  #changedAtMs = NaN;
  #raisedAtMs = NaN;
  #peak = NaN;
  #raises = 0;

  constructor(config: ThresholdAlarmConfig) {
    const { levels, holdMs } = config;
    if (!Array.isArray(levels) || levels.length < 1 || levels.length > 8) throw new RangeError(`${WHO}: levels must be a list of 1 to 8 levels, got ${String(levels)}`);
    if (!(holdMs >= 0) || !Number.isFinite(holdMs)) throw new RangeError(`${WHO}: holdMs must be a finite number of ms ≥ 0, got ${String(holdMs)}`);
    this.levels = levels.length;
    this.holdMs = holdMs;
    this.#raise = new Float64Array(levels.length);
    this.#clear = new Float64Array(levels.length);
    for (let i = 0; i < levels.length; i++) {
      const { raise, clear } = levels[i]!;
      if (!Number.isFinite(raise)) throw new RangeError(`${WHO}: levels[${i}].raise must be a finite number, got ${String(raise)}`);
      if (!Number.isFinite(clear) || !(clear < raise)) throw new RangeError(`${WHO}: levels[${i}].clear must be a finite number below raise (${raise}), got ${String(clear)}`);
      if (i > 0 && !(raise > this.#raise[i - 1]!)) throw new RangeError(`${WHO}: levels[${i}].raise must be above levels[${i - 1}].raise (${this.#raise[i - 1]}), got ${raise}`);
      if (i > 0 && !(clear > this.#clear[i - 1]!)) throw new RangeError(`${WHO}: levels[${i}].clear must be above levels[${i - 1}].clear (${this.#clear[i - 1]}), got ${clear}`);
      this.#raise[i] = raise;
      this.#clear[i] = clear;
    }
  }

  /** The current level: 0 (none) … levels. */
  get level(): number {
    return this.#level;
  }
  /** The level before the last change. */
  get previous(): number {
    return this.#previous;
  }
  /** When the level last changed, ms (NaN: never). */
  get changedAtMs(): number {
    return this.#changedAtMs;
  }
  /** When the alarm last went up from 0, ms (NaN: never). */
  get raisedAtMs(): number {
    return this.#raisedAtMs;
  }
  /** The largest value since the alarm last went up from 0 (NaN: never raised). */
  get peak(): number {
    return this.#peak;
  }
  /** How many times the level went up. */
  get raises(): number {
    return this.#raises;
  }

  /** One value at `atMs`; true when the level changed. */
  update(value: number, atMs: number): boolean {
    if (!(value - value === 0)) return false;
    const level = this.#level;
    if (level > 0 && value > this.#peak) this.#peak = value;
    let up = level;
    while (up < this.levels && value >= this.#raise[up]!) up++;
    if (up > level) {
      if (level === 0) {
        this.#raisedAtMs = atMs;
        this.#peak = value;
      }
      this.#raises++;
      return this.#change(up, atMs);
    }
    if (level === 0 || !(value < this.#clear[level - 1]!) || atMs - this.#changedAtMs < this.holdMs) return false;
    let down = level - 1;
    while (down > 0 && value < this.#clear[down - 1]!) down--;
    return this.#change(down, atMs);
  }

  #change(level: number, atMs: number): boolean {
    this.#previous = this.#level;
    this.#level = level;
    this.#changedAtMs = atMs;
    return true;
  }
}
