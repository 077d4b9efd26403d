/**
 * Digital lines of the simulated board (simulator/core/io/lines.ts): listeners hear real changes only, in the
 * order they listened, and a listener that unlistens (itself or another) while a change is being delivered does
 * not disturb that delivery: the change reaches everyone who was listening when it happened, and no one after.
 */
import { describe, expect, it } from "vitest";
import { DigitalLine, PinWorld } from "../../simulator/core/io/lines.js";

describe("DigitalLine", () => {
  it("delivers only changes, in listening order", () => {
    const line = new DigitalLine(4, 1);
    const heard: string[] = [];
    line.listen((v) => heard.push(`a${v}`));
    line.listen((v) => heard.push(`b${v}`));
    line.set(1);
    line.set(0);
    line.set(0);
    line.set(7); // any non-zero level is high
    expect(heard).toEqual(["a0", "b0", "a1", "b1"]);
  });

  it("finishes a delivery to everyone listening when it began, even if listeners unlisten or join meanwhile", () => {
    const line = new DigitalLine(5, 0);
    const heard: string[] = [];
    let stopB = (): void => undefined;
    const stopA = line.listen((v) => {
      heard.push(`a${v}`);
      stopA();
      stopB();
      line.listen((w) => heard.push(`c${w}`));
    });
    stopB = line.listen((v) => heard.push(`b${v}`));
    line.set(1);
    expect(heard).toEqual(["a1", "b1"]);
    line.set(0);
    expect(heard).toEqual(["a1", "b1", "c0"]);
  });
});

describe("PinWorld writes", () => {
  // A bit-banged part answers the device's write on a line of its own: the recording (simulator/node/record.ts) keeps
  // which write it answered, and the emulated image applies it inside the same write (emulator/image/world.ts).
  it("counts every device write, changed or not, and says which one a part's change is made inside", () => {
    const world = new PinWorld();
    const clock = world.line(1);
    const data = world.line(2);
    data.driven = true;
    clock.set(0);
    // The part: data takes the clock's level, one write late (a shift register's output).
    let shifted = 1;
    clock.listen((level) => {
      data.set(shifted);
      shifted = level;
    });
    const answers: [number, number][] = [];
    data.listen((level) => answers.push([world.writing, level]));
    expect(world.writing).toBe(-1);
    world.write(clock, 1); // write 0: data stays 1
    world.write(clock, 1); // write 1: no change, no listener, still counted
    world.write(clock, 0); // write 2: data takes 1 (no change)
    world.write(clock, 1); // write 3: data takes 0
    expect(world.writes).toBe(4);
    expect(answers).toEqual([[3, 0]]);
    expect(world.writing).toBe(-1);
    // A change outside any write (the part's own clock) is not an answer.
    data.set(1);
    expect(answers.at(-1)).toEqual([-1, 1]);
  });

  it("calls onWrite in the awaited write only, after the written line has its level, and nests writes made there", () => {
    const world = new PinWorld();
    const a = world.line(1);
    const b = world.line(2);
    const seen: string[] = [];
    world.onWrite = (index) => {
      seen.push(`write ${index}: a=${a.level} writing=${world.writing}`);
      world.awaitedWrite = index + 1;
      // A change here can set off a device callback that writes again (its own index, then back to this one).
      if (index === 1) world.write(b, 0);
      seen.push(`after: writing=${world.writing}`);
    };
    world.awaitedWrite = 1;
    world.write(a, 0);
    world.write(a, 1);
    expect(seen).toEqual(["write 1: a=1 writing=1", "write 2: a=1 writing=2", "after: writing=2", "after: writing=1"]);
    expect(world.writes).toBe(3);
    expect(world.writing).toBe(-1);
  });
});
