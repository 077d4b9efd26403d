/**
 * One measurement round of the buoy's probes: the EZO-RTD first, because its temperature is what the pH, EC and DO
 * circuits compensate with (sent as `RT,t`); then those three, the EZO-ORP and the turbidity probe together (each
 * EZO circuit has its own I2C address and processing delay, so their commands interleave on the bus). The round
 * ends when every probe has answered or failed, or at `ROUND_LIMIT_MS`, so one circuit that never answers cannot
 * stall the buoy: its reading is NaN for that round.
 *
 * Nothing here blocks: each driver waits its datasheet delay on a host timer and answers through onSample/onError.
 * The reading is one object reused every round (the device copies out what it keeps).
 */
import type { Host, TimerHandle } from "../../hal/host.js";
import type { ResolvedAnalogPart, ResolvedI2CPart, PartOptionValue } from "../../manifests/schema/config.js";
import type { I2CSensorBus, SensorError } from "../../hal/sensor.js";
import type { EzoOptions, EzoResult } from "../../parts/ezo/driver.js";
import { EzoDO } from "../../parts/ezo-do/driver.js";
import { EzoEC } from "../../parts/ezo-ec/driver.js";
import { EzoORP } from "../../parts/ezo-orp/driver.js";
import { EzoPH } from "../../parts/ezo-ph/driver.js";
import { EzoRTD } from "../../parts/ezo-rtd/driver.js";
import { Turbidity } from "../../parts/turbidity/driver.js";

/** What one round read; NaN for a probe that failed. */
export interface WaterReading {
  /** Wall time when the round started, Unix ms (0 while the host does not know it). */
  unixMs: number;
  /** °C */
  temperature: number;
  pH: number;
  /** Dissolved oxygen, mg/L. */
  oxygen: number;
  /** Specific conductance at 25 °C, µS/cm. */
  conductivity: number;
  /** mV */
  orp: number;
  /** NTU */
  turbidity: number;
}

export interface ProbeParts {
  rtd: ResolvedI2CPart;
  pH: ResolvedI2CPart;
  oxygen: ResolvedI2CPart;
  conductivity: ResolvedI2CPart;
  orp: ResolvedI2CPart;
  turbidity: ResolvedAnalogPart;
}

/**
 * Longest a round may take, ms: the RTD's 600 ms, then the slowest compensated reading (900 ms), each possibly
 * re-sent once after a wake-up "no data" and polled EZO_MAX_POLLS times; 10 s is several times that.
 */
export const ROUND_LIMIT_MS = 10_000;

// Which probes have settled this round, as bits (numbers, not strings: compared every callback).
const RTD = 1;
const PH = 2;
const DO = 4;
const EC = 8;
const ORP = 16;
const TURBIDITY = 32;
const ALL = RTD | PH | DO | EC | ORP | TURBIDITY;

/** Only the options a driver's `configure` takes (the manifest's part options, defaults filled in). */
function options<T>(o: Readonly<Record<string, PartOptionValue>>): Partial<T> {
  return o as unknown as Partial<T>;
}

export class ProbeRound {
  readonly reading: WaterReading = { unixMs: 0, temperature: NaN, pH: NaN, oxygen: NaN, conductivity: NaN, orp: NaN, turbidity: NaN };
  readonly #host: Host;
  readonly #rtd: EzoRTD;
  readonly #ph: EzoPH;
  readonly #do: EzoDO;
  readonly #ec: EzoEC;
  readonly #orp: EzoORP;
  readonly #turbidity: Turbidity;
  readonly #onDone: (r: WaterReading) => void;
  readonly #onError: (e: SensorError) => void;
  #settled = ALL;
  #limit: TimerHandle | undefined;
  /** Rounds that ended at the limit with a probe still out. */
  timeouts = 0;

