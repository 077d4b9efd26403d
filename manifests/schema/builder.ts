/**
 * A small schema builder for ganzhi manifests.
 *
 * One declaration gives three things:
 * - the TypeScript type: `type Board = Static<typeof BoardSchema>`;
 * - a JSON Schema (draft 2020-12) for editors: `toJsonSchema(BoardSchema)`;
 * - a validator that reports *every* problem with its JSON pointer (RFC 6901) and a precise message
 *   ("expected integer from 0 to 39, got string \"27\"", "unknown key \"adress\" (did you mean \"address\"?)").
 *
 * Portable: ES2022 only, no Node APIs, no dependencies. Schemas are plain frozen objects.
 *
 * Objects are closed by default (unknown keys are errors) because a typo in a manifest must not pass silently.
 * `s.transform` normalises a validated value (e.g. `"0x76"` → 118, `"P1.04"` → 36), so `Static` is the type
 * *after* validation, which is what the loader hands to the rest of the toolchain.
 */

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** Carries the static type; never present at run time. */
export interface Schema<T = unknown> {
  readonly kind: Kind;
  readonly description?: string;
  readonly default?: Json;
  readonly examples?: readonly Json[];
  /** Extra keywords merged into the emitted JSON Schema only (editor hints); the validator ignores them. */
  readonly jsonSchema?: { readonly [key: string]: Json };
  readonly "~static"?: T;
}

export type Kind =
  | "string"
  | "enum"
  | "literal"
  | "integer"
  | "number"
  | "boolean"
  | "any"
  | "array"
  | "record"
  | "object"
  | "union"
  | "transform";

export interface Annotations {
  description?: string;
  default?: Json;
  examples?: readonly Json[];
  jsonSchema?: { readonly [key: string]: Json };
}

export interface StringSchema<T extends string = string> extends Schema<T> {
  readonly kind: "string";
  readonly pattern?: string;
  /** Human words for the pattern, used in messages instead of the regular expression. */
  readonly patternHint?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
}
export interface EnumSchema<T extends string | number> extends Schema<T> {
  readonly kind: "enum";
  readonly values: readonly T[];
}
export interface LiteralSchema<T extends string | number | boolean> extends Schema<T> {
  readonly kind: "literal";
  readonly value: T;
}
export interface NumberSchema extends Schema<number> {
  readonly kind: "integer" | "number";
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
}
export interface BooleanSchema extends Schema<boolean> {
  readonly kind: "boolean";
}
export interface AnySchema extends Schema<Json> {
  readonly kind: "any";
}
export interface ArraySchema<S extends Schema> extends Schema<Static<S>[]> {
  readonly kind: "array";
  readonly items: S;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
}
export interface RecordSchema<S extends Schema> extends Schema<Record<string, Static<S>>> {
  readonly kind: "record";
  readonly values: S;
  readonly keyPattern?: string;
  readonly keyHint?: string;
  readonly minProperties?: number;
}
export interface Optional<S extends Schema> {
  readonly kind: "optional";
  readonly inner: S;
}
export type Shape = { readonly [key: string]: Schema | Optional<Schema> };
export interface ObjectSchema<P extends Shape> extends Schema<ObjectStatic<P>> {
  readonly kind: "object";
  readonly shape: P;
  /** Schema for keys not in `shape`; absent means unknown keys are errors. */
  readonly additional?: Schema;
}
export interface UnionSchema<S extends readonly Schema[]> extends Schema<Static<S[number]>> {
  readonly kind: "union";
  readonly anyOf: S;
}
export interface TransformSchema<S extends Schema, Out> extends Schema<Out> {
  readonly kind: "transform";
  readonly inner: S;
  readonly to: (value: Static<S>) => Out;
  /** Optional check of the normalised value: a message (completing "expected …") when it is out of range. */
  readonly refine?: (value: Out) => string | undefined;
}

