/**
 * The simulator's host provider: a `Host` (hal/host.ts) whose IO classes, timers and clock run on one node's
 * simulated board in virtual time. A fresh provider is made at every boot; what survives a reboot (flash,
 * retained memory) is owned by the node and handed in.
 */
import type { Ciphers, DeviceConfig, FlashStore, Host, LogLevel, Power, ResetReason } from "../../hal/host.js";
import type { I2CBus, IOClasses, SerialBus, SPIBus } from "../../hal/io.js";
import type { I2CBusSim } from "./buses/i2c.js";
import type { SPIBusSim } from "./buses/spi.js";
import type { UARTLink } from "./buses/uart.js";
import type { SimBoardSpec } from "./board.js";
import type { Engine } from "./engine.js";
import type { RetainedWords } from "./flash.js";
import { makeAnalogClass } from "./io/analog.js";
import { makeClockedSerialClass } from "./io/clocked-serial.js";
import { makeDigitalClass } from "./io/digital.js";
import { makeI2CClass } from "./io/i2c.js";
import type { PinWorld } from "./io/lines.js";
import { PinRegistry } from "./io/pins.js";
import { makePulseCountClass } from "./io/pulsecount.js";
import { makeSerialClass } from "./io/serial.js";
import { makeSPIClass } from "./io/spi.js";
import { makeTCPClass } from "./io/tcp.js";
import type { Network } from "./network.js";
import { EngineClock, EngineTimers } from "./timers.js";

export interface ProviderContext {
  id: string;
  board: SimBoardSpec;
  config: DeviceConfig;
  rolePins: Readonly<Record<string, number>>;
  engine: Engine;
  world: PinWorld;
  i2c: Readonly<Record<string, I2CBusSim>>;
  spi: Readonly<Record<string, SPIBusSim>>;
  uart: Readonly<Record<string, UARTLink>>;
  network: Network;
  flash: FlashStore;
  retained: RetainedWords;
  epochMs: number;
  resetReason: ResetReason;
  random: () => number;
  /** The native AES of the substrate the node runs on (simulator/core/ciphers.ts). */
  cipher: Ciphers;
  /** Every callback into device code goes through here (crash capture, CPU accounting). */
  wrap: (fn: () => void) => void;
  log: (level: LogLevel, message: string) => void;
  deepSleep: (ms: number) => void;
}

export interface SimProvider {
  host: Host;
  timers: EngineTimers;
  /** Close every IO instance and timer the device opened: the node is rebooting or sleeping. */
  shutdown(): void;
}

interface Closable {
  close(): void;
}

/**
 * An IO class whose every instance is remembered for `shutdown`. It returns the base's own instance rather than
 * subclassing: a subclass per boot would give each node's IO objects their own shapes (see io/bound-class.ts).
 */
function tracked<C extends abstract new (...args: never[]) => Closable>(Base: C, live: Set<Closable>): C {
  const Open = Base as unknown as new (...args: unknown[]) => Closable;
  const Tracked = function (...args: unknown[]): Closable {
    // A subclass's `super()` (the XS probe wraps IO classes) builds the instance with the subclass's prototype.
    const io = new.target && new.target !== Tracked ? (Reflect.construct(Open, args, new.target) as Closable) : new Open(...args);
    live.add(io);
    return io;
  };
  Tracked.prototype = Open.prototype;
  for (const key of Object.getOwnPropertyNames(Base)) {
    if (key === "prototype" || key === "length" || key === "name") continue;
    const d = Object.getOwnPropertyDescriptor(Base, key);
    if (d) Object.defineProperty(Tracked, key, d);
  }
  return Tracked as unknown as C;
}

export function createSimProvider(ctx: ProviderContext): SimProvider {
  const { engine, board, world, wrap } = ctx;
  const pins = new PinRegistry(board.name, board.portPins);
  const live = new Set<Closable>();
  const timers = new EngineTimers(engine);
  timers.wrap = wrap;

  const i2cWirings = Object.entries(board.i2c).map(([name, b]) => ({ data: b.data, clock: b.clock, bus: ctx.i2c[name]! }));
  const spiWirings = Object.entries(board.spi).map(([name, b]) => ({ clock: b.clock, in: b.in, out: b.out, bus: ctx.spi[name]! }));
  const serialWirings = Object.entries(board.serial).map(([name, b]) => ({ receive: b.receive, transmit: b.transmit, link: ctx.uart[name]! }));

  const clock = new EngineClock(engine, ctx.epochMs, engine.now);
  const io: IOClasses = {
    Digital: tracked(makeDigitalClass(world, pins, wrap), live),
    Analog: tracked(makeAnalogClass(world, pins, board.adc, () => engine.now), live),
    PulseCount: tracked(makePulseCountClass(world, pins, engine, board.pulseCountUnits, wrap), live),
    I2C: tracked(makeI2CClass(i2cWirings), live),
    SPI: tracked(makeSPIClass(spiWirings, pins), live),
    Serial: tracked(makeSerialClass(serialWirings, pins, wrap), live),
    TCP: tracked(makeTCPClass(ctx.network, ctx.id, wrap, (fn) => engine.after(0, fn)), live),
    ClockedSerial: tracked(makeClockedSerialClass(world, pins, () => clock.microseconds()), live),
  };

  const I2C: Record<string, I2CBus> = {};
  for (const [name, b] of Object.entries(board.i2c)) I2C[name] = Object.freeze({ io: io.I2C, data: b.data, clock: b.clock, hz: b.hz, port: b.port });
  const SPI: Record<string, SPIBus> = {};
  for (const [name, b] of Object.entries(board.spi)) SPI[name] = Object.freeze({ io: io.SPI, clock: b.clock, in: b.in, out: b.out, hz: b.hz, port: b.port });
  const Serial: Record<string, SerialBus> = {};
  for (const [name, b] of Object.entries(board.serial)) {
    Serial[name] = Object.freeze({ io: io.Serial, receive: b.receive, transmit: b.transmit, baud: b.baud, port: b.port });
  }

  const power: Power = {
    resetReason: ctx.resetReason,
    deepSleep: (ms: number) => ctx.deepSleep(ms),
    supplyVoltage: () => board.supplyVolts,
  };

  const host: Host = Object.freeze({
    id: ctx.id,
    board: board.name,
    io: Object.freeze(io),
    pin: Object.freeze({ ...board.pins, ...ctx.rolePins }),
    I2C: Object.freeze(I2C),
    SPI: Object.freeze(SPI),
    Serial: Object.freeze(Serial),
    timer: timers,
    clock,
    power,
    retained: ctx.retained,
    flash: ctx.flash,
    cipher: ctx.cipher,
    random: ctx.random,
    log: ctx.log,
    config: ctx.config,
  });

  return {
    host,
    timers,
    shutdown() {
      timers.clearAll();
      for (const c of [...live]) {
        try {
          c.close();
        } catch {
          // closing twice or a half-built instance: nothing left to release
        }
      }
      live.clear();
    },
  };
}
