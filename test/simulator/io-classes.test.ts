/**
 * The simulator's IO classes are one class per kind shared by every board (simulator/core/io/bound-class.ts): each
 * board's constructor builds instances of it bound to that board, so a fleet's drivers meet one shape, not one per
 * node. Each instance still reaches only its own board, a subclass still gets its own methods, and the statics are
 * there.
 */
import { describe, expect, it } from "vitest";
import type { Digital, DigitalOptions } from "../../hal/io.js";
import { makeAnalogClass } from "../../simulator/core/io/analog.js";
import { makeDigitalClass } from "../../simulator/core/io/digital.js";
import { PinWorld } from "../../simulator/core/io/lines.js";
import { PinRegistry } from "../../simulator/core/io/pins.js";

const adc = { resolution: 12, fullScaleVolts: 3.3, pins: [34] };

function board(volts: number) {
  const world = new PinWorld();
  world.analog.set(34, () => volts);
  const pins = new PinRegistry("test-board");
  return { world, pins, Analog: makeAnalogClass(world, pins, adc, () => 0), Digital: makeDigitalClass(world, pins, (fn) => fn()) };
}

describe("IO classes shared by every board", () => {
  it("give every board's instances one prototype, each reading its own board", () => {
    const a = board(0.825);
    const b = board(1.65);
    const x = new a.Analog({ pin: 34 });
    const y = new b.Analog({ pin: 34 });
    expect(a.Analog).not.toBe(b.Analog);
    expect(Object.getPrototypeOf(x)).toBe(Object.getPrototypeOf(y));
    expect(x instanceof a.Analog && y instanceof a.Analog).toBe(true);
    expect([x.read(), y.read()]).toEqual([1024, 2048]);
    // Pins are claimed on the instance's own board only.
    expect(() => new a.Digital({ pin: 34, mode: a.Digital.Input })).toThrow(/pin 34 is already in use by Analog\(34\)/);
    const c = board(0);
    expect(() => new c.Digital({ pin: 34, mode: c.Digital.Input })).not.toThrow();
    x.close();
    expect(() => new a.Digital({ pin: 34, mode: a.Digital.Input })).not.toThrow();
  });

  it("keep their statics, refuse a call without new, and let a subclass override a method", () => {
    const a = board(0);
    expect([a.Digital.Input, a.Digital.Output, a.Digital.Rising, a.Digital.Falling]).toEqual([0, 8, 1, 2]);
    expect(() => (a.Digital as unknown as (o: DigitalOptions) => Digital)({ pin: 5, mode: 8 })).toThrow(TypeError);
    const writes: number[] = [];
    class Counting extends a.Digital {
      override write(v: number): void {
        writes.push(v);
        super.write(v);
      }
    }
    const out = new Counting({ pin: 5, mode: a.Digital.Output });
    expect(out).toBeInstanceOf(Counting);
    out.write(1);
    out.write(0);
    expect(writes).toEqual([1, 0]);
    expect(a.world.line(5).level).toBe(0);
  });

  it("never re-enter onReadable: edges its own callback causes are coalesced into one call after it returns (Moddable's digitalbank.c)", () => {
    const a = board(0);
    // A part that toggles its data line (pin 7) on every rising edge of the clock (pin 6), as an HX711 shifts bits.
    const data = a.world.line(7);
    data.driven = true;
    data.set(1);
    a.world.line(6).listen((level) => {
      if (level === 1) data.set(data.level ? 0 : 1);
    });
    const clock = new a.Digital({ pin: 6, mode: a.Digital.Output });
    clock.write(0);
    let depth = 0;
    let deepest = 0;
    let calls = 0;
    new a.Digital({
      pin: 7,
      mode: a.Digital.Input,
      edge: a.Digital.Falling,
      onReadable() {
        calls++;
        depth++;
        deepest = Math.max(deepest, depth);
        // The first call clocks 6 pulses: 3 more falling edges on the data line while it runs.
        if (calls === 1) for (let i = 0; i < 6; i++) (clock.write(1), clock.write(0));
        depth--;
      },
    });
    clock.write(1); // the edge that starts it: data 1 → 0
    clock.write(0);
    expect(deepest).toBe(1);
    expect(calls).toBe(2);
  });
});