type Expand<T> = T extends infer O ? { [K in keyof O]: O[K] } : never;
type RequiredKeys<P extends Shape> = { [K in keyof P]: P[K] extends Optional<Schema> ? never : K }[keyof P];
type OptionalKeys<P extends Shape> = { [K in keyof P]: P[K] extends Optional<Schema> ? K : never }[keyof P];
export type ObjectStatic<P extends Shape> = Expand<
  { [K in RequiredKeys<P>]: Static<P[K]> } & { [K in OptionalKeys<P>]?: Static<P[K]> }
>;

/** The TypeScript type a schema accepts (after transforms). */
export type Static<S> = S extends Optional<infer I> ? Static<I> : S extends Schema<infer T> ? T : never;

// ------------------------------------------------------------------------------------------------ builders

function make<T>(o: T): T {
  return Object.freeze(o);
}

function annotations(a: Annotations | undefined): Annotations {
  if (!a) return {};
  const out: Annotations = {};
  if (a.description !== undefined) out.description = a.description;
  if (a.default !== undefined) out.default = a.default;
  if (a.examples !== undefined) out.examples = a.examples;
  if (a.jsonSchema !== undefined) out.jsonSchema = a.jsonSchema;
  return out;
}

export const s = {
  string(o: Annotations & { pattern?: string; patternHint?: string; minLength?: number; maxLength?: number } = {}): StringSchema {
    return make({
      kind: "string" as const,
      ...annotations(o),
      ...(o.pattern !== undefined ? { pattern: o.pattern } : {}),
      ...(o.patternHint !== undefined ? { patternHint: o.patternHint } : {}),
      ...(o.minLength !== undefined ? { minLength: o.minLength } : {}),
      ...(o.maxLength !== undefined ? { maxLength: o.maxLength } : {}),
    });
  },
  enumOf<const T extends string | number>(values: readonly T[], o: Annotations = {}): EnumSchema<T> {
    return make({ kind: "enum" as const, values: Object.freeze([...values]), ...annotations(o) });
  },
  literal<const T extends string | number | boolean>(value: T, o: Annotations = {}): LiteralSchema<T> {
    return make({ kind: "literal" as const, value, ...annotations(o) });
  },
  integer(o: Annotations & NumberBounds = {}): NumberSchema {
    return make({ kind: "integer" as const, ...annotations(o), ...bounds(o) });
  },
  number(o: Annotations & NumberBounds = {}): NumberSchema {
    return make({ kind: "number" as const, ...annotations(o), ...bounds(o) });
  },
  boolean(o: Annotations = {}): BooleanSchema {
    return make({ kind: "boolean" as const, ...annotations(o) });
  },
  any(o: Annotations = {}): AnySchema {
    return make({ kind: "any" as const, ...annotations(o) });
  },
  array<S extends Schema>(
    items: S,
    o: Annotations & { minItems?: number; maxItems?: number; uniqueItems?: boolean } = {},
  ): ArraySchema<S> {
    return make({
      kind: "array" as const,
      items,
      ...annotations(o),
      ...(o.minItems !== undefined ? { minItems: o.minItems } : {}),
      ...(o.maxItems !== undefined ? { maxItems: o.maxItems } : {}),
      ...(o.uniqueItems !== undefined ? { uniqueItems: o.uniqueItems } : {}),
    });
  },
  /** A map of named entries (JSON object with free keys), e.g. buses by name. */
  record<S extends Schema>(
    values: S,
    o: Annotations & { keyPattern?: string; keyHint?: string; minProperties?: number } = {},
  ): RecordSchema<S> {
    return make({
      kind: "record" as const,
      values,
      ...annotations(o),
      ...(o.keyPattern !== undefined ? { keyPattern: o.keyPattern } : {}),
      ...(o.keyHint !== undefined ? { keyHint: o.keyHint } : {}),
      ...(o.minProperties !== undefined ? { minProperties: o.minProperties } : {}),
    });
  },
  optional<S extends Schema>(inner: S): Optional<S> {
    return make({ kind: "optional" as const, inner });
  },
  object<const P extends Shape>(shape: P, o: Annotations & { additional?: Schema } = {}): ObjectSchema<P> {
    return make({
      kind: "object" as const,
      shape: Object.freeze({ ...shape }) as P,
      ...annotations(o),
      ...(o.additional !== undefined ? { additional: o.additional } : {}),
    });
  },
  union<const S extends readonly Schema[]>(anyOf: S, o: Annotations = {}): UnionSchema<S> {
    return make({ kind: "union" as const, anyOf, ...annotations(o) });
  },
  /**
   * Validate with `inner`, then normalise with `to` (which must not throw for values `inner` accepts); `refine`
   * may then reject the normalised value with the words that complete "expected …".
   */
  transform<S extends Schema, Out>(
    inner: S,
    to: (value: Static<S>) => Out,
    o: Annotations & { refine?: (value: Out) => string | undefined } = {},
  ): TransformSchema<S, Out> {
    return make({
      kind: "transform" as const,
      inner,
      to,
      ...annotations(o),
      ...(o.refine !== undefined ? { refine: o.refine } : {}),
    });
  },
};

