/**
 * `ganzhi build <device> --board <board>`: manifests → type check → bundle → Moddable project [→ Moddable's xsc and
 * xsl on it, with --check].
 *
 *   dist/<device>/<board>/
 *     app.js            the bundle (module `ganzhi/app`): hal/moddable + the device program, ES2022, XS-ready
 *     main.js           Moddable's main: creates the host at boot and calls the device's main(host)
 *     manifest.json     for `mcconfig -m -p <target>`
 *     partitions.csv    ESP32 only: the board manifest's flash partitions as an ESP-IDF partition table
 *     ganzhi-build.json what was built from what (device, board, bundle bytes and hash, modules, warnings, source hash)
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Board } from "../../manifests/schema/board.js";
import type { NodeConfig } from "../../manifests/schema/config.js";
import { unknownManifestName } from "../cli/manifest-arg.js";
import { isManifestPath } from "../../manifests/load.js";
import type { BundledModuleFinding } from "./bundle.js";
import { BuildCache } from "./cache.js";
import type { Compiled } from "./compile.js";
import { BuildError } from "./errors.js";
import { checkFaults, checkWithModdable, type ModdableFinding, type XslFigures } from "./moddable.js";
import type { ModdableSdk } from "./moddable-sdk.js";
import { label, real } from "./paths.js";
import { NATIVE_DIR, nativeFiles } from "./native.js";
import {
  APP_FILE,
  boardDescription,
  esp32Partitions,
  MAIN_FILE,
  moddableManifest,
  PARTITIONS_FILE,
} from "./project.js";
import { XsBuildError } from "../xs/build.js";
import { checkBundleOnXs } from "../xs/check.js";

/** What the build needs from the manifest layer (manifests/load.ts); tests may pass their own. */
export interface ManifestSource {
  boards(): string[];
  devices(): string[];
  /** Load, validate and resolve; throws with a formatted message (ManifestError) on a bad manifest. */
  resolve(device: string, board: string): ResolvedNode;
}

export interface ResolvedNode {
  board: Board;
  config: NodeConfig;
  warnings: string[];
  /** The manifest files read (absolute), for the source hash. */
  files: string[];
}

