/**
 * `ganzhi sim --engine xs --entry board`: what the XS runner loads to run the code a board runs. `ganzhi build` writes
 * the Moddable project (main.js + app.js: hal/moddable and the device, the very files `mcconfig` would compile);
 * they are linked on XS as Moddable links them, by module name, and every Moddable module they import is a one-line
 * module re-exporting the simulated one from the board-entry bundle (simulator/xs/inside/moddable). `mc/config` is
 * the manifest's config as the build writes it, with what `mcconfig … key=value` would add for this run: the node's
 * id and the run's broker.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { DeviceConfig } from "../../hal/host.js";
import { buildProject } from "../../tools/build/build.js";
import { manifestSource } from "../../tools/build/manifests.js";
import { bundleForXs } from "../../tools/xs/bundle.js";

/** Moddable specifier → the board-entry bundle's export behind each of its exports ("default" and named). */
export const SIMULATED_MODULES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  timer: { default: "Timer" },
  time: { default: "Time" },
  flash: { default: "Flash" },
  crypt: { BlockCipher: "BlockCipher" },
  "embedded:io/digital": { default: "Digital" },
  "embedded:io/analog": { default: "Analog" },
  "embedded:io/pulsecount": { default: "PulseCount" },
  "embedded:io/i2c": { default: "I2C" },
  "embedded:io/spi": { default: "SPI" },
  "embedded:io/serial": { default: "Serial" },
  "embedded:io/socket/tcp": { default: "TCP" },
  "ganzhi/clockedserial": { default: "ClockedSerial" },
  resetReason: { default: "getResetReason" },
  sleep: { default: "Sleep", Sleep: "Sleep", ResetReason: "ResetReason", PowerMode: "PowerMode", SleepMode: "SleepMode" },
};

const SIM_MODULE = "ganzhi/board-sim";

export interface BoardEntry {
  /** The module the runner starts. */
  module: string;
  /** Bare specifier → file, for the runner's `-m`. */
  modules: Record<string, string>;
  /** Removes the files written for this run. */
  dispose(): void;
}

export interface BoardEntryInput {
  root: string;
  device: string;
  board: string;
  /** The node's config for this run (the manifest's, dialling the run's broker). */
  config: DeviceConfig;
  /** The node's id (`mcconfig … id=<id>`). */
  id: string;
}

function deepFrozenModule(value: unknown): string {
  return `const freeze = (o) => { if (typeof o === "object" && o !== null && !Object.isFrozen(o)) { Object.freeze(o); for (const v of Object.values(o)) freeze(v); } return o; };\nexport default freeze(${JSON.stringify(value)});\n`;
}

/** A module re-exporting the simulated `specifier` from `from` (the board-sim bundle, or modules.ts itself). */
export function shimSource(specifier: string, from: string = SIM_MODULE): string {
  const exports = SIMULATED_MODULES[specifier];
  if (exports === undefined) {
    const known = Object.keys(SIMULATED_MODULES).join(", ");
    throw new Error(`the board entry imports "${specifier}", which the simulated Moddable runtime does not provide (it has ${known})`);
  }
  const names = Object.entries(exports).map(([as, from]) => (as === from ? from : `${from} as ${as}`));
  return `export { ${names.join(", ")} } from ${JSON.stringify(from)};\n`;
}

/** Build the device for the board and write what links it to the simulator on XS. */
export async function prepareBoardEntry(input: BoardEntryInput): Promise<BoardEntry> {
  const dir = mkdtempSync(path.join(tmpdir(), "ganzhi-board-entry-"));
  const dispose = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const projectDir = path.join(dir, "project");
    const built = await buildProject({ root: input.root, device: input.device, board: input.board, manifests: manifestSource(input.root), outDir: projectDir });
    const sim = await bundleForXs({
      name: "board-sim",
      root: input.root,
      entryCode: `export * from ${JSON.stringify(path.join(input.root, "simulator", "xs", "inside", "moddable", "index.ts"))};\n`,
    });
    const modules: Record<string, string> = {
      [SIM_MODULE]: sim.file,
      "ganzhi/main": path.join(projectDir, "main.js"),
      "ganzhi/app": path.join(projectDir, "app.js"),
      "mc/config": path.join(dir, "config.js"),
    };
    writeFileSync(modules["mc/config"]!, deepFrozenModule({ ...built.manifest.config as object, ...input.config, id: input.id }));
    built.report.externals.forEach((specifier, i) => {
      if (specifier === "mc/config") return;
      const file = path.join(dir, `moddable-${i}.js`);
      writeFileSync(file, shimSource(specifier));
      modules[specifier] = file;
    });
    const entry = path.join(dir, "entry.js");
    const options = { platform: built.board.platform, target: built.board.target };
    writeFileSync(
      entry,
      [
        `import { serveBoard } from ${JSON.stringify(SIM_MODULE)};`,
        `import main from "ganzhi/main";`,
        `serveBoard(main, ${JSON.stringify(options)});`,
        ``,
      ].join("\n"),
    );
    return { module: entry, modules, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}
