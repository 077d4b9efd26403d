/**
 * Atlas Scientific EZO-pH driver (ECMA-419 Sensor Class Pattern): `measure()` sends `R` (or `RT,t` with a
 * compensation temperature from the RTD), the reading arrives 900 ms later through `onSample`. Calibration
 * (`Cal,mid|low|high,n`, `Cal,clear`, `Cal,?`, `Slope,?`) goes through `calibrate(command, done)`.
 * The shared machinery is parts/ezo/driver.ts; the circuit's facts are circuit.ts.
 */
import { EzoDriver, scalarReading, type EzoConfig, type EzoOptions } from "../ezo/driver.js";
import { EZO_PH, PH_DEFAULTS, PH_MAX, PH_MIN, PH_NO_PROBE } from "./circuit.js";

export interface EzoPHSample {
  pH: number;
}

export type EzoPHConfig = EzoConfig;

export class EzoPH extends EzoDriver<EzoPHSample, EzoPHConfig> {
  constructor(options: EzoOptions<EzoPH>) {
    super(options as EzoOptions<EzoDriver<EzoPHSample, EzoPHConfig>>, EZO_PH);
    this.configure(PH_DEFAULTS);
  }

  protected parseReading(text: string): EzoPHSample | string {
    const pH = scalarReading(text, "pH", PH_MIN, PH_MAX, { value: PH_NO_PROBE, unplugged: "nothing on the probe input (unplugged?)" });
    return typeof pH === "string" ? pH : { pH };
  }
}
