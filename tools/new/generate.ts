/**
 * What `ganzhi new` writes: a board overlay, a part (declaration, driver, model, shared register map, test,
 * registration) or a device (manifest, firmware, test), each a working starting point that passes `ganzhi check`
 * and its own tests before anything is changed. Nothing existing is overwritten.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { listBoards, listDevices, loadBoard } from "../../manifests/load.js";
import { getPart } from "../../manifests/schema/parts.js";
import { UsageError } from "../cli/args.js";
import { unknownManifestName } from "../cli/manifest-arg.js";
import { deviceManifest, ROLE, wireDevice, type Wired } from "./device-manifest.js";
import { formatJson } from "./json-format.js";
import { className } from "./names.js";
import { registerPart } from "./register-part.js";
import { analogTemplate } from "./templates/analog.js";
import { boardOverlay, boardTest } from "./templates/board.js";
import { deviceMain, deviceTest } from "./templates/device.js";
import { digitalTemplate } from "./templates/digital.js";
import { i2cTemplate } from "./templates/i2c.js";
import type { BusTemplate, PartNames } from "./templates/part-kit.js";
import { partTest } from "./templates/part-test.js";
import { serialTemplate } from "./templates/serial.js";
import { spiTemplate } from "./templates/spi.js";

export const BUSES: readonly BusTemplate[] = [i2cTemplate, spiTemplate, serialTemplate, analogTemplate, digitalTemplate];
export const BUS_NAMES: readonly string[] = BUSES.map((b) => b.bus);

export interface Generated {
  /** Files written or changed, relative to the repository root. */
  readonly files: readonly string[];
  /** What the user should know (boards skipped, …). */
  readonly notes: readonly string[];
}

/** Write each file (relative path → text), refusing if any of them exists. */
function writeNew(root: string, files: Record<string, string>): string[] {
  const taken = Object.keys(files).filter((f) => existsSync(join(root, f)));
  if (taken.length > 0) throw new UsageError(`${taken.join(", ")} already exist${taken.length === 1 ? "s" : ""}: choose another name (nothing was written)`);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return Object.keys(files);
}

export function newBoard(root: string, name: string, base: string): Generated {
  const boards = listBoards({ root });
  if (boards.includes(name)) throw new UsageError(`board "${name}" already exists (manifests/boards/${name}.json)`);
  if (!boards.includes(base)) throw unknownManifestName("board", base, boards);
  const loaded = loadBoard(base, { root });
  const files = writeNew(root, {
    [`manifests/boards/${name}.json`]: boardOverlay(name, base, loaded.manifest.description),
    [`test/boards/${name}.test.ts`]: boardTest(name, base),
  });
  return { files, notes: [] };
}

export function newPart(root: string, name: string, bus: string): Generated {
  const template = BUSES.find((b) => b.bus === bus);
  if (!template) throw new UsageError(`--bus must be one of ${BUS_NAMES.join(", ")}, got "${bus}"`);
  if (getPart(name) || existsSync(join(root, "parts", name))) throw new UsageError(`part "${name}" already exists (parts/${name})`);
  const n: PartNames = { name, cls: className(name) };
  const shared = Object.fromEntries(Object.entries(template.shared(n)).map(([file, text]) => [`parts/${name}/${file}`, text]));
  const files = writeNew(root, {
    [`parts/${name}/part.ts`]: template.part(n),
    [`parts/${name}/driver.ts`]: template.driver(n),
    [`parts/${name}/model.ts`]: template.model(n),
    ...shared,
    [`test/parts/${name}.test.ts`]: partTest(n, template),
  });
  return { files: [...files, ...registerPart(root, name)], notes: [] };
}

/** Whether a part's driver has the shape a generated device uses (`open` and `READING`, as `ganzhi new part` writes). */
export function deviceReady(root: string, part: string): boolean {
  const driver = join(root, "parts", part, "driver.ts");
  if (!existsSync(driver)) return false;
  const text = readFileSync(driver, "utf8");
  return /^export function open\(/m.test(text) && /^export const READING\b/m.test(text);
}

export function newDevice(root: string, name: string, part: string): Generated {
  const devices = listDevices({ root });
  if (devices.includes(name)) throw new UsageError(`device "${name}" already exists (manifests/devices/${name}.json)`);
  const def = getPart(part);
  if (!def) throw new UsageError(`no part "${part}" in the catalogue (manifests/schema/parts.ts); ganzhi new part ${part} --bus <bus> makes one`);
  if (!deviceReady(root, part)) {
    throw new UsageError(
      `part ${part}'s driver has no \`open(host, part)\` and \`READING\` (what \`ganzhi new part\` writes), so a generated device cannot read it; leave out --part to start from a new part, or see devices/weather-station for a device built on ${part}`,
    );
  }
  const json = deviceManifest(name, def);
  const wired: Wired = wireDevice(json, root);
  if (Object.keys(wired.wiring).length === 0) {
    throw new UsageError(`part ${part} cannot be wired on any catalogue board: ${wired.skipped.map((s) => `${s.board}: ${s.why}`).join("; ")}`);
  }
  const n: PartNames = { name, cls: className(name) };
  const files = writeNew(root, {
    [`manifests/devices/${name}.json`]: formatJson({ ...json, wiring: wired.wiring }),
    [`devices/${name}/main.ts`]: deviceMain(n, part, ROLE),
    [`test/sim/${name}.test.ts`]: deviceTest(n, part, Object.keys(wired.wiring)[0]!),
  });
  return { files, notes: wired.skipped.map((s) => `not wired for ${s.board} (nor its overlays): ${s.why}`) };
}
