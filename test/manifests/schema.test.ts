/**
 * The schema builder (types, JSON Schema, validator) and the located JSON parser.
 * Independent references: V8's JSON.parse for parsing, RFC 7396 Appendix A for merge patches.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { JsonSyntaxError, locate, mergePatch, parseJson, toValue } from "../../manifests/json-source.js";
import type { Board } from "../../manifests/schema/board.js";
import { didYouMean, s, toJsonSchema, validate, type Static } from "../../manifests/schema/builder.js";
import { parsePinName } from "../../manifests/schema/pin-name.js";
import type { NodeConfig } from "../../manifests/schema/config.js";
import type { Device } from "../../manifests/schema/device.js";

const Sample = s.object({
  name: s.string({ minLength: 1 }),
  count: s.integer({ minimum: 0, maximum: 10 }),
  mode: s.optional(s.enumOf(["fast", "slow"])),
  tags: s.optional(s.array(s.string(), { uniqueItems: true })),
  map: s.optional(s.record(s.number())),
  either: s.optional(s.union([s.integer(), s.string({ pattern: "^0x[0-9a-f]+$", patternHint: 'hex string such as "0x10"' })])),
  hex: s.optional(s.transform(s.string({ pattern: "^0x[0-9a-f]+$" }), (v: string) => parseInt(v.slice(2), 16))),
});

describe("types", () => {
  it("Static gives required and optional keys, after transforms", () => {
    type T = Static<typeof Sample>;
    expectTypeOf<T>().toEqualTypeOf<{
      name: string;
      count: number;
      mode?: "fast" | "slow";
      tags?: string[];
      map?: Record<string, number>;
      either?: number | string;
      hex?: number;
    }>();
    expectTypeOf<Board["gpio"]["pins"]>().toEqualTypeOf<number[]>();
    expectTypeOf<Board["platform"]>().toEqualTypeOf<"esp32" | "nrf52">();
    expectTypeOf<Board["flash"]["partitions"]>().toEqualTypeOf<Record<string, { offset: number; size: number; description?: string }>>();
    expectTypeOf<Device["parts"][string]["pin"]>().toEqualTypeOf<string | number | undefined>();
    expectTypeOf<Device["uplink"]["qos"]>().toEqualTypeOf<0 | 1 | 2>();
    expectTypeOf<NodeConfig["uplink"]["interface"]>().toEqualTypeOf<"wifi" | "ethernet" | "cellular" | "lora" | "nbiot" | null>();
    expectTypeOf<NodeConfig["uplink"]["link"]>().toEqualTypeOf<"mqtt" | "lorawan" | "nbiot">();
  });
});

describe("validator", () => {
  it("accepts and normalises a valid value", () => {
    const r = validate(Sample, { name: "a", count: 3, hex: "0x1f", either: "0x10" });
    expect(r.issues).toEqual([]);
    expect(r.value).toEqual({ name: "a", count: 3, hex: 31, either: "0x10" });
  });

  it("reports every problem with its pointer", () => {
    const r = validate(Sample, { count: 11, mode: "fats", tags: ["x", "x"], map: { "a/b": "1" }, either: true, extra: 1, nmae: "x" });
    expect(r.value).toBeUndefined();
    expect(r.issues.map((i) => `${i.pointer}: ${i.message}`)).toEqual([
      ': missing required key "name"',
      "/count: expected integer from 0 to 10, got integer 11",
      '/mode: expected one of "fast", "slow", got string "fats" (did you mean "fast"?)',
      '/tags/1: duplicate item string "x" (same as /tags/0)',
      '/map/a~1b: expected number, got string "1"',
      '/either: expected integer or hex string such as "0x10", got boolean true',
      '/extra: unknown key "extra"; allowed keys: "name", "count", "mode", "tags", "map", "either", "hex"',
      '/nmae: unknown key "nmae" (did you mean "name"?)',
    ]);
  });

  it("blames the one union branch that takes the JSON type", () => {
    const r = validate(Sample, { name: "a", count: 1, either: "16" });
    expect(r.issues).toEqual([{ pointer: "/either", message: 'expected hex string such as "0x10", got string "16"' }]);
  });

  it("suggests only close names", () => {
    expect(didYouMean("adress", ["address", "port"])).toBe(' (did you mean "address"?)');
    expect(didYouMean("kmh_per_hz", ["kmhPerHz"])).toBe(' (did you mean "kmhPerHz"?)');
    expect(didYouMean("esp32-devkit", ["esp32-devkitc", "nrf52840-dk"])).toBe(' (did you mean "esp32-devkitc"?)');
    expect(didYouMean("zzz", ["address", "port"])).toBe("");
  });

  it("parses nRF port pin names as Moddable numbers them (P1.14 = 46)", () => {
    expect(parsePinName("P1.14")).toBe(46);
    expect(parsePinName("P0.03")).toBe(3);
    expect(parsePinName("P0.32")).toBeUndefined();
  });
});

describe("JSON Schema", () => {
  it("emits draft 2020-12 keywords", () => {
    expect(toJsonSchema(s.object({ a: s.integer({ minimum: 1 }), b: s.optional(s.record(s.enumOf(["x"]), { keyPattern: "^[a-z]+$" })) }))).toEqual({
      type: "object",
      properties: {
        a: { type: "integer", minimum: 1 },
        b: { type: "object", propertyNames: { pattern: "^[a-z]+$" }, additionalProperties: { type: "string", enum: ["x"] } },
      },
      required: ["a"],
      additionalProperties: false,
    });
    expect(toJsonSchema(s.union([s.integer(), s.literal("auto")], { description: "d" }))).toEqual({
      description: "d",
      anyOf: [{ type: "integer" }, { const: "auto" }],
    });
  });
});

describe("located JSON", () => {
  const docs = [
    '{"a": [1, -2.5e3, 0, true, false, null], "b": {"c": "\\u00e9\\n\\"x\\"", "d": {}}, "e": []}',
    "[]",
    '"str"',
    "  42  ",
    '{"__proto__": {"x": 1}}',
  ];
  it("parses as JSON.parse does", () => {
    for (const d of docs) expect(toValue(parseJson(d, "t.json"))).toStrictEqual(JSON.parse(d));
  });

  it("keeps the line and column of keys and items", () => {
    const text = '{\n  "parts": {\n    "vane": { "pin": 34 }\n  },\n  "list": [\n    1,\n    "x"\n  ]\n}\n';
    const root = parseJson(text, "t.json");
    expect(locate(root, "/parts/vane/pin").loc).toEqual({ file: "t.json", line: 3, column: 15 });
    expect(locate(root, "/list/1").loc).toEqual({ file: "t.json", line: 7, column: 5 });
    expect(locate(root, "/parts/vane/missing")).toMatchObject({ exact: false, loc: { line: 3, column: 5 } });
  });

  const syntax: [string, string][] = [
    ['{"a": 1,}', '1:8: (root): trailing comma before "}"'],
    ['{"a": 1 // note\n}', "1:9: (root): comments are not allowed in JSON"],
    ["{'a': 1}", "1:2: (root): strings must use double quotes, not single quotes"],
    ['{"a": 01}', "1:7: /a: leading zeros are not allowed in JSON numbers"],
    ['{"a": 0x76}', '1:7: /a: invalid number "0x76" (JSON numbers are decimal; write hex as a string such as "0x76")'],
    ['{"a": 1, "a": 2}', '1:10: /a: duplicate key "a" (first at line 1, column 2)'],
    ['{"a": "b\n"}', "1:7: /a: unterminated string (line break inside a string; write \\n)"],
    ['{"a": True}', '1:7: /a: unexpected "True" (expected a value; JSON\'s literals are true, false and null)'],
    ['{"a": [1 2]}', '1:10: /a: missing "," between array items'],
    ['{"a": {"b": 1', '1:14: /a: unexpected end of file (expected "," or "}" after an object member)'],
    ['{"a": 1} x', '1:10: (root): unexpected "x" (expected end of file after the top-level value)'],
  ];
  it.each(syntax)("reports %j as %s", (text, expected) => {
    try {
      parseJson(text, "t.json");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(JsonSyntaxError);
      expect((e as Error).message).toBe(`t.json:${expected}`);
    }
  });
});

describe("RFC 7396 merge patch (Appendix A vectors)", () => {
  const vectors: [string, string, string][] = [
    ['{"a":"b"}', '{"a":"c"}', '{"a":"c"}'],
    ['{"a":"b"}', '{"b":"c"}', '{"a":"b","b":"c"}'],
    ['{"a":"b"}', '{"a":null}', "{}"],
    ['{"a":"b","b":"c"}', '{"a":null}', '{"b":"c"}'],
    ['{"a":["b"]}', '{"a":"c"}', '{"a":"c"}'],
    ['{"a":"c"}', '{"a":["b"]}', '{"a":["b"]}'],
    ['{"a":{"b":"c"}}', '{"a":{"b":"d","c":null}}', '{"a":{"b":"d"}}'],
    ['{"a":[{"b":"c"}]}', '{"a":[1]}', '{"a":[1]}'],
    ['["a","b"]', '["c","d"]', '["c","d"]'],
    ['{"a":"b"}', '["c"]', '["c"]'],
    ['{"a":"foo"}', "null", "null"],
    ['{"a":"foo"}', '"bar"', '"bar"'],
    ['{"e":null}', '{"a":1}', '{"e":null,"a":1}'],
    ["[1,2]", '{"a":"b","c":null}', '{"a":"b"}'],
    ["{}", '{"a":{"bb":{"ccc":null}}}', '{"a":{"bb":{}}}'],
  ];
  it.each(vectors)("%s + %s = %s", (original, patch, result) => {
    const merged = mergePatch(parseJson(original, "base.json"), parseJson(patch, "patch.json"));
    expect(toValue(merged)).toStrictEqual(JSON.parse(result));
  });

  it("keeps where each merged value came from, and where null deleted", () => {
    const merged = mergePatch(parseJson('{"a": {"x": 1, "y": 2}, "b": 3}', "base.json"), parseJson('{"a": {"y": 5}, "b": null}', "patch.json"));
    expect(locate(merged, "/a/x").loc.file).toBe("base.json");
    expect(locate(merged, "/a/y").loc.file).toBe("patch.json");
    expect(locate(merged, "/b").deletedAt).toEqual({ file: "patch.json", line: 1, column: 17 });
  });
});
