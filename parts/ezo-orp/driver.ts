/**
 * Atlas Scientific EZO-ORP driver (ECMA-419 Sensor Class Pattern): `measure()` sends `R`, the reading (mV) arrives
 * 900 ms later through `onSample`. ORP has no temperature compensation. Calibration (`Cal,n` with a reference
 * solution, `Cal,clear`, `Cal,?`) goes through `calibrate(command, done)`.
 */
import { EzoDriver, scalarReading, type EzoConfig, type EzoOptions } from "../ezo/driver.js";
import { EZO_ORP, ORP_DEFAULTS, ORP_LIMIT_MV } from "./circuit.js";

export interface EzoORPSample {
  /** Oxidation-reduction potential, mV. */
  orp: number;
}

export type EzoORPConfig = Omit<EzoConfig, "temperature">;

export class EzoORP extends EzoDriver<EzoORPSample, EzoORPConfig & EzoConfig> {
  constructor(options: EzoOptions<EzoORP>) {
    super(options as EzoOptions<EzoDriver<EzoORPSample, EzoORPConfig & EzoConfig>>, EZO_ORP);
    this.configure(ORP_DEFAULTS);
  }

  protected parseReading(text: string): EzoORPSample | string {
    const orp = scalarReading(text, "ORP (mV)", -ORP_LIMIT_MV, ORP_LIMIT_MV);
    return typeof orp === "string" ? orp : { orp };
  }
}
