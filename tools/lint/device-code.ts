/**
 * The device-code rule, checked on the source: code under hal/ (except hal/moddable), runtime/, devices/ and the
 * drivers in parts/ runs unchanged on V8, XS and the emulated MCU, so it may import only other device code (by a
 * relative path), and may not touch the world except through the host provider.
 *
 * Forbidden: Node built-ins and npm packages; Node/browser globals (process, Buffer, require, console,
 * setTimeout & co., TextEncoder/TextDecoder, fetch, performance, Intl); wall time and randomness that bypass the
 * host (Date, Math.random); and Math functions whose last bit differs between engines' libm (sin, cos, tan, exp,
 * log, pow, atan2, …: use runtime/detmath.ts), because frames must be byte-identical on every substrate; and
 * module-level state that Moddable's preloading would leave mutable (tools/lint/frozen.ts).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type TS from "typescript";
import ts from "../build/typescript.js";
import { mutableModuleState } from "./frozen.js";

export interface Violation {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** Folders (relative to the root) whose .ts files are device code, and what is excluded. */
export const DEVICE_CODE_DIRS = ["hal", "runtime", "devices", "parts"];
const EXCLUDED = [/^hal\/moddable\//, /^parts\/[^/]+\/model\.ts$/, /^parts\/[^/]+\/part\.ts$/, /^parts\/[^/]+\/attach\.ts$/, /\.test\.ts$/, /\.d\.ts$/];
/** Device code may import types (only) from here: the resolved config's shape. */
const TYPE_ONLY_ALLOWED = [/^manifests\/schema\//];

const FORBIDDEN_GLOBALS = new Map<string, string>([
  ["process", "a Node global"],
  ["Buffer", "a Node global (use Uint8Array)"],
  ["require", "CommonJS (use import)"],
  ["__dirname", "a Node global"],
  ["console", "not global on Moddable devices (use host.log)"],
  ["setTimeout", "not portable (use host.timer)"],
  ["setInterval", "not portable (use host.timer)"],
  ["setImmediate", "not portable (use host.timer)"],
  ["clearTimeout", "not portable (use host.timer)"],
  ["clearInterval", "not portable (use host.timer)"],
  ["queueMicrotask", "not portable (use host.timer)"],
  ["TextEncoder", "absent on Moddable devices (use runtime/utf8.ts)"],
  ["TextDecoder", "absent on Moddable devices"],
  ["fetch", "not portable (use host.io.TCP)"],
  ["performance", "not portable (use host.clock)"],
  ["Intl", "absent on XS (no ECMA-402)"],
  ["Date", "wall time must come from host.clock.unixMs() (virtual in the simulator)"],
  ["globalThis", "reaches globals by name, around this check (the world comes from main(host))"],
  ["eval", "runtime compilation may be stripped from Moddable builds"],
  ["Function", "runtime compilation may be stripped from Moddable builds"],
  ["WeakRef", "garbage-collection timing differs between engines"],
  ["FinalizationRegistry", "garbage-collection timing differs between engines"],
]);
const NONDETERMINISTIC_MATH = new Set(["random", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "exp", "expm1", "log", "log1p", "log2", "log10", "pow", "cbrt", "hypot"]);

function isExcluded(rel: string): boolean {
  return EXCLUDED.some((re) => re.test(rel));
}

export function deviceCodeFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const abs = join(dir, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else if (name.endsWith(".ts")) {
        const rel = relative(root, abs).split(sep).join("/");
        if (!isExcluded(rel)) out.push(rel);
      }
    }
  };
  for (const d of DEVICE_CODE_DIRS) {
    try {
      walk(join(root, d));
    } catch {
      // a layer that does not exist yet has nothing to check
    }
  }
  return out.sort();
}

function resolveRelative(fromRel: string, spec: string): string {
  const parts = fromRel.split("/");
  parts.pop();
  for (const seg of spec.split("/")) {
    if (seg === "..") parts.pop();
    else if (seg !== ".") parts.push(seg);
  }
  return parts.join("/").replace(/\.js$/, ".ts");
}

/** Check one source text; `rel` is its repository-relative path (for messages and import resolution). */
export function checkSource(rel: string, text: string): Violation[] {
  const sf = ts.createSourceFile(rel, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const out: Violation[] = [];
  const report = (node: TS.Node, message: string): void => {
    const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    out.push({ file: rel, line: line + 1, column: character + 1, message });
  };
  const checkSpecifier = (node: TS.Node, spec: string, typeOnly: boolean): void => {
    if (!spec.startsWith(".")) {
      report(node, `imports "${spec}": device code may import only other device code by relative path (no Node built-ins, no npm packages)`);
      return;
    }
    const target = resolveRelative(rel, spec);
    const inDeviceCode = DEVICE_CODE_DIRS.some((d) => target.startsWith(d + "/")) && !isExcluded(target);
    if (inDeviceCode) return;
    if (typeOnly && TYPE_ONLY_ALLOWED.some((re) => re.test(target))) return;
    report(node, `imports "${spec}" (${target}), which is not device code${typeOnly ? "" : " (only types may come from manifests/schema)"}`);
  };
  const visit = (node: TS.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = Boolean(node.importClause?.isTypeOnly) || (node.importClause === undefined ? false : allTypeOnly(node.importClause));
      checkSpecifier(node, node.moduleSpecifier.text, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      checkSpecifier(node, node.moduleSpecifier.text, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      report(node, "dynamic import() is not available to preloaded Moddable modules");
    } else if (ts.isIdentifier(node) && FORBIDDEN_GLOBALS.has(node.text) && isGlobalReference(node)) {
      report(node, `uses ${node.text}: ${FORBIDDEN_GLOBALS.get(node.text)}`);
    } else if (
      ts.isPropertyAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "Math" &&
      NONDETERMINISTIC_MATH.has(node.name.text)
    ) {
      report(node, node.name.text === "random" ? "uses Math.random: use host.random() (seeded in the simulator)" : `uses Math.${node.name.text}: results differ between engines' libm; use runtime/detmath.ts`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  for (const f of mutableModuleState(sf)) report(f.node, f.message);
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

function allTypeOnly(clause: TS.ImportClause): boolean {
  if (clause.name) return false;
  const b = clause.namedBindings;
  if (!b) return false;
  if (ts.isNamespaceImport(b)) return false;
  return b.elements.length > 0 && b.elements.every((e) => e.isTypeOnly);
}

/** True when the identifier refers to a global (not a property name, a declaration or a type position). */
function isGlobalReference(id: TS.Identifier): boolean {
  const p = id.parent;
  if (!p) return true;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if (ts.isPropertyAssignment(p) && p.name === id) return false;
  if (ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isPropertySignature(p) || ts.isMethodSignature(p)) return p.name !== id;
  if (ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p) || ts.isClassDeclaration(p)) return p.name !== id;
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p)) return false;
  if (ts.isTypeReferenceNode(p) || ts.isQualifiedName(p)) return false;
  if (ts.isShorthandPropertyAssignment(p)) return true;
  return true;
}

export function checkDeviceCode(root: string): Violation[] {
  return deviceCodeFiles(root).flatMap((rel) => checkSource(rel, readFileSync(join(root, rel), "utf8")));
}

export function formatViolation(v: Violation): string {
  return `${v.file}:${v.line}:${v.column}: ${v.message}`;
}
