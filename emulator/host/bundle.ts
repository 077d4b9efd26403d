/**
 * The image's JS program: the in-image provider (emulator/image) and the device's main, bundled by rollup into one
 * strict script (XS runs it as a program; its top level calls `start(main)`), TypeScript transpiled on the way.
 * Device code is the same code `ganzhi build` bundles for Moddable and the simulator runs.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { rollup, type Plugin } from "rollup";
import ts from "typescript";
import { IMAGE_DIR } from "./paths.js";

const ENTRY = "\0ganzhi:image";

export interface ImageBundle {
  code: string;
  /** Source modules in the bundle, relative to the checkout. */
  modules: string[];
}

function tsFile(importer: string, source: string): string | undefined {
  const base = path.resolve(path.dirname(importer), source);
  const candidates = base.endsWith(".js") ? [base.slice(0, -3) + ".ts"] : [base, base + ".ts"];
  return candidates.find((c) => c.endsWith(".ts") && existsSync(c));
}

export async function bundleImage(root: string, deviceMain: string): Promise<ImageBundle> {
  const entry = path.resolve(root, deviceMain);
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
      if (id === ENTRY) {
        return [
          `import main from ${JSON.stringify(entry)};`,
          `import { start } from ${JSON.stringify(path.join(IMAGE_DIR, "main.ts"))};`,
          `start(main);`,
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
  const build = await rollup({ input: ENTRY, plugins: [plugin], treeshake: { moduleSideEffects: true }, onLog() {} });
  try {
    const { output } = await build.generate({ format: "iife", strict: true, generatedCode: { constBindings: true, objectShorthand: true } });
    const chunk = output.find((o) => o.type === "chunk");
    if (!chunk || chunk.type !== "chunk") throw new Error("rollup produced no bundle");
    return { code: chunk.code, modules: Object.keys(chunk.modules).filter((m) => m !== ENTRY).map((m) => path.relative(root, m)) };
  } finally {
    await build.close();
  }
}