interface NumberBounds {
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}
function bounds(o: NumberBounds): NumberBounds {
  const out: NumberBounds = {};
  if (o.minimum !== undefined) out.minimum = o.minimum;
  if (o.maximum !== undefined) out.maximum = o.maximum;
  if (o.exclusiveMinimum !== undefined) out.exclusiveMinimum = o.exclusiveMinimum;
  if (o.exclusiveMaximum !== undefined) out.exclusiveMaximum = o.exclusiveMaximum;
  return out;
}

// ------------------------------------------------------------------------------------------------ JSON pointers

/** RFC 6901 escaping of one reference token. */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}
export function pointerJoin(pointer: string, token: string | number): string {
  return `${pointer}/${escapePointerToken(String(token))}`;
}
export function pointerTokens(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

// ------------------------------------------------------------------------------------------------ suggestions

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  const d: number[][] = [];
  for (let i = 0; i <= n; i++) {
    const row = new Array<number>(m + 1).fill(0);
    row[0] = i;
    d.push(row);
  }
  for (let j = 0; j <= m; j++) d[0]![j] = j;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[n]![m]!;
}

function fold(word: string): string {
  return word.toLowerCase().replace(/[-_\s]/g, "");
}

/**
 * The closest candidate to `word`, or undefined when none is close: same letters ignoring case, `-` and `_`,
 * or within an edit distance of about a third of the word (at least 1, at most 3).
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const folded = fold(word);
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    const dist = fold(c) === folded ? 0 : editDistance(word.toLowerCase(), c.toLowerCase());
    if (dist <= limit && dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  return best;
}

/** `(did you mean "x"?)` or the empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const hit = suggest(word, candidates);
  return hit === undefined ? "" : ` (did you mean ${JSON.stringify(hit)}?)`;
}

// ------------------------------------------------------------------------------------------------ validation

export interface Issue {
  /** JSON pointer of the offending value (for an unknown key: of that key; for a missing key: of its object). */
  readonly pointer: string;
  readonly message: string;
  /** Set when the issue is a missing required key: its name. */
  readonly missingKey?: string;
}

export interface ValidationResult<T> {
  /** The normalised value; only meaningful when `issues` is empty. */
  readonly value: T | undefined;
  readonly issues: readonly Issue[];
}

export function validate<S extends Schema>(schema: S, value: unknown, pointer = ""): ValidationResult<Static<S>> {
  const issues: Issue[] = [];
  const out = check(schema, value, pointer, issues);
  return { value: issues.length === 0 ? (out as Static<S>) : undefined, issues };
}

type JsonType = "null" | "boolean" | "integer" | "number" | "string" | "array" | "object";

export function jsonTypeOf(v: unknown): JsonType {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  switch (typeof v) {
    case "boolean":
      return "boolean";
    case "number":
      return Number.isInteger(v) ? "integer" : "number";
    case "string":
      return "string";
    default:
      return "object";
  }
}

