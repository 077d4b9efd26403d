/**
 * The image's JS program: the in-image provider (emulator/image) and the device's main, bundled by rollup as ES
 * modules (TypeScript transpiled on the way) under a generated entry whose default export calls `start(main)`.
 * Device code is the same code `ganzhi build` bundles for Moddable and the simulator runs.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { rollup, type Plugin } from "rollup";
import ts from "typescript";
import { LINKS_MODULE, linksFor } from "../../tools/build/bundle.js";
import { IMAGE_DIR } from "./paths.js";

const ENTRY = "\0ganzhi:image";

export interface ImageModule {
  /** Module path as XS knows it, e.g. "runtime/scheduler.js"; the entry is "entry.js". */
  path: string;
  code: string;
}

export interface ImageBundle {
  /** One ES module per source module (as Moddable has them), the entry first, then the others by path. */
  modules: ImageModule[];
  bytes: number;
}

function tsFile(importer: string, source: string): string | undefined {
  const base = path.resolve(path.dirname(importer), source);
  const candidates = base.endsWith(".js") ? [base.slice(0, -3) + ".ts"] : [base, base + ".ts"];
  return candidates.find((c) => c.endsWith(".ts") && existsSync(c));
}

/** `link`: the board's link (`uplink.link`): the image carries that one alone, as `ganzhi build` does. */
export async function bundleImage(root: string, deviceMain: string, link?: string): Promise<ImageBundle> {
  const entry = path.resolve(root, deviceMain);
  const linksFile = link === undefined ? undefined : path.join(root, LINKS_MODULE);
  if (!existsSync(entry)) throw new Error(`device main ${deviceMain} does not exist`);
  const plugin: Plugin = {
    name: "ganzhi-image",
    resolveId(source, importer) {
      if (source === ENTRY) return ENTRY;
      if (!importer) return null;
      const from = importer === ENTRY ? path.join(root, "entry.ts") : importer;
      if (!source.startsWith(".") && !path.isAbsolute(source)) {
        this.error(`${path.relative(root, from)} imports "${source}": the image bundles relative TypeScript modules only`);
      }
      const file = tsFile(from, source);
      if (!file) this.error(`${path.relative(root, from)} imports "${source}", which is not a TypeScript module`);
      return file;
    },
    load(id) {
      if (id === linksFile) return linksFor(root, link!);
      if (id === ENTRY) {
        // The entry only exports a function, which the firmware calls once every module is loaded (Moddable's
        // `export default function main()` convention): loading the program starts nothing, so the preparation pass
        // can load every module ahead of time, as Moddable's preload does on the build host.
        return [
          `import main from ${JSON.stringify(entry)};`,
          `import { start } from ${JSON.stringify(path.join(IMAGE_DIR, "main.ts"))};`,
          `export default function ganzhi() { start(main); }`,
        ].join("\n");
      }
      return null;
    },
    transform(code, id) {
      if (!id.endsWith(".ts")) return null;
      const out = ts.transpileModule(code, {
        fileName: id,
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ESNext,
          verbatimModuleSyntax: true,
          useDefineForClassFields: true,
          removeComments: true,
          sourceMap: false,
        },
      });
      return { code: out.outputText, map: null };
    },
  };
  const build = await rollup({ input: { entry: ENTRY }, plugins: [plugin], treeshake: { moduleSideEffects: true }, onLog() {} });
  try {
    // One module per source module, not one merged scope: XS runs each module body in its own frame, as on
    // Moddable, so a module's top-level bindings need stack only while its body runs (one merged scope would
    // need a JS stack the size of the whole program's top level).
    const { output } = await build.generate({
      format: "es",
      preserveModules: true,
      preserveModulesRoot: root,
      entryFileNames: (chunk) => (chunk.facadeModuleId === ENTRY ? "entry.js" : "[name].js"),
      generatedCode: { constBindings: true, objectShorthand: true },
    });
    //
    // The order of the modules is the program's, and it must not depend on rollup: their order in `output` follows
    // the order in which rollup happened to finish loading the files (its reads are asynchronous), and it changed
    // between two builds of the same sources (rollup/rollup#3682). The order matters: xsbc registers the symbols
    // module by module, so it decides every key ID, and with them the cost of property lookups, the flash layout and
    // so the instructions the image runs (two orders seen: 200 instructions apart on a report, 74 µs of boot).
    // Hence a fixed order: the entry first, then by path (code-point order, no locale).
    const modules: ImageModule[] = [];
    let entry: ImageModule | undefined;
    for (const o of output) {
      if (o.type !== "chunk") continue;
      const m = { path: o.fileName, code: o.code };
      if (o.facadeModuleId === ENTRY) entry = m;
      else modules.push(m);
    }
    if (entry?.path !== "entry.js") throw new Error("rollup produced no entry module");
    modules.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    modules.unshift(entry);
    return { modules, bytes: modules.reduce((a, m) => a + Buffer.byteLength(m.code), 0) };
  } finally {
    await build.close();
  }
}