export interface BuildOptions {
  root: string;
  device: string;
  board: string;
  /** Output directory (absolute); default <root>/dist/<device>/<board>. */
  outDir?: string;
  manifests: ManifestSource;
  /** Also type-check hal/moddable against @moddable/typings (default true). */
  checkHal?: boolean;
  /**
   * Check the bundle on XS: it must parse, link and evaluate its module bodies, and import only modules Moddable has
   * on the board's platform (default true; GANZHI_SKIP_XS_CHECK=1 turns it into a warning).
   */
  checkXs?: boolean;
  /** Run Moddable's mcconfig, xsc and xsl on the written project (tools/build/moddable.ts) with this SDK. */
  moddable?: ModdableSdk;
  /** The environment (GANZHI_SKIP_XS_CHECK, GANZHI_BUILD_CACHE, PATH for the Moddable tools); default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** What Moddable's tools said about the project (`ganzhi build --check`). */
export interface ModdableReport {
  /** $MODDABLE. */
  sdk: string;
  target: string;
  errors: string[];
  /** Every warning; those with `own` are about the project and fail the build. */
  warnings: ModdableFinding[];
  figures?: XslFigures;
}

export interface BuildReport {
  tool: "ganzhi build";
  device: string;
  board: string;
  platform: "esp32" | "nrf52";
  target: string;
  bundle: { file: string; module: string; bytes: number; sha256: string };
  preload: { enabled: boolean; blockers: BundledModuleFinding[] };
  /** Bundled source modules, relative to the checkout. */
  modules: string[];
  /** Moddable modules the bundle imports. */
  externals: string[];
  files: string[];
  warnings: string[];
  sources: { sha256: string; files: string[] };
  moddable?: ModdableReport;
}

export interface BuildResult {
  outDir: string;
  report: BuildReport;
  manifest: Record<string, unknown>;
  config: NodeConfig;
  board: Board;
  /** The type checks and the bundle came from the build cache (sources unchanged since a build that passed). */
  cached: boolean;
  /** With `moddable`: what makes Moddable's tools reject the project (errors, warnings about its own modules). */
  moddableFaults: string[];
}

function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The bundle on the real engine (tools/xs/check.ts); a fault is a build error naming the file. */
async function checkOnXs(bundled: Compiled["bundle"], mainCode: string, platform: "esp32" | "nrf52", config: unknown): Promise<void> {
  let faults;
  try {
    faults = await checkBundleOnXs({ app: bundled.code, main: mainCode, platform, importers: bundled.importers, bindings: bundled.bindings, config, lines: bundled.lines });
  } catch (e) {
    if (e instanceof XsBuildError) throw new BuildError(`cannot check the bundle on XS: ${e.message} (or set GANZHI_SKIP_XS_CHECK=1)`);
    throw e;
  }
  if (faults.length > 0) throw new BuildError(faults.map((f) => f.message).join("; "), faults[0]!.file);
}

function findingLine(f: BundledModuleFinding): string {
  return `${f.module}: ${f.message}${f.snippet ? ` (${f.snippet})` : ""}`;
}

export async function buildProject(options: BuildOptions): Promise<BuildResult> {
  const { root, device, board: boardName, manifests } = options;
  const devices = manifests.devices();
  const boards = manifests.boards();
  if (!isManifestPath(device) && !devices.includes(device)) throw unknownManifestName("device", device, devices);
  if (!isManifestPath(boardName) && !boards.includes(boardName)) throw unknownManifestName("board", boardName, boards);

  const node = manifests.resolve(device, boardName);
  const { board, config } = node;
  const entryPath = path.resolve(root, config.main);
  if (!existsSync(entryPath)) {
    throw new BuildError(`device ${device}: main module ${config.main} does not exist`, config.main);
  }
  // The real path: relative imports in a symlinked device folder are relative to where the files really are.
  const entry = real(entryPath);
  const extraDirs = [path.dirname(entry)];
  const partitions = board.platform === "esp32" ? esp32Partitions(board) : undefined;

  const description = boardDescription(board, config);
  const checkHal = options.checkHal !== false;
  const env = options.env ?? process.env;
  const cache = BuildCache.forCheckout(root, env);
  const link = config.uplink.link;
  const key = cache.key({ root: real(root), entry, extraDirs, description, checkHal, link });
  let compiled = cache.get<Omit<Compiled, "inputs">>(key);
  const cached = compiled !== undefined;
  if (compiled === undefined) {
    const { compileDevice } = await import("./compile.js");
    const fresh = await compileDevice({ root, entry, extraDirs, board: description, checkHal, cache, link });
    const { inputs, ...value } = fresh;
    cache.put(key, inputs, value);
    compiled = value;
  }
  const bundled = compiled.bundle;
  const preload = bundled.preloadBlockers.length === 0;

  const manifest = moddableManifest({ board, config, preload });
  const mainCode = compiled.main;
  const skipXs = options.checkXs === false || env.GANZHI_SKIP_XS_CHECK === "1";
  if (!skipXs) await checkOnXs(bundled, mainCode, board.platform, manifest.config ?? config);
  const outDir = options.outDir ?? path.join(root, "dist", config.device, config.board);
  mkdirSync(outDir, { recursive: true });

  const files: Record<string, string> = {
    [APP_FILE]: bundled.code,
    [MAIN_FILE]: mainCode,
    "manifest.json": JSON.stringify(manifest, null, "\t") + "\n",
  };
  Object.assign(files, nativeFiles(root));
  mkdirSync(path.join(outDir, NATIVE_DIR), { recursive: true });
  if (board.platform === "esp32") files[PARTITIONS_FILE] = partitions!.csv;
  else rmSync(path.join(outDir, PARTITIONS_FILE), { force: true });

  const warnings = [
    ...node.warnings,
    ...(partitions?.warnings ?? []),
    ...(preload ? [] : [`the bundle is not preloaded: ${bundled.preloadBlockers.map(findingLine).join("; ")}`]),
    ...compiled.mutableState.map((f) => `${f.module}: ${f.message}`),
    ...bundled.warnings,
    ...(skipXs && options.checkXs !== false ? ["the XS check was skipped (GANZHI_SKIP_XS_CHECK=1): the bundle was not parsed and linked on XS"] : []),
  ];

  const sourceFiles = [
    ...new Set([...node.files, ...bundled.modules.map((m) => path.resolve(root, m)), path.join(root, "hal", "moddable", "main.ts")]),
  ]
    .map((f) => ({ abs: f, rel: label(root, f) }))
    .sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  const sourceHash = createHash("sha256");
  for (const f of sourceFiles) {
    const content = readFileSync(f.abs);
    sourceHash.update(`${f.rel}\0${content.length}\0`).update(content);
  }

  const report: BuildReport = {
    tool: "ganzhi build",
    device: config.device,
    board: config.board,
    platform: board.platform,
    target: board.target,
    bundle: { file: APP_FILE, module: "ganzhi/app", bytes: Buffer.byteLength(bundled.code), sha256: sha256(bundled.code) },
    preload: { enabled: preload, blockers: bundled.preloadBlockers },
    modules: bundled.modules,
    externals: bundled.externals,
    files: [...Object.keys(files), "ganzhi-build.json"].sort(),
    warnings,
    sources: { sha256: sourceHash.digest("hex"), files: sourceFiles.map((f) => f.rel) },
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(outDir, name), text);
  let faults: string[] = [];
  if (options.moddable !== undefined) {
    const check = await checkWithModdable({ projectDir: outDir, target: board.target, sdk: options.moddable, env });
    report.moddable = { sdk: options.moddable.root, ...check };
    faults = checkFaults(check);
  }
  writeFileSync(path.join(outDir, "ganzhi-build.json"), JSON.stringify(report, null, 2) + "\n");
  return { outDir, report, manifest, config, board, cached, moddableFaults: faults };
}