/** "string \"abc\"", "integer 5", "number 1.5", "boolean true", "null", "object", "array". */
export function describeValue(v: unknown): string {
  const t = jsonTypeOf(v);
  switch (t) {
    case "string": {
      const str = v as string;
      return `string ${JSON.stringify(str.length > 40 ? `${str.slice(0, 37)}...` : str)}`;
    }
    case "integer":
    case "number":
    case "boolean":
      return `${t} ${String(v)}`;
    default:
      return t;
  }
}

function literalText(v: string | number | boolean): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

function rangeText(sc: NumberSchema): string {
  const lo = sc.minimum !== undefined ? `${sc.minimum}` : undefined;
  const hi = sc.maximum !== undefined ? `${sc.maximum}` : undefined;
  const parts: string[] = [];
  if (lo !== undefined && hi !== undefined) parts.push(`from ${lo} to ${hi}`);
  else if (lo !== undefined) parts.push(`>= ${lo}`);
  else if (hi !== undefined) parts.push(`<= ${hi}`);
  if (sc.exclusiveMinimum !== undefined) parts.push(`> ${sc.exclusiveMinimum}`);
  if (sc.exclusiveMaximum !== undefined) parts.push(`< ${sc.exclusiveMaximum}`);
  return parts.length ? ` ${parts.join(" and ")}` : "";
}

/** Words for what a schema accepts, used as "expected <this>". */
export function describeSchema(sc: Schema): string {
  switch (sc.kind) {
    case "string": {
      const st = sc as StringSchema;
      if (st.patternHint) return st.patternHint;
      if (st.pattern) return `string matching /${st.pattern}/`;
      if (st.minLength === 1) return "non-empty string";
      return "string";
    }
    case "enum":
      return `one of ${(sc as EnumSchema<string | number>).values.map(literalText).join(", ")}`;
    case "literal":
      return literalText((sc as LiteralSchema<string | number | boolean>).value);
    case "integer":
    case "number":
      return `${sc.kind}${rangeText(sc as NumberSchema)}`;
    case "boolean":
      return "boolean";
    case "any":
      return "any JSON value";
    case "array":
      return "array";
    case "record":
    case "object":
      return "object";
    case "union":
      return (sc as UnionSchema<readonly Schema[]>).anyOf.map(describeSchema).join(" or ");
    case "transform":
      return describeSchema((sc as TransformSchema<Schema, unknown>).inner);
  }
}

/** Which JSON types a schema could accept at all (used to pick the branch of a union to blame). */
function acceptsType(sc: Schema, t: JsonType): boolean {
  switch (sc.kind) {
    case "string":
      return t === "string";
    case "enum":
      return (sc as EnumSchema<string | number>).values.some((v) => jsonTypeOf(v) === t || (t === "integer" && typeof v === "number"));
    case "literal":
      return jsonTypeOf((sc as LiteralSchema<string | number | boolean>).value) === t;
    case "integer":
      return t === "integer";
    case "number":
      return t === "integer" || t === "number";
    case "boolean":
      return t === "boolean";
    case "any":
      return true;
    case "array":
      return t === "array";
    case "record":
    case "object":
      return t === "object";
    case "union":
      return (sc as UnionSchema<readonly Schema[]>).anyOf.some((b) => acceptsType(b, t));
    case "transform":
      return acceptsType((sc as TransformSchema<Schema, unknown>).inner, t);
  }
}

