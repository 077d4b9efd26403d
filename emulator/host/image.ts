/**
 * A device's firmware image for one board and memory profile: the device program and the in-image provider
 * bundled (bundle.ts), compiled to XS bytecode on the host (xsbc.ts) or kept as source for the parser fallback,
 * linked with XS and the platform layer (firmware.ts), and, for bytecode, XS's built-ins and every module prepared
 * ahead of time into flash (prepare.ts), as Moddable's preload does.
 */
import { readFileSync } from "node:fs";
import { loadBoard, loadDevice, resolveNode } from "../../manifests/load.js";
import { bundleImage } from "./bundle.js";
import { buildFirmware, FirmwareError } from "./firmware.js";
import type { Firmware } from "./firmware.js";
import { differenceOutsidePreparation, prepare } from "./prepare.js";
import type { PreparationFigures } from "./prepare.js";
import { ROOT } from "./paths.js";
import { modulesProgram } from "./program.js";
import type { Program, ProgramKind } from "./program.js";
import { boardCreation } from "./creation.js";
import type { XsCreation } from "./creation.js";
import { profile as getProfile, profileForPlatform } from "./profiles.js";
import type { MemoryProfile } from "./profiles.js";

export interface DeviceImage {
  device: string;
  board: string;
  profile: MemoryProfile;
  /** The board's XS creation as mcconfig completes what `ganzhi build` writes (creation.ts): what the image runs with. */
  creation: XsCreation;
  program: Program;
  bundleBytes: number;
  modules: string[];
  /** The image that runs: with the preparation when preloading, else the plain one. */
  firmware: Firmware;
  /** Built-ins and modules prepared ahead of time and linked into flash (emulator/host/prepare.ts), or undefined
   * when the image loads the program at boot. */
  preparation: PreparationFigures | undefined;
  /** The image without the preparation (the one the preparation pass ran), when preloading. */
  unprepared: Firmware | undefined;
}

export interface ImageOptions {
  device: string;
  board: string;
  profile: string;
  program?: ProgramKind;
  /** Preload: prepare XS's built-ins and every module ahead of time, into flash (default: yes for bytecode; the
   * source fallback always parses on the device). */
  preload?: boolean;
}

/** A board asked for on a memory profile that is not its platform's. */
export class ProfileMismatchError extends Error {}

export async function buildDeviceImage(o: ImageOptions): Promise<DeviceImage> {
  const profile = getProfile(o.profile);
  const board = loadBoard(o.board);
  const expected = profileForPlatform(board.manifest.platform, board.name);
  if (expected !== profile.name) throw new ProfileMismatchError(`board ${board.name} (${board.manifest.platform}) runs on profile ${expected}, not ${profile.name}`);
  const config = resolveNode(loadDevice(o.device), board).config;
  // Exactly what the board is built with: the heaps, their increments (none on a fixed-heap board), the JS stack.
  const creation = boardCreation(board.manifest, config);
  const bundle = await bundleImage(ROOT, config.main, config.uplink.link);
  const kind = o.program ?? "bytecode";
  const program = await modulesProgram(bundle.modules, kind);
  const parser = kind === "source";
  const preload = o.preload ?? kind === "bytecode";
  const plain = await buildFirmware({ profile, creation, program: program.blob, parser });
  let firmware = plain;
  let preparation: PreparationFigures | undefined;
  if (preload) {
    // The same firmware, linked again with the preparation the plain image made of itself (prepare.ts).
    const prepared = await prepare(plain);
    firmware = await buildFirmware({ profile, creation, program: program.blob, parser, preparation: prepared.blob });
    const difference = differenceOutsidePreparation(readFileSync(plain.elf), readFileSync(firmware.elf));
    if (difference) throw new FirmwareError(`the prepared image is not the image the preparation was made in: ${difference}`);
    preparation = prepared.figures;
  }
  return {
    device: o.device,
    board: o.board,
    profile,
    creation,
    program,
    bundleBytes: bundle.bytes,
    modules: bundle.modules.map((m) => m.path),
    firmware,
    preparation,
    unprepared: preload ? plain : undefined,
  };
}
