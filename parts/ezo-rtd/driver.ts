/**
 * Atlas Scientific EZO-RTD driver (ECMA-419 Sensor Class Pattern): `measure()` sends `R`, the temperature (°C)
 * arrives 600 ms later through `onSample`. Its reading is what the pH, EC and DO drivers are given as their
 * compensation temperature. The scale is held at Celsius (`S,c`), so a circuit left in K or F still reads right.
 * Calibration (`Cal,t`, `Cal,clear`, `Cal,?`) goes through `calibrate(command, done)`.
 */
import { EzoDriver, scalarReading, type EzoConfig, type EzoOptions } from "../ezo/driver.js";
import { EZO_RTD, RTD_DEFAULTS, RTD_MAX_C, RTD_MIN_C, RTD_NO_PROBE } from "./circuit.js";

/** ECMA-419 Temperature sensor sample. */
export interface EzoRTDSample {
  /** °C */
  temperature: number;
}

export type EzoRTDConfig = Omit<EzoConfig, "temperature">;

export class EzoRTD extends EzoDriver<EzoRTDSample, EzoRTDConfig & EzoConfig> {
  constructor(options: EzoOptions<EzoRTD>) {
    super(options as EzoOptions<EzoDriver<EzoRTDSample, EzoRTDConfig & EzoConfig>>, EZO_RTD);
    this.setting("S", "S,c");
    this.configure(RTD_DEFAULTS);
  }

  protected parseReading(text: string): EzoRTDSample | string {
    const temperature = scalarReading(text, "temperature (°C)", RTD_MIN_C, RTD_MAX_C, { value: RTD_NO_PROBE, unplugged: "no PT-1000 on the probe input (unplugged?)" });
    return typeof temperature === "string" ? temperature : { temperature };
  }
}
