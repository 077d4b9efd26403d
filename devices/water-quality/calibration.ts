/**
 * Calibration by downlink: `{"cal":"<probe>[,<arguments>]"}`, the probe's EZO calibration command with `Cal` replaced
 * by the probe's name, so what an operator sends is what the datasheet prints:
 *
 *   {"cal":"ph,mid,7.00"}  → EZO-pH  `Cal,mid,7.00`     {"cal":"do"}          → EZO-DO  `Cal` (in air)
 *   {"cal":"ph,low,4.00"}  → EZO-pH  `Cal,low,4.00`     {"cal":"do,0"}        → EZO-DO  `Cal,0`
 *   {"cal":"ph,clear"}     → EZO-pH  `Cal,clear`        {"cal":"ec,dry"}      → EZO-EC  `Cal,dry`
 *   {"cal":"orp,225"}      → EZO-ORP `Cal,225`          {"cal":"ec,low,12880"} → EZO-EC `Cal,low,12880`
 *   {"cal":"rtd,18.5"}     → EZO-RTD `Cal,18.5`
 *
 * The text is checked at once against the circuit's own calibration grammar (parts/ezo-<probe>/circuit.ts, which
 * the driver and the model share), so the acknowledgement refuses what the circuit would answer with a syntax error
 * (`{"error":"cal: …"}`). An accepted command waits for the next round of the probes (probes.ts), where it goes to
 * the circuit before that round's reading; the circuit's response code decides the result, which the buoy reports as
 * an event. One command waits per probe: a second one for the same probe replaces the first.
 *
 * The circuits calibrate against whatever the probe is in when the command arrives: on a moored buoy, the lake.
 * So a remote calibration is a field one-point correction against a reference measured beside the buoy (a grab
 * sample: `ph,mid,8.42` says the water is at pH 8.42 now), or a `clear` back to the factory response.
 */
import type { EzoCircuit } from "../../parts/ezo/circuit.js";
import { EZO_MAX_COMMAND } from "../../parts/ezo/protocol.js";
import { EZO_DO } from "../../parts/ezo-do/circuit.js";
import { EZO_EC } from "../../parts/ezo-ec/circuit.js";
import { EZO_ORP } from "../../parts/ezo-orp/circuit.js";
import { EZO_PH } from "../../parts/ezo-ph/circuit.js";
import { EZO_RTD } from "../../parts/ezo-rtd/circuit.js";

/** The setting's name in a configuration downlink. */
export const CAL_SETTING = "cal";

/** Probes by the name a downlink gives them, in the order probes.ts indexes them. */
export const CAL_PROBES: readonly string[] = Object.freeze(["rtd", "ph", "do", "ec", "orp"]);
const CIRCUITS: readonly EzoCircuit[] = Object.freeze([EZO_RTD, EZO_PH, EZO_DO, EZO_EC, EZO_ORP]);

/** Longest `cal` text: the longest EZO command, less "Cal", plus the longest probe name. */
export const CAL_MAX_LENGTH = EZO_MAX_COMMAND - 3 + 3;

/** The probe's index (CAL_PROBES) and the circuit's command for a `cal` text, or what is wrong with it. */
export function calibrationCommand(text: string): { probe: number; command: string } | string {
  const comma = text.indexOf(",");
  const name = (comma < 0 ? text : text.slice(0, comma)).toLowerCase();
  const probe = CAL_PROBES.indexOf(name);
  if (probe < 0) return `cal: unknown probe "${comma < 0 ? text : text.slice(0, comma)}" (probes: ${CAL_PROBES.join(", ")})`;
  const command = comma < 0 ? "Cal" : `Cal${text.slice(comma)}`;
  if (command.length > EZO_MAX_COMMAND) return `cal: ${command} is longer than the ${EZO_MAX_COMMAND} characters an EZO command may have`;
  const c = CIRCUITS[probe]!.calibration(command);
  return typeof c === "string" ? `cal: ${c}` : { probe, command };
}

/** Calibrations waiting for the next round: at most one per probe, the downlink's text kept for the report. */
export class PendingCalibrations {
  readonly #commands: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
  readonly #texts: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
  /** Commands a later one for the same probe replaced before they were sent. */
  replaced = 0;

  add(probe: number, command: string, text: string): void {
    if (this.#commands[probe] !== undefined) this.replaced++;
    this.#commands[probe] = command;
    this.#texts[probe] = text;
  }

  get any(): boolean {
    for (let i = 0; i < this.#commands.length; i++) if (this.#commands[i] !== undefined) return true;
    return false;
  }

  /** Hand each waiting command to `send` (probe, command, downlink text), and forget it. */
  drain(send: (probe: number, command: string, text: string) => void): void {
    for (let i = 0; i < this.#commands.length; i++) {
      const command = this.#commands[i];
      if (command === undefined) continue;
      const text = this.#texts[i]!;
      this.#commands[i] = this.#texts[i] = undefined;
      send(i, command, text);
    }
  }
}