function mismatch(sc: Schema, v: unknown, pointer: string, issues: Issue[]): undefined {
  issues.push({ pointer, message: `expected ${describeSchema(sc)}, got ${describeValue(v)}` });
  return undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function check(sc: Schema, v: unknown, pointer: string, issues: Issue[]): unknown {
  switch (sc.kind) {
    case "string": {
      const st = sc as StringSchema;
      if (typeof v !== "string") return mismatch(sc, v, pointer, issues);
      if (
        (st.minLength !== undefined && v.length < st.minLength) ||
        (st.maxLength !== undefined && v.length > st.maxLength) ||
        (st.pattern !== undefined && !new RegExp(st.pattern, "u").test(v))
      ) {
        return mismatch(sc, v, pointer, issues);
      }
      return v;
    }
    case "enum": {
      const values = (sc as EnumSchema<string | number>).values;
      if (values.includes(v as string | number)) return v;
      const hint = typeof v === "string" ? didYouMean(v, values.filter((x) => typeof x === "string") as string[]) : "";
      issues.push({ pointer, message: `expected ${describeSchema(sc)}, got ${describeValue(v)}${hint}` });
      return undefined;
    }
    case "literal":
      if (v === (sc as LiteralSchema<string | number | boolean>).value) return v;
      return mismatch(sc, v, pointer, issues);
    case "integer":
    case "number": {
      const ns = sc as NumberSchema;
      if (typeof v !== "number" || !Number.isFinite(v) || (sc.kind === "integer" && !Number.isInteger(v))) {
        return mismatch(sc, v, pointer, issues);
      }
      if (
        (ns.minimum !== undefined && v < ns.minimum) ||
        (ns.maximum !== undefined && v > ns.maximum) ||
        (ns.exclusiveMinimum !== undefined && v <= ns.exclusiveMinimum) ||
        (ns.exclusiveMaximum !== undefined && v >= ns.exclusiveMaximum)
      ) {
        return mismatch(sc, v, pointer, issues);
      }
      return v;
    }
    case "boolean":
      if (typeof v === "boolean") return v;
      return mismatch(sc, v, pointer, issues);
    case "any":
      return v;
    case "array": {
      const as = sc as ArraySchema<Schema>;
      if (!Array.isArray(v)) return mismatch(sc, v, pointer, issues);
      const before = issues.length;
      if (as.minItems !== undefined && v.length < as.minItems) {
        issues.push({ pointer, message: `expected at least ${as.minItems} item${as.minItems === 1 ? "" : "s"}, got ${v.length}` });
      }
      if (as.maxItems !== undefined && v.length > as.maxItems) {
        issues.push({ pointer, message: `expected at most ${as.maxItems} item${as.maxItems === 1 ? "" : "s"}, got ${v.length}` });
      }
      const out = v.map((item, i) => check(as.items, item, pointerJoin(pointer, i), issues));
      if (as.uniqueItems) {
        const seen = new Map<string, number>();
        v.forEach((item, i) => {
          const key = JSON.stringify(item);
          const first = seen.get(key);
          if (first === undefined) seen.set(key, i);
          else
            issues.push({
              pointer: pointerJoin(pointer, i),
              message: `duplicate item ${describeValue(item)} (same as ${pointerJoin(pointer, first)})`,
            });
        });
      }
      return issues.length === before ? out : undefined;
    }
    case "record": {
      const rs = sc as RecordSchema<Schema>;
      if (!isPlainObject(v)) return mismatch(sc, v, pointer, issues);
      const keys = Object.keys(v);
      if (rs.minProperties !== undefined && keys.length < rs.minProperties) {
        issues.push({
          pointer,
          message: `expected at least ${rs.minProperties} entr${rs.minProperties === 1 ? "y" : "ies"}, got ${keys.length}`,
        });
      }
      const re = rs.keyPattern !== undefined ? new RegExp(rs.keyPattern, "u") : undefined;
      const out: Record<string, unknown> = {};
      for (const k of keys) {
        const p = pointerJoin(pointer, k);
        if (re && !re.test(k)) {
          issues.push({ pointer: p, message: `invalid key ${JSON.stringify(k)}: expected ${rs.keyHint ?? `a key matching /${rs.keyPattern}/`}` });
          continue;
        }
        defineValue(out, k, check(rs.values, v[k], p, issues));
      }
      return out;
    }
    case "object": {
      const os = sc as ObjectSchema<Shape>;
      if (!isPlainObject(v)) return mismatch(sc, v, pointer, issues);
      const out: Record<string, unknown> = {};
      const known = Object.keys(os.shape);
      for (const k of known) {
        const entry = os.shape[k]!;
        const optional = entry.kind === "optional";
        const inner = optional ? (entry as Optional<Schema>).inner : (entry as Schema);
        if (!Object.prototype.hasOwnProperty.call(v, k)) {
          if (!optional) issues.push({ pointer, message: `missing required key ${JSON.stringify(k)}`, missingKey: k });
          continue;
        }
        defineValue(out, k, check(inner, v[k], pointerJoin(pointer, k), issues));
      }
      for (const k of Object.keys(v)) {
        if (Object.prototype.hasOwnProperty.call(os.shape, k)) continue;
        const p = pointerJoin(pointer, k);
        if (os.additional) {
          defineValue(out, k, check(os.additional, v[k], p, issues));
          continue;
        }
        const missing = known.filter((n) => !Object.prototype.hasOwnProperty.call(v, n));
        const hint = suggest(k, missing) ?? suggest(k, known);
        issues.push({
          pointer: p,
          message:
            hint !== undefined
              ? `unknown key ${JSON.stringify(k)} (did you mean ${JSON.stringify(hint)}?)`
              : `unknown key ${JSON.stringify(k)}; allowed keys: ${known.map((n) => JSON.stringify(n)).join(", ")}`,
        });
      }
      return out;
    }
    case "union": {
      const branches = (sc as UnionSchema<readonly Schema[]>).anyOf;
      const t = jsonTypeOf(v);
      const candidates: { issues: Issue[]; branch: Schema }[] = [];
      for (const b of branches) {
        const local: Issue[] = [];
        const out = check(b, v, pointer, local);
        if (local.length === 0) return out;
        if (acceptsType(b, t)) candidates.push({ issues: local, branch: b });
      }
      // Exactly one branch takes this JSON type: its own, more precise, complaint is the useful one.
      if (candidates.length === 1) {
        issues.push(...candidates[0]!.issues);
        return undefined;
      }
      return mismatch(sc, v, pointer, issues);
    }
    case "transform": {
      const ts = sc as TransformSchema<Schema, unknown>;
      const before = issues.length;
      const inner = check(ts.inner, v, pointer, issues);
      if (issues.length !== before) return undefined;
      const out = ts.to(inner as never);
      const problem = ts.refine?.(out);
      if (problem !== undefined) {
        issues.push({ pointer, message: `expected ${problem}, got ${describeValue(v)}` });
        return undefined;
      }
      return out;
    }
  }
}

/** Assign without ever touching a prototype (a manifest key may be "__proto__"). */
function defineValue(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

// ------------------------------------------------------------------------------------------------ JSON Schema

export const JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema";

type JsonObject = { [key: string]: Json };

/** The JSON Schema (draft 2020-12) for a schema, without the `$schema` header. */
export function toJsonSchema(sc: Schema): JsonObject {
  const out: JsonObject = {};
  if (sc.description !== undefined) out.description = sc.description;
  switch (sc.kind) {
    case "string": {
      const st = sc as StringSchema;
      out.type = "string";
      if (st.pattern !== undefined) out.pattern = st.pattern;
      if (st.minLength !== undefined) out.minLength = st.minLength;
      if (st.maxLength !== undefined) out.maxLength = st.maxLength;
      break;
    }
    case "enum": {
      const values = (sc as EnumSchema<string | number>).values;
      if (values.every((x) => typeof x === "string")) out.type = "string";
      else if (values.every((x) => Number.isInteger(x))) out.type = "integer";
      out.enum = [...values];
      break;
    }
    case "literal":
      out.const = (sc as LiteralSchema<string | number | boolean>).value;
      break;
    case "integer":
    case "number": {
      const ns = sc as NumberSchema;
      out.type = sc.kind;
      if (ns.minimum !== undefined) out.minimum = ns.minimum;
      if (ns.maximum !== undefined) out.maximum = ns.maximum;
      if (ns.exclusiveMinimum !== undefined) out.exclusiveMinimum = ns.exclusiveMinimum;
      if (ns.exclusiveMaximum !== undefined) out.exclusiveMaximum = ns.exclusiveMaximum;
      break;
    }
    case "boolean":
      out.type = "boolean";
      break;
    case "any":
      break;
    case "array": {
      const as = sc as ArraySchema<Schema>;
      out.type = "array";
      out.items = toJsonSchema(as.items);
      if (as.minItems !== undefined) out.minItems = as.minItems;
      if (as.maxItems !== undefined) out.maxItems = as.maxItems;
      if (as.uniqueItems !== undefined) out.uniqueItems = as.uniqueItems;
      break;
    }
    case "record": {
      const rs = sc as RecordSchema<Schema>;
      out.type = "object";
      if (rs.keyPattern !== undefined) out.propertyNames = { pattern: rs.keyPattern };
      out.additionalProperties = toJsonSchema(rs.values);
      if (rs.minProperties !== undefined) out.minProperties = rs.minProperties;
      break;
    }
    case "object": {
      const os = sc as ObjectSchema<Shape>;
      out.type = "object";
      const properties: JsonObject = {};
      const required: string[] = [];
      for (const [k, entry] of Object.entries(os.shape)) {
        if (entry.kind === "optional") properties[k] = toJsonSchema((entry as Optional<Schema>).inner);
        else {
          properties[k] = toJsonSchema(entry as Schema);
          required.push(k);
        }
      }
      out.properties = properties;
      if (required.length) out.required = required;
      out.additionalProperties = os.additional ? toJsonSchema(os.additional) : false;
      break;
    }
    case "union":
      out.anyOf = (sc as UnionSchema<readonly Schema[]>).anyOf.map(toJsonSchema);
      break;
    case "transform": {
      const inner = toJsonSchema((sc as TransformSchema<Schema, unknown>).inner);
      for (const [k, v] of Object.entries(inner)) if (!(k in out)) out[k] = v;
      break;
    }
  }
  if (sc.default !== undefined) out.default = sc.default;
  if (sc.examples !== undefined) out.examples = [...sc.examples];
  if (sc.jsonSchema) for (const [k, v] of Object.entries(sc.jsonSchema)) out[k] = v;
  return out;
}

/** A complete JSON Schema document: `$schema`, `title`, then the schema. */
export function jsonSchemaDocument(sc: Schema, title: string): JsonObject {
  return { $schema: JSON_SCHEMA_DIALECT, title, ...toJsonSchema(sc) };
}

/**
 * The JSON Schema of an RFC 7396 merge patch for documents of `sc`: objects lose their required keys, every
 * member may also be `null` (delete), and anything that is not an object must be given whole (it replaces).
 * Editors use it for overlays (a board manifest with `extends`).
 */
export function toMergePatchJsonSchema(sc: Schema): JsonObject {
  const nullable = (inner: JsonObject): JsonObject => ({ anyOf: [inner, { type: "null", description: "Delete this key from the base." }] });
  if (sc.kind === "object") {
    const os = sc as ObjectSchema<Shape>;
    const properties: JsonObject = {};
    for (const [k, entry] of Object.entries(os.shape)) {
      const inner = entry.kind === "optional" ? (entry as Optional<Schema>).inner : (entry as Schema);
      properties[k] = nullable(toMergePatchJsonSchema(inner));
    }
    const out: JsonObject = {};
    if (sc.description !== undefined) out.description = sc.description;
    out.type = "object";
    out.properties = properties;
    out.additionalProperties = os.additional ? nullable(toMergePatchJsonSchema(os.additional)) : false;
    return out;
  }
  if (sc.kind === "record") {
    const rs = sc as RecordSchema<Schema>;
    const out: JsonObject = {};
    if (sc.description !== undefined) out.description = sc.description;
    out.type = "object";
    if (rs.keyPattern !== undefined) out.propertyNames = { pattern: rs.keyPattern };
    out.additionalProperties = nullable(toMergePatchJsonSchema(rs.values));
    return out;
  }
  if (sc.kind === "transform") {
    const inner = (sc as TransformSchema<Schema, unknown>).inner;
    if (inner.kind === "object" || inner.kind === "record") {
      const out = toMergePatchJsonSchema(inner);
      if (sc.description !== undefined) out.description = sc.description;
      return out;
    }
  }
  return toJsonSchema(sc);
}
