/**
 * How a new part is registered today: an import and an entry in the manifest catalogue
 * (manifests/schema/parts.ts) and in the simulator's model table (simulator/core/parts.ts). This is the one place
 * `ganzhi new part` knows that; when parts come to register themselves from their folder, this is what changes.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { className } from "./names.js";

export const REGISTRIES = { catalogue: "manifests/schema/parts.ts", models: "simulator/core/parts.ts" } as const;

class RegistryChanged extends Error {}

/** `text` with `line` added after the last line matching `after`. */
function insertAfterLast(text: string, after: RegExp, line: string, file: string): string {
  const lines = text.split("\n");
  let at = -1;
  lines.forEach((l, i) => {
    if (after.test(l)) at = i;
  });
  if (at < 0) throw new RegistryChanged(`${file}: no line like ${after} to add "${line}" after`);
  lines.splice(at + 1, 0, line);
  return lines.join("\n");
}

/** `text` with `line` added as the last entry of the object literal from `opening` to the next `closing` line. */
function insertEntry(text: string, opening: string, closing: string, line: string, file: string): string {
  const start = text.indexOf(opening);
  const end = start < 0 ? -1 : text.indexOf(`\n${closing}`, start);
  if (end < 0) throw new RegistryChanged(`${file}: no object literal from "${opening}" to "${closing}" to add "${line.trim()}" to`);
  return `${text.slice(0, end)}\n${line}${text.slice(end)}`;
}

/** The registry edits for part `name`, as file → new text (nothing is written). */
export function registrationEdits(root: string, name: string): Record<string, string> {
  const id = `part${className(name)}`;
  const catalogueFile = join(root, REGISTRIES.catalogue);
  let catalogue = readFileSync(catalogueFile, "utf8");
  catalogue = insertAfterLast(catalogue, /^import \{ part as \w+ \} from "\.\.\/\.\.\/parts\/[^"]+\/part\.js";$/, `import { part as ${id} } from "../../parts/${name}/part.js";`, REGISTRIES.catalogue);
  catalogue = insertEntry(catalogue, "export const partCatalogue", "});", `  [${id}.name]: ${id},`, REGISTRIES.catalogue);

  const modelsFile = join(root, REGISTRIES.models);
  const attach = `attach${className(name)}Model`;
  let models = readFileSync(modelsFile, "utf8");
  models = insertAfterLast(models, /^import .* from "\.\.\/\.\.\/parts\/[^"]+\/model\.js";$/, `import { ${attach} } from "../../parts/${name}/model.js";`, REGISTRIES.models);
  models = insertEntry(models, "const FACTORIES", "};", `  ${JSON.stringify(name)}: ${attach},`, REGISTRIES.models);
  return { [catalogueFile]: catalogue, [modelsFile]: models };
}

export function registerPart(root: string, name: string): string[] {
  let edits: Record<string, string>;
  try {
    edits = registrationEdits(root, name);
  } catch (e) {
    if (e instanceof RegistryChanged) {
      throw new Error(`cannot register part ${name}: ${e.message}. Register it by hand (see docs/vendors.md, "Adding a part").`);
    }
    throw e;
  }
  for (const [file, text] of Object.entries(edits)) writeFileSync(file, text);
  return Object.values(REGISTRIES);
}
