/**
 * A one-bus bench for part tests: engine, simulated I2C bus, ECMA-419 I2C class, host timers, and a recorder that
 * keeps every transaction, so a driver runs unmodified against a model in virtual time.
 */
import { Engine, MS } from "../../simulator/core/engine.js";
import { I2CBusSim, type I2CTarget, type I2CTransaction } from "../../simulator/core/buses/i2c.js";
import { makeI2CClass } from "../../simulator/core/io/i2c.js";
import { EngineTimers } from "../../simulator/core/timers.js";
import type { AirState } from "../../simulator/core/environment/types.js";
import type { I2CClass } from "../../hal/io.js";

export const SDA = 21;
export const SCL = 22;

export class Rig {
  readonly engine = new Engine();
  readonly bus = new I2CBusSim("i2c0", () => this.engine.now);
  readonly I2C = makeI2CClass([{ data: SDA, clock: SCL, bus: this.bus }]);
  readonly timers = new EngineTimers(this.engine);
  readonly log: I2CTransaction[] = [];
  /** The air every model sees; tests change it between measurements. */
  air: AirState = { temperature: 20, humidity: 50, pressure: 101_325 };

  constructor() {
    this.bus.recorder = (t) => this.log.push(t);
  }

  readonly now = (): number => this.engine.now;
  readonly airAt = (_t: number): AirState => this.air;

  attach(address: number, target: I2CTarget): void {
    this.bus.attach(address, target);
  }

  sensor(address?: number): { io: I2CClass; data: number; clock: number; hz: number; address?: number } {
    return address === undefined
      ? { io: this.I2C, data: SDA, clock: SCL, hz: 400_000 }
      : { io: this.I2C, data: SDA, clock: SCL, hz: 400_000, address };
  }

  /** Advance virtual time by `ms`, running every event due. */
  run(ms: number): void {
    this.engine.runUntil(this.engine.now + ms * MS);
  }
}
