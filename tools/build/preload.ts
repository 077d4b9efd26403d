/**
 * Is a bundled module safe to preload?
 *
 * Moddable runs preloaded modules on the build machine and freezes their heap into flash (Moddable
 * documentation/xs/preload.md): calling a native (host) function there is a build error, functions and class
 * constructors become frozen, and module-level objects are copied to RAM on first write. Plain JavaScript is fine
 * at build time. So a module's top level is unsafe to preload when it may reach the host:
 * - it calls or constructs something imported from a Moddable module (`timer`, `embedded:io/i2c`, …);
 * - it calls or reads a global that is not a standard JavaScript built-in (`trace`, `device`, `System`, …);
 * - it takes a value that preloading would fix at build time: `Date.now()`, `new Date()`, `Math.random()`;
 * - it uses top-level await.
 * Calls to functions the module declares or imports from other device code are plain JavaScript (device code can
 * only reach the host through `main(host)`), so they are allowed.
 *
 * Mutable module-level state is preloadable but costs RAM on the device: tools/lint/frozen.ts finds it.
 */
import { isModdableSpecifier } from "./specifiers.js";

/** The slice of ESTree the checks need. */
interface Node {
  type: string;
  start?: number;
  end?: number;
  [key: string]: unknown;
}

export interface PreloadFinding {
  /** What the statement does, e.g. "calls trace() at module level". */
  message: string;
  /** The statement's first line, trimmed. */
  snippet: string;
}

export interface PreloadReport {
  /** Statements that make the module unsafe to preload. */
  unsafe: PreloadFinding[];
}

/** Standard ECMAScript globals that run no host code. */
const JS_GLOBALS = new Set([
  "Object", "Function", "Array", "Number", "String", "Boolean", "Symbol", "BigInt", "Math", "JSON", "Reflect",
  "Proxy", "Promise", "RegExp", "Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError",
  "URIError", "AggregateError", "Map", "Set", "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry",
  "ArrayBuffer", "SharedArrayBuffer", "DataView", "Atomics", "Int8Array", "Uint8Array", "Uint8ClampedArray",
  "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array",
  "BigUint64Array", "parseInt", "parseFloat", "isNaN", "isFinite", "encodeURIComponent", "decodeURIComponent",
  "encodeURI", "decodeURI", "undefined", "NaN", "Infinity", "globalThis", "Date",
]);
/** Built-ins whose module-level result would be the build machine's. */
const BUILD_TIME_VALUES = new Set(["Date.now", "Math.random", "Date"]);

function isNode(v: unknown): v is Node {
  return typeof v === "object" && v !== null && typeof (v as Node).type === "string";
}

/** `a.b.c` → "a.b.c"; undefined for anything computed. */
function dotted(n: Node): string | undefined {
  if (n.type === "Identifier") return n.name as string;
  if (n.type === "MemberExpression" && !n.computed && isNode(n.object) && isNode(n.property) && n.property.type === "Identifier") {
    const o = dotted(n.object);
    return o !== undefined ? `${o}.${n.property.name as string}` : undefined;
  }
  return undefined;
}

function rootIdentifier(n: Node): string | undefined {
  let cur: Node = n;
  while (cur.type === "MemberExpression" && isNode(cur.object)) cur = cur.object;
  return cur.type === "Identifier" ? (cur.name as string) : undefined;
}

/** Names a pattern binds (`const {a, b: [c]} = …`). */
function patternNames(p: unknown, out: string[]): void {
  if (!isNode(p)) return;
  switch (p.type) {
    case "Identifier":
      out.push(p.name as string);
      return;
    case "ObjectPattern":
      for (const prop of p.properties as Node[]) patternNames(prop.type === "RestElement" ? prop.argument : prop.value, out);
      return;
    case "ArrayPattern":
      for (const e of p.elements as unknown[]) patternNames(e, out);
      return;
    case "RestElement":
      patternNames(p.argument, out);
      return;
    case "AssignmentPattern":
      patternNames(p.left, out);
      return;
  }
}

