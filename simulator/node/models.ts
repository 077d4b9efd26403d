/**
 * The models a V8 run needs, loaded by part name: parts/<name>/attach.ts is where tools/parts/registry.ts finds a
 * part's factory, and the manifests accept only registered parts. A weather station's run then loads its five
 * models, not the twenty the registry holds (with their protocols, radios and worlds): start-up is most of a short
 * run's time. A part no model is loaded for falls back to the whole registry (simulator/core/parts.ts), so the
 * error that names it lists every model as before.
 */
import type { ResolvedPart } from "../../manifests/schema/config.js";
import type { ModelRegistry } from "../core/model-attach.js";
import type { ModelFactory } from "../core/model-context.js";

/** A part folder's name (tools/parts/registry.ts): nothing that could lead an import out of parts/. */
const PART_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export async function loadModels(parts: Readonly<Record<string, ResolvedPart>>): Promise<ModelRegistry> {
  const loaded = new Map<string, ModelFactory>();
  for (const name of new Set(Object.values(parts).map((p) => p.part))) {
    let factory: unknown;
    if (PART_NAME.test(name)) {
      try {
        // (a specifier vite's test runner resolves at run time, as Node does, rather than globbing for .js files)
        const specifier = `../../parts/${name}/attach.js`;
        factory = ((await import(/* @vite-ignore */ specifier)) as { attachModel?: unknown }).attachModel;
      } catch (e) {
        if ((e as { code?: unknown }).code !== "ERR_MODULE_NOT_FOUND") throw e;
      }
    }
    if (typeof factory !== "function") return (await import("../core/parts.js")).ALL_MODELS;
    loaded.set(name, factory as ModelFactory);
  }
  return {
    factory: (part) => loaded.get(part),
    known: () => [...loaded.keys()],
  };
}
