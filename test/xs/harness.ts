/**
 * A small test harness with vitest's shape (describe/it/expect and the hooks, the subset this repository's unit
 * tests use), in plain portable JavaScript, so the same test files run on XS: the XS bundler (tools/xs/bundle.ts)
 * resolves `import … from "vitest"` to this module. It runs on V8 as well (test/xs/unit.test.ts runs every bundle on
 * both engines and compares), which is how the harness itself is checked.
 *
 * Matchers follow vitest's documented semantics: `toBe` is Object.is, `toEqual` recursive equality that ignores
 * undefined properties, `toBeCloseTo(x, d)` |x − y| < 10^−d / 2, `toThrow(x)` a class, a message substring, a
 * RegExp or an error with the same message. A failure throws `AssertionError` with both values.
 */

type Fn = () => unknown;
type HookFn = () => unknown;

interface Suite {
  name: string;
  skip: boolean;
  children: (Suite | Case)[];
  beforeAll: HookFn[];
  afterAll: HookFn[];
  beforeEach: HookFn[];
  afterEach: HookFn[];
}

interface Case {
  kind: "case";
  name: string;
  fn: Fn | undefined;
  skip: boolean;
}

export interface CaseResult {
  name: string;
  status: "pass" | "fail" | "skip";
  error?: string;
  ms: number;
}

const newSuite = (name: string, skip: boolean): Suite => ({ name, skip, children: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] });

let root = newSuite("", false);
let current = root;

export class AssertionError extends Error {
  override name = "AssertionError";
}

// ------------------------------------------------------------------------------------------------ formatting

function show(v: unknown, depth = 0): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "function") return `[Function ${(v as { name?: string }).name || "anonymous"}]`;
  if (v === null || typeof v !== "object") return String(v);
  if (depth > 3) return "[…]";
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const a = Array.from(v as unknown as ArrayLike<number | bigint>);
    return `${v.constructor.name}[${a.slice(0, 32).map((x) => show(x)).join(", ")}${a.length > 32 ? ", …" : ""}]`;
  }
  if (Array.isArray(v)) return `[${v.slice(0, 32).map((x) => show(x, depth + 1)).join(", ")}${v.length > 32 ? ", …" : ""}]`;
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  if (v instanceof Map) return `Map{${[...v].slice(0, 16).map(([k, x]) => `${show(k, depth + 1)} => ${show(x, depth + 1)}`).join(", ")}}`;
  if (v instanceof Set) return `Set{${[...v].slice(0, 16).map((x) => show(x, depth + 1)).join(", ")}}`;
  const keys = Object.keys(v);
  return `{${keys
    .slice(0, 16)
    .map((k) => `${k}: ${show((v as Record<string, unknown>)[k], depth + 1)}`)
    .join(", ")}${keys.length > 16 ? ", …" : ""}}`;
}

function format(template: string, args: readonly unknown[], index: number): string {
  let i = 0;
  let out = template.replace(/%[sdifjo#%]/g, (m) => {
    if (m === "%%") return "%";
    if (m === "%#") return String(index);
    const a = args[i++];
    if (m === "%s") return typeof a === "string" ? a : show(a);
    if (m === "%d" || m === "%i") return String(m === "%i" ? Math.trunc(Number(a)) : Number(a));
    if (m === "%f") return String(Number(a));
    return show(a);
  });
  if (args.length === 1 && args[0] !== null && typeof args[0] === "object" && !Array.isArray(args[0])) {
    const obj = args[0] as Record<string, unknown>;
    out = out.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, k: string) => (k in obj ? (typeof obj[k] === "string" ? (obj[k] as string) : show(obj[k])) : m));
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ registration

function addSuite(name: string, fn: Fn, skip: boolean): void {
  const s = newSuite(name, skip || current.skip);
  current.children.push(s);
  const parent = current;
  current = s;
  try {
    fn();
  } finally {
    current = parent;
  }
}

function addCase(name: string, fn: Fn | undefined, skip: boolean): void {
  current.children.push({ kind: "case", name, fn, skip: skip || current.skip || fn === undefined });
}

type Table = readonly unknown[];
const rowArgs = (row: unknown): unknown[] => (Array.isArray(row) ? row : [row]);

interface DescribeFn {
  (name: string, fn: Fn): void;
  skip(name: string, fn: Fn): void;
  only(name: string, fn: Fn): void;
  skipIf(cond: unknown): (name: string, fn: Fn) => void;
  runIf(cond: unknown): (name: string, fn: Fn) => void;
  each(table: Table): (name: string, fn: (...args: never[]) => unknown) => void;
}

