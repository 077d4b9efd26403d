/**
 * A V8 run loads only the part models its parts name (simulator/node/models.ts), where XS and the tests take the
 * whole registry (simulator/core/parts.ts): for every device on every board it wires, both give each part the same
 * factory, and a node gets the same models in the same order. A part without a model is still the error that names
 * it and lists every model.
 */
import { NODE_CIPHERS } from "../../simulator/node/ciphers.js";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { ResolvedPart } from "../../manifests/schema/config.js";
import { createKunmingWeather } from "../../simulator/core/environment/kunming.js";
import { Engine } from "../../simulator/core/engine.js";
import { attachModelsWith, type ModelRegistry } from "../../simulator/core/model-attach.js";
import type { Network } from "../../simulator/core/network.js";
import { SimNode } from "../../simulator/core/node.js";
import { ALL_MODELS, knownModels } from "../../simulator/core/parts.js";
import { buildWorlds } from "../../simulator/core/worlds.js";
import { setupSim } from "../../simulator/node/session.js";
import { loadModels } from "../../simulator/node/models.js";
import { manifestSource, wiredPairs } from "../../tools/build/manifests.js";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const pairs = wiredPairs({ root });
const NO_NETWORK: Network = {
  connect() {
    throw new Error("no network in this test");
  },
};

describe("models loaded by part name", () => {
  it("covers every device and board the manifests wire", () => {
    expect(pairs.length).toBeGreaterThanOrEqual(20);
  });

  it.each(pairs)("%s on %s: the same factory for every part as the whole registry, and no other", async (device, board) => {
    const { config } = manifestSource(root).resolve(device, board);
    const names = [...new Set(Object.values(config.parts).map((p) => p.part))].sort();
    expect(names.length).toBeGreaterThan(0);
    const loaded = await loadModels(config.parts);
    expect(loaded.known().sort()).toEqual(names);
    for (const name of names) {
      expect(loaded.factory(name), name).toBeDefined();
      expect(loaded.factory(name), name).toBe(ALL_MODELS.factory(name));
    }
    expect(knownModels().filter((n) => !names.includes(n)).map((n) => loaded.factory(n))).toEqual(knownModels().filter((n) => !names.includes(n)).map(() => undefined));
  });

  it.each(pairs.filter(([, b]) => b === "esp32-devkitc"))("%s on %s: a node gets the same models, role by role, as with the whole registry", async (device, board) => {
    // An external broker that is never dialled: nothing here connects.
    const setup = await setupSim({ device, board, broker: "mqtt://127.0.0.1:1" });
    const attach = (registry: ModelRegistry) => {
      const engine = new Engine();
      const atmosphere = createKunmingWeather({ seed: 1 });
      const node = new SimNode({ id: "n1", board: setup.spec, config: setup.nodeConfig, rolePins: setup.rolePins, main: () => ({ stats: () => ({}) }), engine, network: NO_NETWORK, epochMs: atmosphere.epochMs, random: () => 0.5, cipher: NODE_CIPHERS });
      const ctx = { node, atmosphere, ...buildWorlds(setup.worlds, { seed: 1, atmosphere, nodes: 1 })(0) };
      return attachModelsWith(registry, setup.config.parts, ctx).map((m) => [m.role, m.part, (m.model as object | undefined)?.constructor?.name ?? typeof m.model]);
    };
    const lazy = attach(await loadModels(setup.config.parts));
    expect(lazy.length).toBe(Object.keys(setup.config.parts).length);
    expect(lazy).toEqual(attach(ALL_MODELS));
  });

  it("falls back to the whole registry for a part it has no model for, so the error lists every model", async () => {
    const parts = { probe: { part: "acme-nothing" } as unknown as ResolvedPart, temperature: { part: "bme280" } as unknown as ResolvedPart };
    const registry = await loadModels(parts);
    expect(registry).toBe(ALL_MODELS);
    expect((await loadModels({ x: { part: "../sim" } as unknown as ResolvedPart })).known()).toEqual(knownModels());
  });
});
