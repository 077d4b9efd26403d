/**
 * Device code in an SES Compartment (npm `ses`): the device's modules are evaluated inside a compartment whose
 * global object holds ES2022's intrinsics and nothing the host does not grant, after `lockdown()` froze the shared
 * intrinsics. So a forbidden global fails when the code runs, however it is reached — `globalThis["Date"].now()`,
 * `const M = Math; M.random()`, `Reflect.get(globalThis, "Date")`, `new Function(…)`, `WeakRef` — as it fails (or
 * differs) on a board, where the lint (tools/lint/device-code.ts) only sees what is spelled out.
 *
 * Denied, with an error naming the device module that called (its file and function, from the stack):
 * - wall time and randomness that bypass the host: `Date.now()`, `new Date()` (no arguments), `Math.random()`;
 * - Math functions whose last bit differs between engines' libm (sin, cos, exp, log, pow, …: runtime/detmath.ts);
 * - `eval`, `Function` (Moddable builds may strip the parser), `WeakRef`, `FinalizationRegistry` (collection timing
 *   differs between engines), `TextEncoder`, `TextDecoder`, `console` (absent on Moddable devices), and SES's own
 *   `harden`, `lockdown`, `Compartment` (not in Moddable builds).
 * Node's and the browser's globals (process, Buffer, setTimeout, …) do not exist in a compartment at all.
 *
 * Modules are the device program's import graph (tools/build/imports.ts), each TypeScript file transpiled to a
 * CommonJS-shaped function (kept in out/ses/ until a source changes) and evaluated in the compartment under its
 * repository path (`//# sourceURL`), so stacks name device files. The host handed to `main(host)` stays outside:
 * its functions run with the host's globals.
 */
import "ses";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { DeviceMain } from "../../hal/host.js";
import { label, real, resolveTsImport } from "../../tools/build/paths.js";

/** A device module used something the host does not grant. */
export class DeviceSandboxError extends Error {
  override name = "DeviceSandboxError";
}

const SOURCE_SCHEME = "device:";

/** The innermost device frame of a stack: "devices/x/main.ts (in report)". */
function callerOf(stack: string | undefined): string {
  for (const line of (stack ?? "").split("\n")) {
    const m = /^\s*at (?:(.*?) \()?device:([^:()]+):\d+:\d+\)?$/.exec(line);
    if (m) return m[1] ? `${m[2]} (in ${m[1].replace(/^Object\.|^Function\./, "")})` : m[2]!;
  }
  return "device code";
}

function deny(what: string, why: string): (...args: unknown[]) => never {
  return function denied(): never {
    throw new DeviceSandboxError(`${callerOf(new Error().stack)} uses ${what}, which the host does not grant: ${why}`);
  };
}

const WALL_TIME = "wall time must come from host.clock.unixMs() (virtual in the simulator)";
const LIBM = "results differ between engines' libm; use runtime/detmath.ts";
const LIBM_FUNCTIONS = ["sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "exp", "expm1", "log", "log1p", "log2", "log10", "pow", "cbrt", "hypot"];

/** `Math` as device code gets it: the deterministic functions, the others denied. */
function deviceMath(): object {
  const m = Object.create(Object.getPrototypeOf(Math) as object) as object;
  for (const key of Reflect.ownKeys(Math)) Object.defineProperty(m, key, { ...Object.getOwnPropertyDescriptor(Math, key)!, configurable: true });
  // The copied descriptors are frozen (lockdown): redefine, not assign.
  const set = (name: string, value: unknown) => Object.defineProperty(m, name, { value, writable: false, enumerable: false, configurable: false });
  set("random", deny("Math.random()", "use host.random() (seeded in the simulator)"));
  for (const name of LIBM_FUNCTIONS) set(name, deny(`Math.${name}()`, LIBM));
  return harden(m);
}

/** `Date` as device code gets it: dates from explicit values only; no clock. */
function deviceDate(): object {
  const now = deny("Date.now()", WALL_TIME);
  const noArgs = deny("new Date() without a value", WALL_TIME);
  const call = deny("Date() as a function", WALL_TIME);
  function DeviceDate(this: unknown, ...args: unknown[]): unknown {
    if (new.target === undefined) return call();
    if (args.length === 0) return noArgs();
    return Reflect.construct(Date, args, new.target);
  }
  Object.defineProperties(DeviceDate, {
    prototype: { value: Date.prototype },
    now: { value: now },
    UTC: { value: Date.UTC },
    parse: { value: Date.parse },
  });
  return harden(DeviceDate);
}

function deniedConstructor(what: string, why: string): unknown {
  const f = deny(what, why);
  return harden(f);
}

/** The globals of the device compartment beyond what SES puts there: ES2022's float arrays, and each denial with its reason. */
function deviceGlobals(): Record<string, unknown> {
  const absent = "absent on Moddable devices (use host.log / runtime/utf8.ts)";
  const gc = "garbage-collection timing differs between engines, so behaviour would too";
  const notInModdable = "not in Moddable builds";
  const evaluator = "runtime compilation may be stripped from Moddable builds; device code is compiled ahead";
  const noConsole = deny("console", absent);
  return {
    // SES leaves these out of compartments (a NaN side channel between them, which does not concern us): ES2022 has them.
    Float32Array,
    Float64Array,
    Date: deviceDate(),
    Math: deviceMath(),
    eval: deniedConstructor("eval", evaluator),
    Function: deniedConstructor("Function", evaluator),
    WeakRef: deniedConstructor("WeakRef", gc),
    FinalizationRegistry: deniedConstructor("FinalizationRegistry", gc),
    TextEncoder: deniedConstructor("TextEncoder", absent),
    TextDecoder: deniedConstructor("TextDecoder", absent),
    console: harden({ log: noConsole, info: noConsole, warn: noConsole, error: noConsole, debug: noConsole }),
    harden: deniedConstructor("harden", notInModdable),
    lockdown: deniedConstructor("lockdown", notInModdable),
    Compartment: deniedConstructor("Compartment", notInModdable),
  };
}

let locked = false;

/**
 * Freeze the shared intrinsics of this realm (once). Everything loaded in it from then on lives with frozen
 * prototypes: call it in a realm of its own (simulator/ses/run.ts runs in a worker thread).
 */
export function lockdownRealm(): void {
  if (locked) return;
  lockdown({ errorTaming: "unsafe", stackFiltering: "verbose", overrideTaming: "moderate", consoleTaming: "unsafe", evalTaming: "safe-eval", domainTaming: "unsafe" });
  locked = true;
}

/** The device program's modules as CommonJS-shaped JavaScript, absolute path → code. */
type Program = Map<string, string>;

interface ProgramRecord {
  /** Absolute path → sha-256 of the TypeScript source and its JavaScript. */
  files: Record<string, { sha: string; code: string }>;
}

const sha = (text: string): string => createHash("sha256").update(text).digest("hex");

/** Scan the import graph and transpile each module (TypeScript is loaded only here, on a cache miss). */
async function compile(root: string, entry: string): Promise<Program> {
  const [{ default: ts }, { scanImports }] = await Promise.all([import("typescript"), import("../../tools/build/imports.js")]);
  const program: Program = new Map();
  for (const file of scanImports(root, entry, [path.dirname(entry)]).files) {
    const code = ts.transpileModule(readFileSync(file, "utf8"), {
      fileName: file,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: false, removeComments: true, useDefineForClassFields: true },
    }).outputText;
    program.set(file, code);
  }
  return program;
}

