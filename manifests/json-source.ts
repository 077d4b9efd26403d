/**
 * A strict JSON (RFC 8259) parser that keeps where everything came from, so every manifest error can say
 * `file:line:column: /json/pointer: message`.
 *
 * - Every node records its file, line and column (1-based; columns count UTF-16 code units, as editors do).
 * - Object members also record where their key is: errors about a member point at its key.
 * - Syntax errors name the JSON pointer being parsed and say what was expected ("missing \",\" before key …",
 *   "trailing comma before \"}\"", "comments are not allowed in JSON").
 * - Duplicate keys are errors (RFC 8259 leaves them undefined; in a manifest one of them is always a mistake).
 * - `mergePatch` applies RFC 7396 to located trees: every value keeps the location of the file it came from,
 *   and keys deleted by `null` remember the `null` that deleted them.
 *
 * No dependencies; no Node APIs (the file reading is in load.ts).
 */

export interface Loc {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface Member {
  readonly key: string;
  readonly keyLoc: Loc;
  readonly value: JsonNode;
}
export interface ObjectNode {
  readonly type: "object";
  readonly loc: Loc;
  readonly members: readonly Member[];
  /** Keys an RFC 7396 patch removed with `null`, and where that `null` was. */
  readonly deleted?: ReadonlyMap<string, Loc>;
}
export interface ArrayNode {
  readonly type: "array";
  readonly loc: Loc;
  readonly items: readonly JsonNode[];
}
export interface ScalarNode {
  readonly type: "string" | "number" | "boolean" | "null";
  readonly loc: Loc;
  readonly value: string | number | boolean | null;
}
export type JsonNode = ObjectNode | ArrayNode | ScalarNode;

export class JsonSyntaxError extends Error {
  constructor(
    readonly loc: Loc,
    /** JSON pointer of the value being parsed when the error was found. */
    readonly pointer: string,
    readonly detail: string,
  ) {
    super(`${loc.file}:${loc.line}:${loc.column}: ${pointer === "" ? "(root)" : pointer}: ${detail}`);
    this.name = "JsonSyntaxError";
  }
}

function escapeToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

function describeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code < 0x20 || code === 0x7f) return `control character U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  return JSON.stringify(ch);
}

const WORD = /[A-Za-z0-9_$+\-.]/;

class Parser {
  #pos = 0;
  readonly #lineStarts: number[] = [0];
  readonly #path: string[] = [];

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.#lineStarts.push(i + 1);
  }

  loc(offset: number): Loc {
    let lo = 0;
    let hi = this.#lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, column: offset - this.#lineStarts[lo]! + 1 };
  }

  pointer(): string {
    return this.#path.map((t) => `/${escapeToken(t)}`).join("");
  }

  fail(offset: number, detail: string): never {
    throw new JsonSyntaxError(this.loc(offset), this.pointer(), detail);
  }

  /** What is at `offset`, for messages: a word ("True", "NaN"), a character, or the end of the file. */
  found(offset: number): string {
    if (offset >= this.text.length) return "end of file";
    const ch = this.text[offset]!;
    if (/[A-Za-z]/.test(ch)) {
      let end = offset;
      while (end < this.text.length && WORD.test(this.text[end]!)) end++;
      return JSON.stringify(this.text.slice(offset, Math.min(end, offset + 20)));
    }
    return describeChar(ch);
  }

  /** A fault at `offset` where `expected` was wanted, with the common mistakes named. */
  unexpected(offset: number, expected: string): never {
    const ch = this.text[offset];
    if (ch === "/" && (this.text[offset + 1] === "/" || this.text[offset + 1] === "*")) this.fail(offset, "comments are not allowed in JSON");
    if (ch === "'") this.fail(offset, "strings must use double quotes, not single quotes");
    if (offset >= this.text.length) this.fail(offset, `unexpected end of file (expected ${expected})`);
    this.fail(offset, `unexpected ${this.found(offset)} (expected ${expected})`);
  }

  skipWs(): void {
    const t = this.text;
    while (this.#pos < t.length) {
      const c = t.charCodeAt(this.#pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.#pos++;
      else break;
    }
  }

  parseDocument(): JsonNode {
    if (this.text.charCodeAt(0) === 0xfeff) this.#pos = 1;
    this.skipWs();
    const node = this.parseValue();
    this.skipWs();
    if (this.#pos < this.text.length) {
      this.#path.length = 0;
      this.unexpected(this.#pos, "end of file after the top-level value");
    }
    return node;
  }

  parseValue(): JsonNode {
    const start = this.#pos;
    const ch = this.text[start];
    switch (ch) {
      case "{":
        return this.parseObject();
      case "[":
        return this.parseArray();
      case '"':
        return { type: "string", loc: this.loc(start), value: this.parseString() };
      case "t":
      case "f":
      case "n":
        return this.parseLiteral();
      default:
        if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) return this.parseNumber();
        if (ch !== undefined && /[A-Za-z]/.test(ch)) {
          this.fail(start, `unexpected ${this.found(start)} (expected a value; JSON's literals are true, false and null)`);
        }
        this.unexpected(start, "a value");
    }
  }

  parseLiteral(): ScalarNode {
    const start = this.#pos;
    for (const [word, value] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (this.text.startsWith(word, start) && !WORD.test(this.text[start + word.length] ?? " ")) {
        this.#pos += word.length;
        return { type: value === null ? "null" : "boolean", loc: this.loc(start), value };
      }
    }
    this.fail(start, `unexpected ${this.found(start)} (expected a value; JSON's literals are true, false and null)`);
  }

  parseNumber(): ScalarNode {
    const t = this.text;
    const start = this.#pos;
    let i = start;
    if (t[i] === "-") i++;
    if (t[i] === "0") {
      i++;
      if (t[i] !== undefined && t[i]! >= "0" && t[i]! <= "9") this.fail(start, "leading zeros are not allowed in JSON numbers");
    } else if (t[i] !== undefined && t[i]! >= "1" && t[i]! <= "9") {
      while (t[i] !== undefined && t[i]! >= "0" && t[i]! <= "9") i++;
    } else {
      this.fail(i, `expected a digit in number, found ${this.found(i)}`);
    }
    if (t[i] === ".") {
      i++;
      if (!(t[i] !== undefined && t[i]! >= "0" && t[i]! <= "9")) this.fail(i, `expected a digit after "." in number, found ${this.found(i)}`);
      while (t[i] !== undefined && t[i]! >= "0" && t[i]! <= "9") i++;
    }
    if (t[i] === "e" || t[i] === "E") {
      i++;
      if (t[i] === "+" || t[i] === "-") i++;
      if (!(t[i] !== undefined && t[i]! >= "0" && t[i]! <= "9")) this.fail(i, `expected a digit in the exponent, found ${this.found(i)}`);
      while (t[i] !== undefined && t[i]! >= "0" && t[i]! <= "9") i++;
    }
    if (t[i] !== undefined && /[A-Za-z_.]/.test(t[i]!)) {
      let end = i;
      while (end < t.length && WORD.test(t[end]!)) end++;
      this.fail(start, `invalid number ${JSON.stringify(t.slice(start, end))} (JSON numbers are decimal; write hex as a string such as "0x76")`);
    }
    const literal = t.slice(start, i);
    const value = Number(literal);
    // Beyond 2^53 a double no longer holds every integer: the value read would not be the one written.
    if (!(Math.abs(value) <= Number.MAX_SAFE_INTEGER)) {
      this.fail(start, `number ${literal} is beyond 2^53 - 1 (9007199254740991): JSON numbers that large lose precision, and no manifest figure is that large`);
    }
    this.#pos = i;
    return { type: "number", loc: this.loc(start), value };
  }

  parseString(): string {
    const t = this.text;
    const start = this.#pos;
    let i = start + 1;
    let out = "";
    for (;;) {
      if (i >= t.length) this.fail(start, "unterminated string");
      const c = t.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) {
        if (c === 0x0a || c === 0x0d) this.fail(start, "unterminated string (line break inside a string; write \\n)");
        this.fail(i, `unescaped ${describeChar(t[i]!)} in string`);
      }
      if (c === 0x5c) {
        const e = t[i + 1];
        switch (e) {
          case '"':
            out += '"';
            break;
          case "\\":
            out += "\\";
            break;
          case "/":
            out += "/";
            break;
          case "b":
            out += "\b";
            break;
          case "f":
            out += "\f";
            break;
          case "n":
            out += "\n";
            break;
          case "r":
            out += "\r";
            break;
          case "t":
            out += "\t";
            break;
          case "u": {
            const hex = t.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail(i, `invalid escape "\\u${hex}" in string (expected 4 hex digits)`);
            out += String.fromCharCode(parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            this.fail(i, `invalid escape "\\${e ?? ""}" in string`);
        }
        i += 2;
        continue;
      }
      out += t[i];
      i++;
    }
    this.#pos = i + 1;
    return out;
  }

  parseObject(): ObjectNode {
    const start = this.#pos;
    this.#pos++; // {
    const members: Member[] = [];
    const seen = new Map<string, Loc>();
    this.skipWs();
    if (this.text[this.#pos] === "}") {
      this.#pos++;
      return { type: "object", loc: this.loc(start), members };
    }
    for (;;) {
      this.skipWs();
      const keyStart = this.#pos;
      if (this.text[keyStart] !== '"') {
        if (this.text[keyStart] === "}" && members.length > 0) this.fail(this.#lastComma, 'trailing comma before "}"');
        this.unexpected(keyStart, "a key in double quotes");
      }
      const key = this.parseString();
      const keyLoc = this.loc(keyStart);
      this.#path.push(key);
      const first = seen.get(key);
      if (first) this.fail(keyStart, `duplicate key ${JSON.stringify(key)} (first at line ${first.line}, column ${first.column})`);
      seen.set(key, keyLoc);
      this.skipWs();
      if (this.text[this.#pos] !== ":") this.unexpected(this.#pos, `":" after key ${JSON.stringify(key)}`);
      this.#pos++;
      this.skipWs();
      const value = this.parseValue();
      members.push({ key, keyLoc, value });
      this.skipWs();
      const next = this.text[this.#pos];
      if (next === ",") {
        this.#lastComma = this.#pos;
        this.#pos++;
        this.#path.pop();
        continue;
      }
      if (next === "}") {
        this.#pos++;
        this.#path.pop();
        return { type: "object", loc: this.loc(start), members };
      }
      this.#path.pop();
      if (next === '"') {
        const save = this.#pos;
        const nextKey = this.parseString();
        this.#pos = save;
        this.fail(save, `missing "," before key ${JSON.stringify(nextKey)}`);
      }
      this.unexpected(this.#pos, '"," or "}" after an object member');
    }
  }

  #lastComma = 0;

  parseArray(): ArrayNode {
    const start = this.#pos;
    this.#pos++; // [
    const items: JsonNode[] = [];
    this.skipWs();
    if (this.text[this.#pos] === "]") {
      this.#pos++;
      return { type: "array", loc: this.loc(start), items };
    }
    for (;;) {
      this.skipWs();
      if (this.text[this.#pos] === "]" && items.length > 0) this.fail(this.#lastComma, 'trailing comma before "]"');
      this.#path.push(String(items.length));
      items.push(this.parseValue());
      this.#path.pop();
      this.skipWs();
      const next = this.text[this.#pos];
      if (next === ",") {
        this.#lastComma = this.#pos;
        this.#pos++;
        continue;
      }
      if (next === "]") {
        this.#pos++;
        return { type: "array", loc: this.loc(start), items };
      }
      if (next !== undefined && /["\-0-9{[tfn]/.test(next)) this.fail(this.#pos, "missing \",\" between array items");
      this.unexpected(this.#pos, '"," or "]" after an array item');
    }
  }
}

/** Parse `text` (the contents of `file`); throws `JsonSyntaxError`. */
export function parseJson(text: string, file: string): JsonNode {
  return new Parser(text, file).parseDocument();
}

/** The plain value of a located tree. Keys are defined, never assigned, so "__proto__" stays data. */
export function toValue(node: JsonNode): unknown {
  switch (node.type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const m of node.members) Object.defineProperty(out, m.key, { value: toValue(m.value), enumerable: true, writable: true, configurable: true });
      return out;
    }
    case "array":
      return node.items.map(toValue);
    default:
      return node.value;
  }
}

export function member(node: JsonNode | undefined, key: string): Member | undefined {
  if (!node || node.type !== "object") return undefined;
  for (const m of node.members) if (m.key === key) return m;
  return undefined;
}

function unescapeToken(t: string): string {
  return t.replace(/~1/g, "/").replace(/~0/g, "~");
}

export interface Located {
  /** The node at the pointer (undefined when the pointer goes past what exists). */
  readonly node: JsonNode | undefined;
  /** Where to report: the member's key, the array item, or the nearest existing ancestor. */
  readonly loc: Loc;
  /** Whether `node` is the node the pointer names (false: `loc` is an ancestor's). */
  readonly exact: boolean;
  /** For a missing object key: where an RFC 7396 `null` deleted it, if one did. */
  readonly deletedAt?: Loc;
}

/** Find `pointer` in a located tree. */
export function locate(root: JsonNode, pointer: string): Located {
  let node: JsonNode = root;
  let loc = root.loc;
  const tokens = pointer === "" ? [] : pointer.slice(1).split("/").map(unescapeToken);
  for (const token of tokens) {
    if (node.type === "object") {
      const m = member(node, token);
      if (!m) {
        const deletedAt = node.deleted?.get(token);
        return deletedAt ? { node: undefined, loc, exact: false, deletedAt } : { node: undefined, loc, exact: false };
      }
      node = m.value;
      loc = m.keyLoc;
    } else if (node.type === "array" && /^(0|[1-9][0-9]*)$/.test(token) && Number(token) < node.items.length) {
      node = node.items[Number(token)]!;
      loc = node.loc;
    } else {
      return { node: undefined, loc, exact: false };
    }
  }
  return { node, loc, exact: true };
}

/**
 * RFC 7396 JSON Merge Patch on located trees: objects merge member by member, `null` deletes, anything else
 * (arrays included) replaces. The result shares unchanged subtrees with its inputs, which it never modifies.
 */
export function mergePatch(target: JsonNode | undefined, patch: JsonNode): JsonNode {
  if (patch.type !== "object") return patch;
  const base: ObjectNode = target?.type === "object" ? target : { type: "object", loc: patch.loc, members: [] };
  const members = new Map<string, Member>();
  for (const m of base.members) members.set(m.key, m);
  const deleted = new Map<string, Loc>(base.deleted ?? []);
  for (const pm of patch.members) {
    if (pm.value.type === "null") {
      members.delete(pm.key);
      deleted.set(pm.key, pm.keyLoc);
      continue;
    }
    const prev = members.get(pm.key);
    members.set(pm.key, { key: pm.key, keyLoc: pm.keyLoc, value: mergePatch(prev?.value, pm.value) });
    deleted.delete(pm.key);
  }
  return deleted.size > 0
    ? { type: "object", loc: patch.loc, members: [...members.values()], deleted }
    : { type: "object", loc: patch.loc, members: [...members.values()] };
}
