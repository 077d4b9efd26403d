/**
 * Atlas Scientific EZO-RTD driver (ECMA-419 Sensor Class Pattern): `measure()` sends `R`, the temperature (°C)
 * arrives 600 ms later through `onSample`. Its reading is what the pH, EC and DO drivers are given as their
 * compensation temperature. The scale is held at Celsius (`S,c`), so a circuit left in K or F still reads right.
 * Calibration (`Cal,t`, `Cal,clear`, `Cal,?`) goes through `calibrate(command, done)`.
 */
import { EzoDriver, type EzoConfig, type EzoOptions } from "../ezo/driver.js";
import { parseDecimal } from "../ezo/protocol.js";
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
    const temperature = parseDecimal(text);
    if (temperature !== temperature) return `reading ${JSON.stringify(text)} is not a number`;
    if (temperature === RTD_NO_PROBE) return `${text} °C: no PT-1000 on the probe input (unplugged?)`;
    if (temperature < RTD_MIN_C || temperature > RTD_MAX_C) return `${text} °C is outside the circuit's range ${RTD_MIN_C}–${RTD_MAX_C} °C`;
    return { temperature };
  }
}