/**
 * The program from out/ses/ when no source of it changed (its import graph is the recorded one while every recorded
 * file is unchanged), else compiled and recorded: TypeScript costs seconds, the simulated day less.
 */
async function deviceProgram(root: string, entry: string): Promise<Program> {
  const dir = path.join(root, "out", "ses");
  const recordFile = path.join(dir, `${label(root, entry).replace(/[^A-Za-z0-9]+/g, "-")}.json`);
  if (existsSync(recordFile)) {
    try {
      const record = JSON.parse(readFileSync(recordFile, "utf8")) as ProgramRecord;
      const entries = Object.entries(record.files);
      if (record.files[entry] && entries.every(([f, r]) => existsSync(f) && sha(readFileSync(f, "utf8")) === r.sha)) {
        return new Map(entries.map(([f, r]) => [f, r.code]));
      }
    } catch {
      // a broken record: compile again
    }
  }
  const program = await compile(root, entry);
  const files: ProgramRecord["files"] = {};
  for (const [f, code] of program) files[f] = { sha: sha(readFileSync(f, "utf8")), code };
  mkdirSync(dir, { recursive: true });
  const tmp = `${recordFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, JSON.stringify({ files } satisfies ProgramRecord));
  renameSync(tmp, recordFile);
  return program;
}

/**
 * The device's `main`, loaded into a fresh compartment. `mainPath` is repository-relative (the manifest's `main`)
 * or absolute; its imports must be device code (the build's own scan checks that).
 */
export async function loadDeviceInCompartment(root: string, mainPath: string): Promise<DeviceMain> {
  const entry = real(path.isAbsolute(mainPath) ? mainPath : path.join(root, mainPath));
  const program = await deviceProgram(root, entry);
  lockdownRealm();
  const compartment = new Compartment({ __options__: true, globals: {}, name: "device" });
  const g = compartment.globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(deviceGlobals())) {
    delete g[name];
    Object.defineProperty(g, name, { value, writable: false, enumerable: false, configurable: false });
  }

  type Factory = (exports: Record<string, unknown>, require: (specifier: string) => unknown) => void;
  const factories = new Map<string, Factory>();
  for (const [file, code] of program) {
    const source = `(function (exports, require) {${code}\n})\n//# sourceURL=${SOURCE_SCHEME}${label(root, file)}\n`;
    factories.set(file, compartment.evaluate(source) as Factory);
  }
  const loaded = new Map<string, Record<string, unknown>>();
  const load = (file: string): Record<string, unknown> => {
    const done = loaded.get(file);
    if (done) return done;
    const factory = factories.get(file);
    if (!factory) throw new Error(`${label(root, file)} is not in ${label(root, entry)}'s import graph`);
    const exports: Record<string, unknown> = {};
    loaded.set(file, exports);
    factory(exports, (specifier) => {
      const target = resolveTsImport(file, specifier);
      if (target === undefined) throw new Error(`${label(root, file)} imports "${specifier}", which does not exist`);
      return load(real(target));
    });
    return exports;
  };
  const main = load(entry).default;
  if (typeof main !== "function") throw new Error(`${label(root, entry)}: no default export function main(host)`);
  return main as DeviceMain;
}
