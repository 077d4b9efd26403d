/**
 * Bloom-risk flag: daytime oxygen supersaturation with pH above 9 and rising turbidity — the signature of a
 * cyanobacterial bloom's photosynthesis (a dense bloom pushes oxygen far above saturation by day, and by taking up
 * CO₂ drives the pH past 9; its cells add turbidity as they grow).
 *
 * Where the indicators and thresholds come from:
 * - Screening a bloom by pH and dissolved oxygen is the first step of Guangdong's DB44/T 2261-2020
 *   《水华程度分级与监测技术规程》 (its Table 1, "pH and DO, quick to measure, to judge whether a bloom occurs";
 *   summary at obao.com.cn/article/45.html). Its numbers were not available to check; the ones here are:
 * - pH above 9: YSI's note on Lake Taihu ("pH … can even reach 9 or 10 during severe blooms"), and the upper limit
 *   of every GB 3838-2002 class (a bloom day's pH is 劣Ⅴ on that item).
 * - Supersaturation from 120 %: DataStream's monitor's guide puts healthy water at about 80–120 % saturation, and
 *   the reference notes (§1.5) give "often > 120–150 %" for daytime supersaturation in blooms.
 * - Caveat: CNEMC's 2011–2015 survey (于洋 et al., 中国环境监测 2017) found Dianchi's algal density correlated with
 *   temperature, TP and COD_Mn but not significantly with pH or DO; the flag is a screening indicator for follow-up
 *   (phycocyanin, a sample), not a measurement of algae.
 *
 * Precisely (every threshold is in BLOOM_DEFAULTS):
 * - Daytime: local mean solar time (UTC + longitude/15) in [10:00, 17:00). Photosynthetic oxygen builds up from
 *   mid-morning and peaks in the afternoon; at 25°N the sun is up over this whole span all year (the shortest day,
 *   10.6 h, still ends after 17:15 solar time). A node whose clock is not set (unixMs 0) never has daytime.
 * - Raise: `confirmReadings` consecutive daytime readings each with saturation ≥ 120 %, pH > 9.0 and turbidity
 *   rising (turbidity-trend.ts: the mean of the last 6 h at least 15 % and 2 NTU above the same 6 h the day before).
 *   Two readings, so one spike does not raise it.
 * - Hold: night readings neither raise nor clear it (a bloom's night-time oxygen crash is part of the bloom), and
 *   neither does turbidity levelling off at the bloom's peak.
 * - Clear (hysteresis): at the end of a daytime window with at least one reading of both, whose highest saturation
 *   stayed below 110 % or whose highest pH stayed below 8.8. So the flag changes at most twice a day and a
 *   reading hovering at 120 % or pH 9.0 cannot make it flap.
 */
import { TurbidityTrend, type TrendRule } from "./turbidity-trend.js";

export interface BloomRule extends TrendRule {
  /** Saturation to raise the flag, %. */
  enterPercent: number;
  /** Daily maximum saturation below which it clears, %. */
  exitPercent: number;
  /** pH the readings must exceed to raise the flag. */
  enterPH: number;
  /** Daily maximum pH below which it clears. */
  exitPH: number;
  /** Daytime window in local mean solar time, hours [start, end). */
  dayStartHour: number;
  dayEndHour: number;
  /** Longitude of the buoy, degrees east (sets solar time). */
  longitudeDeg: number;
  /** Consecutive qualifying daytime readings needed to raise the flag. */
  confirmReadings: number;
}

/** Dianchi defaults (24°48′N 102°40′E). */
export const BLOOM_DEFAULTS: Readonly<BloomRule> = Object.freeze({
  enterPercent: 120,
  exitPercent: 110,
  enterPH: 9.0,
  exitPH: 8.8,
  dayStartHour: 10,
  dayEndHour: 17,
  longitudeDeg: 102.67,
  confirmReadings: 2,
  windowHours: 6,
  lagHours: 24,
  fraction: 0.15,
  minNtu: 2,
  minHours: 3,
});

const HOUR_MS = 3_600_000;

export class BloomRisk {
  readonly #rule: Readonly<BloomRule>;
  readonly #trend: TurbidityTrend;
  #raised = false;
  #streak = 0;
  /** Solar day of the open daytime window, NaN when none is open. */
  #windowDay = NaN;
  #windowPercent = -Infinity;
  #windowPH = -Infinity;
  #windowReadings = 0;
  /** How often the flag was raised and cleared (for stats). */
  raisedCount = 0;
  clearedCount = 0;

  constructor(rule: Readonly<BloomRule> = BLOOM_DEFAULTS) {
    if (!(rule.exitPercent <= rule.enterPercent && rule.exitPH <= rule.enterPH)) {
      throw new RangeError(`bloom rule: exit thresholds must not exceed entry ones (saturation ${rule.exitPercent}/${rule.enterPercent} %, pH ${rule.exitPH}/${rule.enterPH})`);
    }
    if (!(rule.dayStartHour >= 0 && rule.dayStartHour < rule.dayEndHour && rule.dayEndHour <= 24)) {
      throw new RangeError(`bloom rule: daytime [${rule.dayStartHour}, ${rule.dayEndHour}) is not a span within a day`);
    }
    if (!(rule.confirmReadings >= 1)) throw new RangeError(`bloom rule: confirmReadings must be ≥ 1, got ${rule.confirmReadings}`);
    this.#rule = rule;
    this.#trend = new TurbidityTrend(rule);
  }

  get raised(): boolean {
    return this.#raised;
  }

  /** The turbidity rise the flag sees at `unixMs`, NTU (NaN until a day of readings). */
  turbidityRise(unixMs: number): number {
    return this.#trend.rise(unixMs);
  }

  /** Feed one set of readings (NaN for one that failed); returns whether the flag is raised after it. */
  add(unixMs: number, oxygenPercent: number, pH: number, turbidityNtu: number): boolean {
    if (!(unixMs > 0)) return this.#raised; // the clock is not set: no daytime, no trend
    this.#trend.add(unixMs, turbidityNtu);
    const r = this.#rule;
    const solar = unixMs / HOUR_MS + r.longitudeDeg / 15;
    const day = Math.floor(solar / 24);
    const hour = solar - 24 * day;
    if (this.#windowDay === this.#windowDay && (day > this.#windowDay || hour >= r.dayEndHour)) this.#closeWindow();
    if (hour < r.dayStartHour || hour >= r.dayEndHour) return this.#raised;
    if (this.#windowDay !== day) this.#windowDay = day;
    if (oxygenPercent === oxygenPercent && pH === pH) {
      this.#windowReadings++;
      if (oxygenPercent > this.#windowPercent) this.#windowPercent = oxygenPercent;
      if (pH > this.#windowPH) this.#windowPH = pH;
    }
    if (this.#raised) return true;
    const bloomLike = oxygenPercent >= r.enterPercent && pH > r.enterPH && this.#trend.rising(unixMs);
    this.#streak = bloomLike ? this.#streak + 1 : 0;
    if (this.#streak >= r.confirmReadings) {
      this.#raised = true;
      this.raisedCount++;
      this.#streak = 0;
    }
    return this.#raised;
  }

  #closeWindow(): void {
    const r = this.#rule;
    if (this.#raised && this.#windowReadings > 0 && (this.#windowPercent < r.exitPercent || this.#windowPH < r.exitPH)) {
      this.#raised = false;
      this.clearedCount++;
    }
    this.#windowDay = NaN;
    this.#windowPercent = -Infinity;
    this.#windowPH = -Infinity;
    this.#windowReadings = 0;
    this.#streak = 0;
  }
}
