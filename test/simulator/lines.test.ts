/**
 * Digital lines of the simulated board (simulator/core/io/lines.ts): listeners hear real changes only, in the
 * order they listened, and a listener that unlistens (itself or another) while a change is being delivered does
 * not disturb that delivery: the change reaches everyone who was listening when it happened, and no one after.
 */
import { describe, expect, it } from "vitest";
import { DigitalLine } from "../../simulator/core/io/lines.js";

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