interface ItFn {
  (name: string, fn?: Fn, timeout?: number): void;
  skip(name: string, fn?: Fn, timeout?: number): void;
  only(name: string, fn?: Fn, timeout?: number): void;
  todo(name: string): void;
  skipIf(cond: unknown): (name: string, fn?: Fn, timeout?: number) => void;
  runIf(cond: unknown): (name: string, fn?: Fn, timeout?: number) => void;
  each(table: Table): (name: string, fn: (...args: never[]) => unknown, timeout?: number) => void;
}

export const describe: DescribeFn = Object.assign((name: string, fn: Fn) => addSuite(name, fn, false), {
  skip: (name: string, fn: Fn) => addSuite(name, fn, true),
  only: (name: string, fn: Fn) => addSuite(name, fn, false),
  skipIf: (cond: unknown) => (name: string, fn: Fn) => addSuite(name, fn, Boolean(cond)),
  runIf: (cond: unknown) => (name: string, fn: Fn) => addSuite(name, fn, !cond),
  each: (table: Table) => (name: string, fn: (...args: never[]) => unknown) =>
    table.forEach((row, i) => addSuite(format(name, rowArgs(row), i), () => (fn as (...a: unknown[]) => unknown)(...rowArgs(row)), false)),
});

export const it: ItFn = Object.assign((name: string, fn?: Fn) => addCase(name, fn, false), {
  skip: (name: string, fn?: Fn) => addCase(name, fn, true),
  only: (name: string, fn?: Fn) => addCase(name, fn, false),
  todo: (name: string) => addCase(name, undefined, true),
  skipIf: (cond: unknown) => (name: string, fn?: Fn) => addCase(name, fn, Boolean(cond)),
  runIf: (cond: unknown) => (name: string, fn?: Fn) => addCase(name, fn, !cond),
  each: (table: Table) => (name: string, fn: (...args: never[]) => unknown) =>
    table.forEach((row, i) => addCase(format(name, rowArgs(row), i), () => (fn as (...a: unknown[]) => unknown)(...rowArgs(row)), false)),
});

export const test = it;

export function beforeAll(fn: HookFn): void {
  current.beforeAll.push(fn);
}
export function afterAll(fn: HookFn): void {
  current.afterAll.push(fn);
}
export function beforeEach(fn: HookFn): void {
  current.beforeEach.push(fn);
}
export function afterEach(fn: HookFn): void {
  current.afterEach.push(fn);
}

// ------------------------------------------------------------------------------------------------ equality

function isTyped(v: unknown): v is ArrayLike<number | bigint> & ArrayBufferView {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

/** vitest `toEqual`: recursive; undefined properties ignored; primitives by Object.is. */
export function equals(a: unknown, b: unknown, strict = false, seen: unknown[] = []): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (seen.includes(a)) return true;
  seen = [...seen, a];
  if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (isTyped(a) || isTyped(b)) {
    if (!isTyped(a) || !isTyped(b) || a.constructor !== b.constructor || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof ArrayBuffer || b instanceof ArrayBuffer) {
    if (!(a instanceof ArrayBuffer) || !(b instanceof ArrayBuffer)) return false;
    return equals(new Uint8Array(a), new Uint8Array(b), strict, seen);
  }
  if (a instanceof DataView || b instanceof DataView) {
    if (!(a instanceof DataView) || !(b instanceof DataView)) return false;
    return equals(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength), strict, seen);
  }
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && Object.is(a.getTime(), b.getTime());
  if (a instanceof RegExp || b instanceof RegExp) return a instanceof RegExp && b instanceof RegExp && String(a) === String(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equals(a[i], b[i], strict, seen)) return false;
    return true;
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map) || !(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !equals(v, b.get(k), strict, seen)) return false;
    return true;
  }
  if (a instanceof Set || b instanceof Set) {
    if (!(a instanceof Set) || !(b instanceof Set) || a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }
  if (a instanceof Error && b instanceof Error && (a.message !== b.message || a.name !== b.name)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => strict || o[k] !== undefined);
  const ka = keys(ra);
  const kb = keys(rb);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(rb, k) && !(strict === false && rb[k] === undefined && ra[k] === undefined)) return false;
    if (!equals(ra[k], rb[k], strict, seen)) return false;
  }
  return true;
}

