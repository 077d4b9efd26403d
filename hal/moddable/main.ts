/**
 * The Moddable `main` module of a ganzhi project. `ganzhi build` compiles this file to `main.js` next to the
 * bundle (`app.js`, module `ganzhi/app`). Moddable runs preloaded modules at build time and calls this default
 * export at boot, so the host (native objects, reset reason) is created here, at run time.
 */
import config from "mc/config";
import { board, createHost, deviceMain, platform } from "ganzhi/app";
import type { NodeApp } from "../host.js";

/** Moddable ignores the result; the simulator's board entry (simulator/xs) reads the device's counters from it. */
export default function main(): NodeApp {
  const host = createHost(platform, board, config);
  host.log("info", `${host.id} (${board.device} on ${board.board}, ${platform.name}) reset: ${host.power.resetReason}`);
  return deviceMain(host);
}
