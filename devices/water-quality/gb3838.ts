/**
 * GB 3838-2002 《地表水环境质量标准》 (Environmental quality standards for surface water), Table 1 (basic items,
 * 地表水环境质量标准基本项目标准限值): the class I–V of a single measured item, and "worse than V" (劣Ⅴ类).
 *
 * Limits (mg/L unless noted), as transcribed by r-can.com.cn ("地表水环境质量标准 GB3838-2002") and
 * ../shared/reference/sensors-and-protocols.md §1.4 (g230.com and hanspub transcriptions, which agree):
 *   pH (dimensionless)            6–9 for every class
 *   dissolved oxygen ≥            90 % saturation (or 7.5) | 6 | 5 | 3 | 2
 *   permanganate index (COD_Mn) ≤ 2 | 4 | 6 | 10 | 15
 *   COD ≤                         15 | 15 | 20 | 30 | 40
 *   BOD₅ ≤                        3 | 3 | 4 | 6 | 10
 *   ammonia nitrogen (NH₃-N) ≤    0.15 | 0.5 | 1.0 | 1.5 | 2.0
 *   total phosphorus, lakes ≤     0.01 | 0.025 | 0.05 | 0.1 | 0.2
 *   total nitrogen (lakes) ≤      0.2 | 0.5 | 1.0 | 1.5 | 2.0
 * A value exactly on a limit meets it ("≥", "≤"), so it takes the better class. Water temperature has no class
 * limit: the standard bounds man-made change (weekly mean rise ≤ 1 °C, fall ≤ 2 °C), which needs the natural
 * temperature it would have had.
 *
 * Class I dissolved oxygen is "饱和率 90 %（或 7.5）": 90 % of saturation, or 7.5 mg/L. Both are accepted here (either
 * meets class I); at Dianchi's altitude saturation in water above about 16 °C is below 7.5 mg/L, so without the
 * percentage no water there could be class I.
 * pH is one range for all classes: inside 6–9 it does not lower the class; outside it the item meets none (劣Ⅴ).
 *
 * What the buoy can classify: dissolved oxygen and pH. Its other probes (conductivity, ORP, temperature,
 * turbidity) have no Table 1 limit, and the items that usually decide a lake's class in China (total phosphorus,
 * total nitrogen, COD_Mn, ammonia; CNEMC's 《地表水环境质量评价办法（试行）》(2011) rates a site by its worst item)
 * need a laboratory or a wet-chemistry analyser. So `worst` here is the worst of the measured items only: the
 * official class of the water can be that or worse, never better. The other items' limits are kept below so a
 * value from an analyser or a lab can be classed the same way.
 */

export const CLASS_I = 1;
export const CLASS_II = 2;
export const CLASS_III = 3;
export const CLASS_IV = 4;
export const CLASS_V = 5;
/** 劣Ⅴ类: the item does not meet class V. */
export const WORSE_THAN_V = 6;
/** Not measured, or the reading was not a number. */
export const UNCLASSIFIED = 0;

/** Table 1 limits for classes I…V in order. "min": the class needs value ≥ limit; "max": value ≤ limit. */
export const GB3838_TABLE1 = Object.freeze({
  dissolvedOxygenMgL: Object.freeze({ bound: "min", limits: Object.freeze([7.5, 6, 5, 3, 2]) }),
  /** the alternative class I criterion for dissolved oxygen, % of saturation */
  dissolvedOxygenClassIPercent: 90,
  pH: Object.freeze({ min: 6, max: 9 }),
  permanganateIndexMgL: Object.freeze({ bound: "max", limits: Object.freeze([2, 4, 6, 10, 15]) }),
  codMgL: Object.freeze({ bound: "max", limits: Object.freeze([15, 15, 20, 30, 40]) }),
  bod5MgL: Object.freeze({ bound: "max", limits: Object.freeze([3, 3, 4, 6, 10]) }),
  ammoniaNitrogenMgL: Object.freeze({ bound: "max", limits: Object.freeze([0.15, 0.5, 1.0, 1.5, 2.0]) }),
  totalPhosphorusLakeMgL: Object.freeze({ bound: "max", limits: Object.freeze([0.01, 0.025, 0.05, 0.1, 0.2]) }),
  totalNitrogenLakeMgL: Object.freeze({ bound: "max", limits: Object.freeze([0.2, 0.5, 1.0, 1.5, 2.0]) }),
});

export interface ClassLimits {
  readonly bound: "min" | "max";
  readonly limits: readonly number[];
}

const NAMES: readonly string[] = Object.freeze(["unclassified", "I", "II", "III", "IV", "V", "worse than V"]);

/** "I" … "V", "worse than V", or "unclassified". */
export function className(c: number): string {
  return NAMES[c] ?? "unclassified";
}

/** The best class whose limit `value` meets; WORSE_THAN_V when it meets none; UNCLASSIFIED for NaN. */
export function classOf(value: number, item: ClassLimits): number {
  if (value !== value) return UNCLASSIFIED;
  const l = item.limits;
  for (let i = 0; i < l.length; i++) {
    if (item.bound === "min" ? value >= l[i]! : value <= l[i]!) return i + 1;
  }
  return WORSE_THAN_V;
}

/** Class of dissolved oxygen from mg/L and, when known, % of saturation (NaN when not). */
export function oxygenClass(mgL: number, percent: number): number {
  if (percent >= GB3838_TABLE1.dissolvedOxygenClassIPercent) return CLASS_I;
  return classOf(mgL, GB3838_TABLE1.dissolvedOxygenMgL);
}

/** Class of pH: CLASS_I inside 6–9 (it does not lower any class), WORSE_THAN_V outside. */
export function pHClass(pH: number): number {
  if (pH !== pH) return UNCLASSIFIED;
  return pH >= GB3838_TABLE1.pH.min && pH <= GB3838_TABLE1.pH.max ? CLASS_I : WORSE_THAN_V;
}

/** The worse of two classes, ignoring UNCLASSIFIED. */
export function worseClass(a: number, b: number): number {
  return a > b ? a : b;
}

/** Per-item classes of one set of readings, and the worst of them (the measured items only: see above). */
export interface WaterClass {
  oxygen: number;
  pH: number;
  worst: number;
}

/** Class the buoy's readings into `out` (no allocation); NaN readings are UNCLASSIFIED and do not count. */
export function classifyReadings(oxygenMgL: number, oxygenPercent: number, pH: number, out: WaterClass): WaterClass {
  out.oxygen = oxygenClass(oxygenMgL, oxygenPercent);
  out.pH = pHClass(pH);
  out.worst = worseClass(out.oxygen, out.pH);
  return out;
}