function matchesObject(actual: unknown, expected: unknown): boolean {
  if (typeof expected !== "object" || expected === null || Array.isArray(expected) || isTyped(expected)) return equals(actual, expected);
  if (typeof actual !== "object" || actual === null) return false;
  for (const k of Object.keys(expected)) {
    if (!matchesObject((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k])) return false;
  }
  return true;
}

// ------------------------------------------------------------------------------------------------ expect

type Matchers = {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toStrictEqual(expected: unknown): void;
  toBeCloseTo(expected: number, digits?: number): void;
  toBeGreaterThan(n: number | bigint): void;
  toBeGreaterThanOrEqual(n: number | bigint): void;
  toBeLessThan(n: number | bigint): void;
  toBeLessThanOrEqual(n: number | bigint): void;
  toBeNaN(): void;
  toBeNull(): void;
  toBeUndefined(): void;
  toBeDefined(): void;
  toBeTruthy(): void;
  toBeFalsy(): void;
  toBeInstanceOf(c: abstract new (...args: never[]) => unknown): void;
  toBeTypeOf(t: string): void;
  toHaveLength(n: number): void;
  toHaveProperty(key: string, value?: unknown): void;
  toContain(item: unknown): void;
  toMatch(pattern: RegExp | string): void;
  toMatchObject(expected: object): void;
  toThrow(expected?: unknown): void;
  toThrowError(expected?: unknown): void;
};

export type Expectation = Matchers & { not: Matchers };

function makeMatchers(actual: unknown, message: string | undefined, negate: boolean): Matchers {
  const check = (pass: boolean, what: string, expected?: unknown, hasExpected = true): void => {
    if (pass !== negate) return;
    const head = message ? `${message}: ` : "";
    const detail = hasExpected ? `expected ${show(actual)} ${negate ? "not " : ""}${what} ${show(expected)}` : `expected ${show(actual)} ${negate ? "not " : ""}${what}`;
    throw new AssertionError(head + detail);
  };
  const num = (n: unknown): number | bigint => {
    if (typeof n !== "number" && typeof n !== "bigint") throw new AssertionError(`${message ? message + ": " : ""}${show(n)} is not a number`);
    return n;
  };
  const throwsCheck = (expected: unknown): void => {
    if (typeof actual !== "function") throw new AssertionError("toThrow expects a function");
    let thrown = false;
    let error: unknown;
    try {
      (actual as () => unknown)();
    } catch (e) {
      thrown = true;
      error = e;
    }
    const text = error instanceof Error ? error.message : String(error);
    let pass = thrown;
    let what = "to throw";
    if (thrown && expected !== undefined) {
      if (typeof expected === "string") {
        pass = text.includes(expected);
        what = `to throw a message containing ${show(expected)}, threw ${show(text)}`;
      } else if (expected instanceof RegExp) {
        pass = expected.test(text);
        what = `to throw a message matching ${String(expected)}, threw ${show(text)}`;
      } else if (expected instanceof Error) {
        pass = text === expected.message;
        what = `to throw ${show(expected)}, threw ${show(error)}`;
      } else if (typeof expected === "function") {
        pass = error instanceof (expected as new () => unknown);
        what = `to throw ${(expected as { name?: string }).name}, threw ${show(error)}`;
      }
    }
    if (pass === negate) {
      throw new AssertionError(`${message ? message + ": " : ""}expected function ${negate ? "not " : ""}${what}${!thrown ? " (nothing was thrown)" : ""}`);
    }
  };
  return {
    toBe: (e) => check(Object.is(actual, e), "to be", e),
    toEqual: (e) => check(equals(actual, e), "to equal", e),
    toStrictEqual: (e) => check(equals(actual, e, true), "to strictly equal", e),
    toBeCloseTo: (e, digits = 2) => {
      const a = num(actual) as number;
      const pass = (a === Infinity && e === Infinity) || (a === -Infinity && e === -Infinity) || Math.abs(e - a) < Math.pow(10, -digits) / 2;
      check(pass, `to be close to (${digits} digits)`, e);
    },
    toBeGreaterThan: (n) => check(num(actual) > n, "to be greater than", n),
    toBeGreaterThanOrEqual: (n) => check(num(actual) >= n, "to be greater than or equal to", n),
    toBeLessThan: (n) => check(num(actual) < n, "to be less than", n),
    toBeLessThanOrEqual: (n) => check(num(actual) <= n, "to be less than or equal to", n),
    toBeNaN: () => check(Number.isNaN(actual), "to be NaN", undefined, false),
    toBeNull: () => check(actual === null, "to be null", undefined, false),
    toBeUndefined: () => check(actual === undefined, "to be undefined", undefined, false),
    toBeDefined: () => check(actual !== undefined, "to be defined", undefined, false),
    toBeTruthy: () => check(Boolean(actual), "to be truthy", undefined, false),
    toBeFalsy: () => check(!actual, "to be falsy", undefined, false),
    toBeInstanceOf: (c) => check(actual instanceof (c as unknown as new () => unknown), "to be an instance of", (c as { name?: string }).name),
    toBeTypeOf: (t) => check(typeof actual === t, "to be of type", t),
    toHaveLength: (n) => check((actual as { length?: unknown } | null)?.length === n, "to have length", n),
    toHaveProperty: (key, ...value) => {
      let o: unknown = actual;
      let has = true;
      for (const k of key.split(".")) {
        if (o === null || o === undefined || !(k in Object(o))) {
          has = false;
          break;
        }
        o = (o as Record<string, unknown>)[k];
      }
      check(has && (value.length === 0 || equals(o, value[0])), `to have property ${key}`, value[0], value.length > 0);
    },
    toContain: (item) => check(typeof actual === "string" ? actual.includes(item as string) : Array.isArray(actual) || isTyped(actual) ? Array.from(actual as ArrayLike<unknown>).includes(item) : false, "to contain", item),
    toMatch: (p) => check(typeof actual === "string" && (typeof p === "string" ? actual.includes(p) : p.test(actual)), "to match", p),
    toMatchObject: (e) => check(matchesObject(actual, e), "to match object", e),
    toThrow: throwsCheck,
    toThrowError: throwsCheck,
  };
}

