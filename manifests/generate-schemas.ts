/**
 * Writes the JSON Schemas editors use for completion and hover (`"$schema": "../schema/board.schema.json"` in a
 * manifest) from the TypeScript schemas in manifests/schema/.
 *
 *     node out/manifests/generate-schemas.js          # write manifests/schema/*.schema.json
 *     node out/manifests/generate-schemas.js --check  # exit 1 when the committed files are out of date
 *
 * test/manifests checks that the committed files equal what this renders.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { BoardSchema } from "./schema/board.js";
import { JSON_SCHEMA_DIALECT, jsonSchemaDocument, toJsonSchema, toMergePatchJsonSchema } from "./schema/builder.js";
import { DeviceSchema } from "./schema/device.js";
import { manifestRoot } from "./load.js";

/** File name (in manifests/schema/) → contents. */
export function renderSchemas(): Record<string, string> {
  // A board with `extends` is an RFC 7396 patch of its base: nothing is required and null deletes.
  const board = {
    $schema: JSON_SCHEMA_DIALECT,
    title: "ganzhi board manifest",
    description: "A ganzhi board manifest, or with `extends` a vendor overlay merged onto its base board (RFC 7396).",
    if: { required: ["extends"] },
    then: { $ref: "#/$defs/overlay" },
    else: { $ref: "#/$defs/board" },
    $defs: {
      board: toJsonSchema(BoardSchema),
      overlay: { ...toMergePatchJsonSchema(BoardSchema), required: ["name", "extends"] },
    },
  };
  return {
    "board.schema.json": `${JSON.stringify(board, null, 2)}\n`,
    "device.schema.json": `${JSON.stringify(jsonSchemaDocument(DeviceSchema, "ganzhi device manifest"), null, 2)}\n`,
  };
}

/** Names of committed schema files that differ from what `renderSchemas` gives. */
export function staleSchemas(root = manifestRoot()): string[] {
  const stale: string[] = [];
  for (const [name, text] of Object.entries(renderSchemas())) {
    const path = join(root, "manifests", "schema", name);
    if (!existsSync(path) || readFileSync(path, "utf8") !== text) stale.push(name);
  }
  return stale;
}

function main(argv: readonly string[]): number {
  const root = manifestRoot();
  if (argv.includes("--check")) {
    const stale = staleSchemas(root);
    for (const name of stale) console.error(`manifests/schema/${name} is out of date: run node out/manifests/generate-schemas.js`);
    return stale.length ? 1 : 0;
  }
  for (const [name, text] of Object.entries(renderSchemas())) {
    writeFileSync(join(root, "manifests", "schema", name), text);
    console.log(`wrote manifests/schema/${name}`);
  }
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
