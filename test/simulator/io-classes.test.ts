/**
 * The simulator's IO classes are one class per kind shared by every board (simulator/core/io/bound-class.ts): each
 * board's constructor builds instances of it bound to that board, so a fleet's drivers meet one shape, not one per
 * node. Each instance still reaches only its own board, a subclass still gets its own methods, and the statics are
 * there.
 */
import { describe, expect, it } from "vitest";
import type { Host } from "../../hal/host.js";
import type { Digital, DigitalOptions } from "../../hal/io.js";
import { loadBoard } from "../../manifests/load.js";
import { Engine } from "../../simulator/core/engine.js";
import { makeAnalogClass } from "../../simulator/core/io/analog.js";
import { makeClockedSerialClass } from "../../simulator/core/io/clocked-serial.js";
import { makeDigitalClass } from "../../simulator/core/io/digital.js";
import { PinWorld } from "../../simulator/core/io/lines.js";
import { PinRegistry } from "../../simulator/core/io/pins.js";
import { simBoardFromManifest } from "../../simulator/node/board-spec.js";
import { partNode } from "../helpers/part-node.js";

const adc = { resolution: 12, fullScaleVolts: 3.3, pins: [34] };

function board(volts: number) {
  const world = new PinWorld();
  world.analog.set(34, () => volts);
  const pins = new PinRegistry("test-board");
  return {
    world,
    pins,
    Analog: makeAnalogClass(world, pins, adc, () => 0),
    Digital: makeDigitalClass(world, pins, (fn) => fn()),
    ClockedSerial: makeClockedSerialClass(world, pins, () => 0),
  };
}

/** The host of a node booted on a board from its manifest, as `ganzhi sim` builds it. */
function bootedHost(boardName: string): Host {
  const board = loadBoard(boardName);
  let host: Host | undefined;
  const node = partNode({
    id: "pins-0001",
    board: simBoardFromManifest(board.name, board.manifest),
    engine: new Engine(),
    main: (h) => {
      host = h;
      return { stats: () => ({}) };
    },
  });
  node.boot("power-on");
  return host!;
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
    expect(() => new a.Digital({ pin: 34, mode: a.Digital.Input })).toThrow("test-board: Digital(34) cannot open GPIO34: it is already in use by Analog(34)");
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

describe("pin ownership (ECMA-419: a constructor throws while its pin is in use, as Moddable's digitalbank.c does)", () => {
  it("refuses a second owner of a pin whatever the two are, and frees the pin when its owner closes", () => {
    const a = board(0);
    const { Input, Output } = a.Digital;
    const first = new a.Digital({ pin: 5, mode: Input });
    // Two instances of one kind on one pin: the same owner name, still two owners.
    expect(() => new a.Digital({ pin: 5, mode: Output })).toThrow("test-board: Digital(5) cannot open GPIO5: it is already in use by Digital(5)");
    const clocked = new a.ClockedSerial({ clock: 6, data: 7 });
    expect(() => new a.ClockedSerial({ clock: 6, data: 8 })).toThrow("test-board: ClockedSerial(6) cannot open GPIO6: it is already in use by ClockedSerial(6)");
    expect(() => new a.Digital({ pin: 6, mode: Output })).toThrow("test-board: Digital(6) cannot open GPIO6: it is already in use by ClockedSerial(6)");
    expect(() => new a.ClockedSerial({ clock: 5, data: 9 })).toThrow("test-board: ClockedSerial(5) cannot open GPIO5: it is already in use by Digital(5)");
    const analog = new a.Analog({ pin: 34 });
    expect(() => new a.Analog({ pin: 34 })).toThrow("test-board: Analog(34) cannot open GPIO34: it is already in use by Analog(34)");
    // The data pin is only sampled (hal/io.ts): a Digital may hold it for the part's ready edge.
    const ready = new a.Digital({ pin: 7, mode: Input });

    // A refused open takes nothing: the first owner still holds the pin, and closing it frees it.
    first.close();
    const second = new a.Digital({ pin: 5, mode: Output });
    expect(() => new a.Digital({ pin: 5, mode: Input })).toThrow("already in use by Digital(5)");
    // Closing an owner twice frees nothing another owner holds.
    first.close();
    expect(() => new a.Digital({ pin: 5, mode: Input })).toThrow("already in use by Digital(5)");
    second.close();
    clocked.close();
    analog.close();
    ready.close();
    expect(() => [new a.Digital({ pin: 5, mode: Input }), new a.Digital({ pin: 6, mode: Output }), new a.Analog({ pin: 34 }), new a.ClockedSerial({ clock: 7, data: 8 })]).not.toThrow();
  });

  it("counts every spelling of a pin as one pin and names it as the board manifest does", () => {
    // nrf52840-dk-sx1262 writes loraBusy as "P1.04"; Moddable numbers it 36 (port*32 + pin).
    const host = bootedHost("nrf52840-dk-sx1262");
    const { Digital, ClockedSerial } = host.io;
    expect(host.pin["loraBusy"]).toBe(36);
    const busy = new Digital({ pin: host.pin["loraBusy"]!, mode: Digital.Input });
    expect(() => new Digital({ pin: 36, mode: Digital.Output })).toThrow("nrf52840-dk-sx1262: Digital(36) cannot open P1.04 (pin 36): it is already in use by Digital(36)");
    expect(() => new ClockedSerial({ clock: 36, data: 37 })).toThrow("nrf52840-dk-sx1262: ClockedSerial(36) cannot open P1.04 (pin 36): it is already in use by Digital(36)");
    busy.close();
    new ClockedSerial({ clock: 36, data: 37 }).close();

    const esp = bootedHost("esp32-devkitc");
    const button = new esp.io.Digital({ pin: esp.pin["button"]!, mode: esp.io.Digital.InputPullUp });
    expect(() => new esp.io.Digital({ pin: 0, mode: esp.io.Digital.Input })).toThrow("esp32-devkitc: Digital(0) cannot open GPIO0: it is already in use by Digital(0)");
    button.close();
  });
});
