/**
 * A bench for the meter-bus parts: an engine, one UART into an RS-485 transceiver whose DE is a GPIO, the
 * simulated Serial and Digital classes, host timers, and a household supply with a known energy integral, so
 * DL/T 645 and CJ/T 188 drivers run unmodified against their models in virtual time.
 */
import type { SerialParity } from "../../hal/io.js";
import type { ElectricitySupply } from "../../parts/dlt645/model.js";
import { Rs485Bus } from "../../parts/rs485/model.js";
import { UARTLink, type UARTTransfer } from "../../simulator/core/buses/uart.js";
import { Engine, MS } from "../../simulator/core/engine.js";
import { makeDigitalClass } from "../../simulator/core/io/digital.js";
import { PinWorld } from "../../simulator/core/io/lines.js";
import { PinRegistry } from "../../simulator/core/io/pins.js";
import { makeSerialClass } from "../../simulator/core/io/serial.js";
import { EngineTimers } from "../../simulator/core/timers.js";

export const RX = 16;
export const TX = 17;
export const DE = 4;

/** 1.2 kW at 230 V: 1.2 kWh per hour exactly, so registers are known in closed form. */
export const STEADY: ElectricitySupply = Object.freeze({
  energyWh: (t: number) => (1200 * t) / 3.6e9,
  powerW: () => 1200,
  voltageV: () => 230,
});

export class MeterRig {
  readonly engine = new Engine();
  readonly world = new PinWorld();
  readonly pins = new PinRegistry("meter-bench");
  readonly link = new UARTLink("bench/rs485", this.engine);
  readonly Serial = makeSerialClass([{ receive: RX, transmit: TX, link: this.link }], this.pins, (fn) => fn());
  readonly Digital = makeDigitalClass(this.world, this.pins, (fn) => fn());
  readonly timers = new EngineTimers(this.engine);
  readonly wire: UARTTransfer[] = [];
  readonly deLine = this.world.line(DE);
  readonly bus: Rs485Bus;
  /** DE transitions as [µs, level]. */
  readonly deEdges: [number, number][] = [];

  constructor() {
    this.bus = Rs485Bus.on(this.link, this.engine, this.deLine);
    this.link.recorder = (t) => this.wire.push(t);
    this.deLine.listen((level) => this.deEdges.push([this.engine.now, level]));
  }

  port(parity: SerialParity = "even", baud = 2400) {
    return { serial: { io: this.Serial, receive: RX, transmit: TX }, de: { io: this.Digital, pin: DE }, timer: this.timers, parity, baud };
  }

  run(ms: number): void {
    this.engine.runUntil(this.engine.now + Math.round(ms * MS));
  }

  /** Bytes of every transfer in one direction, concatenated per transfer, as hex. */
  hex(dir: "tx" | "rx"): string[] {
    return this.wire.filter((t) => t.dir === dir).map((t) => Array.from(t.bytes, (b) => b.toString(16).padStart(2, "0").toUpperCase()).join(" "));
  }
}

export function bytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.trim().split(/\s+/), (h) => parseInt(h, 16));
}

export function hexOf(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0").toUpperCase()).join(" ");
}