class Analyzer {
  readonly unsafe: PreloadFinding[] = [];
  readonly #code: string;
  /** Local name → the specifier it is imported from. */
  readonly #imports = new Map<string, string>();
  /** Names the module declares at top level. */
  readonly #declared = new Set<string>();
  #statement: Node | undefined;

  constructor(program: Node, code: string) {
    this.#code = code;
    for (const s of program.body as Node[]) this.#collect(s);
    this.#bindings(program);
  }

  /**
   * Every name the module binds anywhere (block-scoped loop variables, parameters, nested declarations): a
   * reference to one of them is not a global. (Shadowing is ignored: close enough for a preload check.)
   */
  #bindings(n: unknown): void {
    if (Array.isArray(n)) {
      for (const v of n) this.#bindings(v);
      return;
    }
    if (!isNode(n)) return;
    const names: string[] = [];
    switch (n.type) {
      case "VariableDeclarator":
        patternNames(n.id, names);
        break;
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        if (isNode(n.id)) names.push(n.id.name as string);
        for (const p of n.params as Node[]) patternNames(p, names);
        break;
      case "ClassDeclaration":
      case "ClassExpression":
        if (isNode(n.id)) names.push(n.id.name as string);
        break;
      case "CatchClause":
        patternNames(n.param, names);
        break;
    }
    for (const name of names) this.#declared.add(name);
    for (const [key, value] of Object.entries(n)) {
      if (key !== "type" && (Array.isArray(value) || isNode(value))) this.#bindings(value);
    }
  }

  #collect(s: Node): void {
    if (s.type === "ImportDeclaration") {
      const source = (s.source as Node).value as string;
      for (const spec of s.specifiers as Node[]) this.#imports.set((spec.local as Node).name as string, source);
      return;
    }
    const d = s.type === "ExportNamedDeclaration" || s.type === "ExportDefaultDeclaration" ? (s.declaration as Node | null) : s;
    if (!isNode(d)) return;
    if ((d.type === "FunctionDeclaration" || d.type === "ClassDeclaration") && isNode(d.id)) this.#declared.add(d.id.name as string);
    if (d.type === "VariableDeclaration") {
      const names: string[] = [];
      for (const decl of d.declarations as Node[]) patternNames(decl.id, names);
      for (const n of names) this.#declared.add(n);
    }
  }

  #snippet(): string {
    const n = this.#statement;
    if (n === undefined || n.start === undefined || n.end === undefined) return "";
    const text = this.#code.slice(n.start, n.end).split("\n")[0]!.trim();
    return text.length > 80 ? text.slice(0, 77) + "..." : text;
  }

  #unsafe(message: string): void {
    this.unsafe.push({ message, snippet: this.#snippet() });
  }

  /** Why calling/constructing/reading `callee` at module level may reach the host; undefined when it cannot. */
  #hostReach(callee: Node, how: "calls" | "constructs" | "reads"): string | undefined {
    const name = dotted(callee);
    const root = rootIdentifier(callee);
    if (name !== undefined && BUILD_TIME_VALUES.has(name) && how !== "reads") {
      return `${how} ${name}${how === "calls" ? "()" : ""} at module level, which preloading would evaluate once, on the build machine`;
    }
    if (root === undefined) return undefined;
    const source = this.#imports.get(root);
    if (source !== undefined) {
      return isModdableSpecifier(source) ? `${how} ${name ?? root} (from the Moddable module "${source}") at module level` : undefined;
    }
    if (this.#declared.has(root) || JS_GLOBALS.has(root)) return undefined;
    return `${how} the global ${name ?? root} at module level`;
  }

  /** Walk an expression evaluated at module level. Function bodies are not entered: they run later. */
  expr(n: unknown): void {
    if (!isNode(n)) return;
    switch (n.type) {
      case "ArrowFunctionExpression":
      case "FunctionExpression":
      case "FunctionDeclaration":
      case "Literal":
      case "ThisExpression":
      case "Super":
      case "MetaProperty":
      case "BreakStatement":
      case "ContinueStatement":
      case "EmptyStatement":
        return;
      case "Property":
        if (n.computed === true) this.expr(n.key);
        this.expr(n.value);
        return;
      case "VariableDeclaration":
        for (const decl of n.declarations as Node[]) this.expr(decl.init);
        return;
      case "LabeledStatement":
        this.expr(n.body);
        return;
      case "AssignmentExpression": {
        const left = n.left as Node;
        if (left.type === "MemberExpression") this.expr(left);
        this.expr(n.right);
        return;
      }
      case "ClassExpression":
      case "ClassDeclaration":
        this.classBody(n);
        return;
      case "Identifier": {
        const why = this.#hostReach(n, "reads");
        if (why !== undefined && !this.#imports.has(n.name as string)) this.#unsafe(why);
        return;
      }
      case "MemberExpression": {
        // Reading a property of an import (`Digital.Input`) is plain data; only calls reach native code.
        this.expr(n.object);
        if (n.computed) this.expr(n.property);
        return;
      }
      case "CallExpression":
      case "NewExpression": {
        const callee = n.callee as Node;
        const how = n.type === "CallExpression" ? "calls" : "constructs";
        const why = this.#hostReach(callee, how);
        if (why !== undefined) this.#unsafe(why);
        if (callee.type !== "Identifier") this.expr(callee);
        for (const a of n.arguments as Node[]) this.expr(a);
        return;
      }
      case "AwaitExpression":
        this.#unsafe("uses top-level await");
        this.expr(n.argument);
        return;
      case "TaggedTemplateExpression":
        this.expr({ type: "CallExpression", callee: n.tag, arguments: [n.quasi] });
        return;
      default:
        for (const [key, value] of Object.entries(n)) {
          if (key === "type" || key === "start" || key === "end" || key === "loc" || key === "range") continue;
          if (Array.isArray(value)) for (const v of value) this.expr(v);
          else if (isNode(value)) this.expr(value);
        }
    }
  }

  classBody(n: Node): void {
    this.expr(n.superClass);
    for (const m of (n.body as Node).body as Node[]) {
      if (m.computed === true) this.expr(m.key);
      if (m.type === "StaticBlock") {
        for (const s of m.body as Node[]) this.statement(s, false);
      } else if (m.static === true && m.type === "PropertyDefinition") {
        this.expr(m.value);
      }
    }
  }

  declaration(d: Node): void {
    switch (d.type) {
      case "FunctionDeclaration":
        return;
      case "ClassDeclaration":
        this.classBody(d);
        return;
      case "VariableDeclaration":
        for (const decl of d.declarations as Node[]) this.expr(decl.init);
        return;
      default:
        this.expr(d);
    }
  }

  statement(s: Node, top = true): void {
    if (top) this.#statement = s;
    switch (s.type) {
      case "ImportDeclaration":
      case "ExportAllDeclaration":
      case "EmptyStatement":
        return;
      case "ExportNamedDeclaration":
        if (isNode(s.declaration)) this.declaration(s.declaration);
        return;
      case "ExportDefaultDeclaration":
        this.declaration(s.declaration as Node);
        return;
      case "FunctionDeclaration":
      case "ClassDeclaration":
      case "VariableDeclaration":
        this.declaration(s);
        return;
      default:
        // Expression statements, loops, blocks …: walk what they evaluate (not nested function bodies).
        this.expr(s);
    }
  }
}

/** Check one module's top level. `program` is its ESTree AST (rollup's `moduleParsed` hook), `code` its source. */
export function analyzePreload(program: unknown, code: string): PreloadReport {
  if (!isNode(program)) return { unsafe: [] };
  const a = new Analyzer(program, code);
  for (const s of program.body as Node[]) a.statement(s);
  return { unsafe: a.unsafe };
}
