/**
 * `ganzhi new board <name> --extends <base>`: a vendor overlay of a catalogue board (RFC 7396: what it says
 * replaces the base's, `null` deletes) and a test that every device wired for the base resolves on it.
 */

import { formatJson } from "../json-format.js";

/** manifests/boards/<name>.json */
export function boardOverlay(name: string, base: string, baseDescription: string): string {
  const overlay = {
    $schema: "../schema/board.schema.json",
    name,
    extends: base,
    description: `${name}: a board based on ${base} (${baseDescription.split(/[.:(]/)[0]!.trim()}). Say here what differs: pins, buses, flash, power.`,
  };
  return formatJson(overlay);
}

/** test/boards/<name>.test.ts */
export function boardTest(name: string, base: string): string {
  return `/**
 * ${name} (written by \`ganzhi new board\`): it loads as an overlay of ${base}, and every device wired for ${base}
 * (or wired by ${name} itself) resolves on it with no more warnings than on ${base}.
 */
import { describe, expect, it } from "vitest";
import { listDevices, loadBoard, loadDevice, resolveNode } from "../../manifests/load.js";

describe("${name}", () => {
  const board = loadBoard("${name}");

  it("extends ${base}", () => {
    expect(board.lineage).toEqual(["${name}", ...loadBoard("${base}").lineage]);
  });

  for (const device of listDevices()) {
    const d = loadDevice(device);
    const wired = board.lineage.some((b) => d.manifest.wiring[b] !== undefined) || board.manifest.wiring?.[device] !== undefined;
    if (!wired) continue;
    it(\`resolves \${device}\`, () => {
      const here = resolveNode(d, board);
      expect(here.config.board).toBe("${name}");
      expect(here.warnings.length).toBeLessThanOrEqual(resolveNode(d, loadBoard("${base}")).warnings.length);
    });
  }
});
`;
}
