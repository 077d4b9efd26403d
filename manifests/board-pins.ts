/**
 * How a board's pins are named in messages and which ones a device may not use: labels ("GPIO27", "P1.04 (pin
 * 36)"), ranges, reserved and missing pins, and the pins of each bus.
 */
import { locate, type JsonNode } from "./json-source.js";
import { ptr } from "./diagnostics.js";
import type { Board } from "./schema/board.js";
import { pinKeyToNumber } from "./schema/common.js";
import { formatPortPin, pinLabel as spellPin } from "./schema/pin-name.js";

/** "GPIO27" on boards numbered by GPIO, "P1.04 (pin 36)" on boards with ports. */
export function pinLabel(board: Board, pin: number): string {
  return spellPin(pin, board.gpio.ports !== undefined);
}

/** "0-19, 21-23, 25-27" or "P0.00-P0.31, P1.00-P1.15". */
export function pinRanges(board: Board, pins: readonly number[]): string {
  const sorted = [...new Set(pins)].sort((a, b) => a - b);
  const name = (p: number) => (board.gpio.ports ? formatPortPin(p) : String(p));
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1 && (!board.gpio.ports || sorted[j + 1]! >> 5 === sorted[i]! >> 5)) j++;
    out.push(j === i ? name(sorted[i]!) : `${name(sorted[i]!)}-${name(sorted[j]!)}`);
    i = j + 1;
  }
  return out.join(", ");
}

/** The pointer of a pin-keyed record entry as the file spells its key ("P0.09" rather than "9"). */
export function pinRecordPointer(tree: JsonNode, base: string, pin: number): string {
  const at = locate(tree, base);
  if (at.node?.type === "object") {
    for (const m of at.node.members) if (pinKeyToNumber(m.key) === pin) return ptr(base, m.key);
  }
  return ptr(base, pin);
}

/** Why `pin` cannot be used at all on `board`, or undefined. */
export function pinUnusable(board: Board, pin: number): string | undefined {
  if (!board.gpio.pins.includes(pin)) {
    return `${pinLabel(board, pin)} does not exist on ${board.name} (pins: ${pinRanges(board, board.gpio.pins)})`;
  }
  const reason = board.gpio.reserved[String(pin)];
  if (reason !== undefined) return `${pinLabel(board, pin)} is reserved on ${board.name}: ${reason}`;
  return undefined;
}

/** The board fact that makes `pin` unusable (its /gpio/reserved entry), for blaming the newer of two values. */
export function unusableSource(board: Board, tree: JsonNode, pin: number): string | undefined {
  return board.gpio.reserved[String(pin)] !== undefined ? pinRecordPointer(tree, "/gpio/reserved", pin) : undefined;
}

export const BUS_LINES = {
  i2c: { all: ["data", "clock"], drives: ["data", "clock"], title: "I2C" },
  spi: { all: ["clock", "out", "in", "select"], drives: ["clock", "out", "select"], title: "SPI" },
  serial: { all: ["receive", "transmit"], drives: ["transmit"], title: "serial" },
} as const;
export type BusKind = keyof typeof BUS_LINES;

export function busPins(board: Board, kind: BusKind, name: string): [line: string, pin: number][] {
  const bus = board.buses[kind]?.[name] as Record<string, unknown> | undefined;
  if (!bus) return [];
  const out: [string, number][] = [];
  for (const line of BUS_LINES[kind].all) if (typeof bus[line] === "number") out.push([line, bus[line] as number]);
  return out;
}

/**
 * Of several pointers into a merged board tree, the one whose value the most derived file set (the first given
 * wins a tie): a problem between two values is the newer value's fault, so an overlay's change is reported in the
 * overlay and not in the base board it broke.
 */
export function newest(tree: JsonNode, files: readonly string[], pointers: readonly string[]): string {
  let best = pointers[0]!;
  let bestRank = Infinity;
  for (const p of pointers) {
    const rank = files.indexOf(locate(tree, p).loc.file);
    if (rank >= 0 && rank < bestRank) {
      best = p;
      bestRank = rank;
    }
  }
  return best;
}
