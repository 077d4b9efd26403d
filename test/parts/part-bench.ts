/**
 * One part on a simulated board, for part tests: the part wired as `ganzhi new device` would wire it (bus, or
 * the first pin that resolves without a warning), its registered model attached and fed by a seeded Kunming
 * atmosphere, and the host a device on that board would get. Time moves only by `run(ms)`.
 */
import { manifestRoot, loadBoard, resolveNode } from "../../manifests/load.js";
import type { ResolvedPart } from "../../manifests/schema/config.js";
import { getPart } from "../../manifests/schema/parts.js";
import type { DeviceConfig, Host } from "../../hal/host.js";
import { Engine } from "../../simulator/core/engine.js";
import { createKunmingWeather } from "../../simulator/core/environment/kunming.js";
import type { Atmosphere } from "../../simulator/core/environment/types.js";
import type { Network } from "../../simulator/core/network.js";
import { SimNode } from "../../simulator/core/node.js";
import { NODE_CIPHERS } from "../../simulator/node/ciphers.js";
import { attachModels, type AttachedModel } from "../../simulator/core/parts.js";
import { simBoardFromManifest } from "../../simulator/node/board-spec.js";
import { deviceManifest, parseDeviceJson, ROLE, wireDevice } from "../../tools/new/device-manifest.js";

export interface PartBench {
  readonly engine: Engine;
  readonly atmosphere: Atmosphere;
  readonly node: SimNode;
  readonly host: Host;
  /** The part as the resolved configuration gives it to device code. */
  readonly part: ResolvedPart;
  readonly models: readonly AttachedModel[];
  /** Advance virtual time by `ms`, running every event due. */
  run(ms: number): void;
}

const NO_NETWORK: Network = {
  connect() {
    throw new Error("the part bench has no network");
  },
};

export function partBench(name: string, o: { board?: string; seed?: number; models?: boolean } = {}): PartBench {
  const root = manifestRoot();
  const def = getPart(name);
  if (!def) throw new Error(`part bench: no part "${name}" in the catalogue (manifests/schema/parts.ts)`);
  const boardName = o.board ?? "esp32-devkitc";
  const json = deviceManifest(`${name}-bench`, def);
  const { wiring, skipped } = wireDevice(json, root, [boardName], false);
  if (!wiring[boardName]) throw new Error(`part bench: ${name} cannot be wired on ${boardName}: ${skipped[0]?.why ?? "not a base board"}`);
  const board = loadBoard(boardName, { root });
  const { config, pins } = resolveNode(parseDeviceJson({ ...json, wiring }, root), board, { root });
  const engine = new Engine();
  const atmosphere = createKunmingWeather({ seed: o.seed ?? 1 });
  let host: Host | undefined;
  const node = new SimNode({
    id: "bench-0001",
    board: simBoardFromManifest(board.name, board.manifest),
    config: config as unknown as DeviceConfig,
    rolePins: pins,
    main: (h) => {
      host = h;
      return { stats: () => ({}) };
    },
    engine,
    cipher: NODE_CIPHERS,
    network: NO_NETWORK,
    epochMs: atmosphere.epochMs,
    random: () => 0.5,
  });
  const models = o.models === false ? [] : attachModels(config.parts, { node, atmosphere });
  node.boot("power-on");
  return {
    engine,
    atmosphere,
    node,
    host: host!,
    part: config.parts[ROLE]!,
    models,
    run: (ms) => engine.runUntil(engine.now + Math.round(ms * 1000)),
  };
}