export function expect(actual: unknown, message?: string): Expectation {
  return Object.assign(makeMatchers(actual, message, false), { not: makeMatchers(actual, message, true) });
}

// ------------------------------------------------------------------------------------------------ running

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const stack = typeof e.stack === "string" ? e.stack : "";
    const frames = stack
      .split("\n")
      .filter((l) => /^\s*at /.test(l))
      .slice(0, 4)
      .map((l) => l.trim());
    return `${e.name}: ${e.message}${frames.length ? ` (${frames.join(" ")})` : ""}`;
  }
  return String(e);
}

async function runSuite(
  s: Suite,
  path: string[],
  inherited: { before: HookFn[]; after: HookFn[] },
  out: CaseResult[],
  clock: () => number,
  skip: ReadonlySet<string>,
): Promise<void> {
  const before = [...inherited.before, ...s.beforeEach];
  const after = [...s.afterEach, ...inherited.after];
  const cases = (x: Suite | Case, at: string[]): [Case, string][] =>
    "kind" in x ? [[x, [...at, x.name].join(" > ")]] : x.children.flatMap((c) => cases(c, "kind" in c ? at : [...at, c.name]));
  let setupError: unknown;
  const anyToRun = cases(s, path).some(([c, name]) => !c.skip && !skip.has(name));
  if (anyToRun) {
    try {
      for (const h of s.beforeAll) await h();
    } catch (e) {
      setupError = e;
    }
  }
  for (const child of s.children) {
    if ("kind" in child) {
      const name = [...path, child.name].join(" > ");
      if (child.skip || skip.has(name)) {
        out.push({ name, status: "skip", ms: 0 });
        continue;
      }
      const t0 = clock();
      try {
        if (setupError !== undefined) throw setupError;
        for (const h of before) await h();
        try {
          await child.fn!();
        } finally {
          for (const h of after) await h();
        }
        out.push({ name, status: "pass", ms: clock() - t0 });
      } catch (e) {
        out.push({ name, status: "fail", error: errorText(e), ms: clock() - t0 });
      }
    } else {
      await runSuite(child, [...path, child.name], { before, after }, out, clock, skip);
    }
  }
  if (anyToRun) {
    for (const h of s.afterAll) {
      try {
        await h();
      } catch (e) {
        out.push({ name: [...path, "(afterAll)"].join(" > "), status: "fail", error: errorText(e), ms: 0 });
      }
    }
  }
}

/**
 * Run every registered case in order (async cases and hooks awaited) and forget them. Cases named in `skip`
 * ("describe > it") are reported as skipped.
 */
export async function run(clock: () => number = () => 0, skip: readonly string[] = []): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  const suite = root;
  root = newSuite("", false);
  current = root;
  await runSuite(suite, [], { before: [], after: [] }, out, clock, new Set(skip));
  return out;
}