  /** `bus` opens an I2C part's bus for its driver (ConfigReader.i2cSensor). */
  constructor(host: Host, parts: ProbeParts, bus: (p: ResolvedI2CPart) => I2CSensorBus, onDone: (r: WaterReading) => void, onError: (e: SensorError) => void) {
    this.#host = host;
    this.#onDone = onDone;
    this.#onError = onError;
    // One EZO circuit: its reading goes to `got` (NaN when the reply held no value), its failure settles the probe.
    const circuit = <D extends { sample(): object | undefined; configure(o: never): void }>(
      Make: new (o: EzoOptions<D>) => D,
      part: ResolvedI2CPart,
      probe: number,
      got: (s: ReturnType<D["sample"]>) => void,
    ): D => {
      const d: D = new Make({ sensor: bus(part), timer: host.timer, onSample: () => got(d.sample() as ReturnType<D["sample"]>), onError: (e) => this.#failed(e, probe) });
      d.configure(options(part.options) as never);
      return d;
    };
    const r = this.reading;
    this.#rtd = circuit(EzoRTD, parts.rtd, RTD, (s) => this.#rtdDone(s?.temperature ?? NaN));
    this.#ph = circuit(EzoPH, parts.pH, PH, (s) => {
      r.pH = s?.pH ?? NaN;
      this.#settle(PH);
    });
    this.#do = circuit(EzoDO, parts.oxygen, DO, (s) => {
      r.oxygen = s?.oxygen ?? NaN;
      this.#settle(DO);
    });
    this.#ec = circuit(EzoEC, parts.conductivity, EC, (s) => {
      r.conductivity = s?.conductivity ?? NaN;
      this.#settle(EC);
    });
    this.#orp = circuit(EzoORP, parts.orp, ORP, (s) => {
      r.orp = s?.orp ?? NaN;
      this.#settle(ORP);
    });
    const t = parts.turbidity;
    this.#turbidity = new Turbidity({
      sensor: { io: host.io.Analog, pin: t.pin },
      power: t.powerPin !== undefined ? { io: host.io.Digital, pin: t.powerPin } : undefined,
      timer: host.timer,
      fullScaleVolts: t.fullScaleVolts,
      onSample: () => {
        r.turbidity = this.#turbidity.sample()?.turbidity ?? NaN;
        this.#settle(TURBIDITY);
      },
      onError: (e) => this.#failed(e, TURBIDITY),
    });
    this.#turbidity.configure(options(t.options));
  }

  /**
   * Send a calibration command to a circuit (probe index as calibration.ts's CAL_PROBES: rtd, ph, do, ec, orp),
   * queued on its driver ahead of the reading a round started now asks of it; `done` gets the circuit's outcome.
   */
  calibrate(probe: number, command: string, done: (r: EzoResult) => void): void {
    const circuits = [this.#rtd, this.#ph, this.#do, this.#ec, this.#orp];
    const d = circuits[probe];
    if (!d) throw new RangeError(`water-quality: no probe ${probe} to calibrate`);
    d.calibrate(command, done);
  }

  /** A round is under way. */
  get busy(): boolean {
    return this.#settled !== ALL;
  }

  /** Start a round (ignored while one is under way: the next slot finds it done). */
  start(): boolean {
    if (this.#settled !== ALL) return false;
    const r = this.reading;
    r.unixMs = this.#host.clock.unixMs();
    r.temperature = r.pH = r.oxygen = r.conductivity = r.orp = r.turbidity = NaN;
    this.#settled = 0;
    this.#limit = this.#host.timer.set(() => {
      this.#limit = undefined;
      if (this.#settled === ALL) return;
      this.timeouts++;
      this.#settled = ALL;
      this.#onDone(this.reading);
    }, ROUND_LIMIT_MS);
    this.#rtd.measure();
    return true;
  }

  #rtdDone(celsius: number): void {
    if (this.#settled & RTD) return;
    this.reading.temperature = celsius;
    this.#settled |= RTD;
    // Without a temperature the circuits read with what they last had (null: no RT, a plain R).
    const t = celsius === celsius ? celsius : null;
    this.#ph.configure({ temperature: t });
    this.#do.configure({ temperature: t });
    this.#ec.configure({ temperature: t });
    this.#ph.measure();
    this.#do.measure();
    this.#ec.measure();
    this.#orp.measure();
    this.#turbidity.measure();
  }

  #failed(e: SensorError, probe: number): void {
    this.#onError(e);
    if (probe === RTD) this.#rtdDone(NaN);
    else this.#settle(probe);
  }

  #settle(probe: number): void {
    // An error outside a round (a circuit's identification at start-up) settles nothing.
    if (this.#settled === ALL || this.#settled & probe) return;
    this.#settled |= probe;
    if (this.#settled !== ALL) return;
    this.#host.timer.clear(this.#limit);
    this.#limit = undefined;
    this.#onDone(this.reading);
  }
}
