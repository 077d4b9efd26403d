/**
 * `ganzhi/app`: the bundle `ganzhi build` writes (app.js) — hal/moddable plus the device program as one ES module.
 * Only main.ts imports it (mapped here by `paths` in hal/moddable/tsconfig.json); the build generates the bundle's
 * entry from tools/build, so this declaration is the contract between the two.
 */
import type { Host, NodeApp } from "../../host.js";
import type { BoardDescription } from "../board.js";
import type { Platform } from "../platform.js";

export declare const board: BoardDescription;
export declare const platform: Platform;
export declare function createHost(platform: Platform, board: BoardDescription, config: Readonly<Record<string, unknown>>): Host;
export declare function deviceMain(host: Host): NodeApp;
