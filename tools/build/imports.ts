/**
 * The device program's import graph, checked before anything is compiled: device code may import only other device
 * code (hal/, runtime/, parts/, devices/) by relative path. A Node built-in, an npm package, a Moddable module or a
 * file outside those folders is a build error that names the importing file.
 *
 * Type-only imports (`import type`, `export type … from`) are skipped: they vanish from the emitted JavaScript.
 * The bundler enforces the same policy again on what is really emitted (tools/build/bundle.ts).
 */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import type TS from "typescript";
import ts from "./typescript.js";
import { BuildError } from "./errors.js";
import { DEVICE_CODE_DIRS, isInside, label, real, resolveTsImport } from "./paths.js";
import { forbiddenImport, isRelativeOrAbsolute } from "./specifiers.js";

export interface ImportScan {
  /** Every device-code file the program loads at run time, absolute, sorted. */
  files: string[];
}

interface FoundImport {
  specifier: string;
  line: number;
}

function runtimeImports(sf: TS.SourceFile): FoundImport[] {
  const found: FoundImport[] = [];
  const add = (lit: TS.Expression, at: TS.Node) => {
    if (ts.isStringLiteralLike(lit)) {
      found.push({ specifier: lit.text, line: sf.getLineAndCharacterOfPosition(at.getStart(sf)).line + 1 });
    }
  };
  const visit = (node: TS.Node): void => {
    if (ts.isImportDeclaration(node)) {
      if (!node.importClause?.isTypeOnly) add(node.moduleSpecifier, node);
      return;
    }
    if (ts.isExportDeclaration(node)) {
      if (node.moduleSpecifier && !node.isTypeOnly) add(node.moduleSpecifier, node);
      return;
    }
    if (ts.isImportEqualsDeclaration(node)) {
      if (!node.isTypeOnly && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression, node);
      return;
    }
    if (ts.isCallExpression(node) && node.arguments.length > 0) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === "require")) {
        add(node.arguments[0]!, node);
      }
    }
    if (ts.isImportTypeNode(node)) return;
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/**
 * Walk the runtime imports from `entry`. `extraDirs` are further directories holding device code (a device folder
 * outside the checkout's devices/, as the tests use). `parsed` gives a file's syntax tree when the compiler already
 * has it (with parent links); other files are parsed here.
 */
export function scanImports(
  root: string,
  entry: string,
  extraDirs: readonly string[] = [],
  parsed: (file: string) => TS.SourceFile | undefined = () => undefined,
): ImportScan {
  const allowed = [...DEVICE_CODE_DIRS.map((d) => real(path.join(root, d))), ...extraDirs.map(real)];
  const moddableHal = real(path.join(root, "hal", "moddable"));
  const seen = new Set<string>();
  const queue = [real(entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const sf = parsed(file) ?? ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    for (const { specifier, line } of runtimeImports(sf)) {
      const where = `${label(root, file)}:${line}`;
      const why = forbiddenImport(specifier, where);
      if (why !== undefined) throw new BuildError(why, label(root, file));
      if (!isRelativeOrAbsolute(specifier)) continue;
      const target = resolveTsImport(file, specifier);
      if (target === undefined) {
        throw new BuildError(`${where} imports "${specifier}", which does not exist (relative imports name the .js of a .ts file)`, label(root, file));
      }
      const resolved = real(target);
      if (!resolved.endsWith(".ts") || !statSync(resolved).isFile()) {
        throw new BuildError(`${where} imports "${specifier}" (${label(root, resolved)}): device code imports only TypeScript modules`, label(root, file));
      }
      if (isInside(resolved, moddableHal)) {
        throw new BuildError(
          `${where} imports "${specifier}" (${label(root, resolved)}): hal/moddable is the board's host provider, linked in by the build; device code gets it as main(host)`,
          label(root, file),
        );
      }
      if (!allowed.some((dir) => isInside(resolved, dir))) {
        throw new BuildError(
          `${where} imports "${specifier}" (${label(root, resolved)}), which is not device code: a bundle takes only ${DEVICE_CODE_DIRS.map((d) => d + "/").join(", ")}`,
          label(root, file),
        );
      }
      queue.push(resolved);
    }
  }
  return { files: [...seen].sort() };
}
