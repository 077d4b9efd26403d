/**
 * Configuration downlinks read by runtime/settings.ts: its own grammar and messages, checked against V8's
 * JSON.parse as an independent judge of what is JSON (a payload it accepts must be JSON with the same values; a
 * payload JSON.parse rejects must be refused as not JSON).
 */
import { describe, expect, it } from "vitest";
import { parseSettings, type IntegerSetting, type Setting } from "../../runtime/settings.js";
import { mulberry32 } from "../helpers/random.js";

const SETTINGS: readonly IntegerSetting[] = [{ name: "reportS", min: 60, max: 3600 }];
const TWO: readonly IntegerSetting[] = [...SETTINGS, { name: "airS", min: 1, max: 600 }];
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const read = (s: string | Uint8Array, settings: readonly Setting[] = SETTINGS) => parseSettings(typeof s === "string" ? bytes(s) : s, settings);

describe("parseSettings", () => {
  it("reads integer settings, whatever the JSON spelling of the number", () => {
    for (const text of ['{"reportS":300}', ' \t\r\n{ "reportS" : 300 }\n', '{"reportS":300.0}', '{"reportS":3e2}', '{"reportS":3E+2}', '{"reportS":30000e-2}', '{"reportS":0.3e3}']) {
      expect(read(text), text).toEqual({ values: [300] });
    }
    expect(read('{"airS": 5, "reportS": 60}', TWO)).toEqual({ values: [60, 5] });
    expect(read('{"airS": 5}', TWO)).toEqual({ values: [undefined, 5] });
    expect(read('{"reportS":3600}')).toEqual({ values: [3600] });
  });

  it("answers every refusal with its own message", () => {
    const cases: [string, string][] = [
      ["", "config is not JSON: expected a value at byte 0"],
      ["   ", "config is not JSON: expected a value at byte 3"],
      ["reportS=300", "config is not JSON: expected a value at byte 0"],
      ['{"reportS":300', "config is not JSON: expected , or } at byte 14"],
      ['{"reportS":300,}', 'config is not JSON: expected " at byte 15'],
      ['{"reportS":300} x', "config is not JSON: expected the end at byte 16"],
      ['{"reportS" 300}', "config is not JSON: expected : at byte 11"],
      ["{reportS:300}", 'config is not JSON: expected " or } at byte 1'],
      ['{"reportS', 'config is not JSON: expected a closing " at byte 9'],
      ['{"rep\\xortS":1}', "config is not JSON: bad escape at byte 5"],
      ['{"rep\nortS":1}', "config is not JSON: control character in a string at byte 5"],
      ['{"reportS":3.}', "config is not JSON: expected a digit at byte 13"],
      ['{"reportS":3e}', "config is not JSON: expected a digit at byte 13"],
      ['{"reportS":tru}', "config is not JSON: expected a value at byte 11"],
      ['{"reportS":[1,2}', "config is not JSON: expected , or ] at byte 15"],
      // The grammar is checked whole: a broken payload is answered as such even after another problem.
      ['{"reportS":0300}', "config is not JSON: expected , or } at byte 12"],
      ['{"foo":1,"x"[1]}', "config is not JSON: expected : at byte 12"],
      ["[300]", "config must be a JSON object, not an array"],
      ["300", "config must be a JSON object, not a number"],
      ['"reportS"', "config must be a JSON object, not a string"],
      ["null", "config must be a JSON object, not null"],
      ["false", "config must be a JSON object, not true or false"],
      ["{}", "config sets nothing (settable: reportS)"],
      ['{"foo":1}', 'unknown setting "foo" (settable: reportS)'],
      ['{"reportS":300,"report":1}', 'unknown setting "report" (settable: reportS)'],
      // Names are compared as written: an escape spelling "reportS" is not the setting.
      ['{"rep\\u006frtS":300}', "unknown setting at byte 1 (settable: reportS)"],
      ['{"répertoire":1}', "unknown setting at byte 1 (settable: reportS)"],
      ['{"reportS":300,"reportS":600}', 'setting "reportS" is given twice'],
      ['{"reportS":59}', "reportS must be an integer in [60, 3600]"],
      ['{"reportS":3601}', "reportS must be an integer in [60, 3600]"],
      ['{"reportS":300.5}', "reportS must be an integer in [60, 3600]"],
      ['{"reportS":-300}', "reportS must be an integer in [60, 3600]"],
      ['{"reportS":"300"}', "reportS must be an integer in [60, 3600]"],
      ['{"reportS":null}', "reportS must be an integer in [60, 3600]"],
      ['{"reportS":{"a":1}}', "reportS must be an integer in [60, 3600]"],
      ['{"reportS":[]}', "reportS must be an integer in [60, 3600]"],
      ['{"reportS":1e400}', "reportS must be an integer in [60, 3600]"],
      ['{"reportS":300.00000000000000000001}', "reportS must be an integer in [60, 3600]"],
      ['{"foo":1,"reportS":5}', 'unknown setting "foo" (settable: reportS)'],
    ];
    for (const [text, error] of cases) expect(read(text), text).toEqual({ error });
    expect(read(bytes(`{"reportS":${"0".repeat(300)}}`))).toEqual({ error: "config is longer than 256 bytes" });
    expect(read(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))).toEqual({ error: "unknown setting at byte 1 (settable: reportS)" });
  });

  it("walks a deep nesting without recursion", () => {
    expect(read("[".repeat(250) + "]".repeat(6))).toEqual({ error: "config is not JSON: expected , or ] at byte 256" });
    expect(read(`{"reportS":${"[".repeat(120)}${"]".repeat(120)}}`)).toEqual({ error: "reportS must be an integer in [60, 3600]" });
  });

  it("agrees with JSON.parse on what is JSON, over 20,000 mutated payloads", () => {
    const next = mulberry32(8);
    const seeds = ['{"reportS":300}', '{ "reportS" : 3e2 }', '{"reportS":-0.5E-1,"x":[1,{"y":"\\u0041"}]}', '{"reportS":"a\\"b"}', "{}"];
    const alphabet = '{}[]":,.-+eE0123456789 \t\n\\u/abrtnfxS\u00e9';
    let accepted = 0;
    let refusedAsJson = 0;
    for (let n = 0; n < 20_000; n++) {
      let s = seeds[Math.floor(next() * seeds.length)]!;
      const edits = 1 + Math.floor(next() * 3);
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(next() * (s.length + 1));
        const c = alphabet[Math.floor(next() * alphabet.length)]!;
        const op = next();
        s = op < 0.4 ? s.slice(0, at) + c + s.slice(at) : op < 0.7 ? s.slice(0, at) + s.slice(at + 1) : s.slice(0, at) + c + s.slice(at + 1);
      }
      let parsed: unknown;
      let isJson = true;
      try {
        parsed = JSON.parse(s);
      } catch {
        isJson = false;
      }
      const r = read(s);
      if ("values" in r) {
        accepted++;
        expect(isJson, s).toBe(true);
        expect(parsed, s).toEqual({ reportS: r.values[0] });
      } else if (!isJson) {
        refusedAsJson++;
        expect(r.error, s).toMatch(/^config is not JSON: /);
      } else {
        expect(r.error, s).not.toMatch(/^config is not JSON/);
        const isObject = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
        expect(r.error.startsWith("config must be a JSON object"), s).toBe(!isObject);
      }
    }
    expect(accepted).toBeGreaterThan(100);
    expect(refusedAsJson).toBeGreaterThan(5000);
  });

  it("reads a text setting as written: 1–maxLength printable ASCII characters, no escapes, not a number", () => {
    const WITH_TEXT: readonly Setting[] = [...SETTINGS, { name: "cal", maxLength: 12 }];
    const refused = { error: "cal must be a string of 1–12 printable ASCII characters without escapes" };
    expect(read('{"cal":"ph,mid,7.00"}', WITH_TEXT)).toEqual({ values: [undefined, "ph,mid,7.00"] });
    expect(read('{"reportS":60,"cal":"x"}', WITH_TEXT)).toEqual({ values: [60, "x"] });
    expect(read('{"cal":"123456789012"}', WITH_TEXT)).toEqual({ values: [undefined, "123456789012"] });
    for (const bad of ['{"cal":"1234567890123"}', '{"cal":""}', '{"cal":7}', '{"cal":null}', '{"cal":["ph"]}', '{"cal":"a\\"b"}', '{"cal":"a\\u0041"}', '{"cal":"\u00b5"}']) {
      expect(read(bad, WITH_TEXT), bad).toEqual(refused);
    }
    // An integer setting still refuses a string, and the grammar comes first.
    expect(read('{"reportS":"300","cal":"x"}', WITH_TEXT)).toEqual({ error: "reportS must be an integer in [60, 3600]" });
    expect(read('{"cal":"x}', WITH_TEXT)).toEqual({ error: 'config is not JSON: expected a closing " at byte 10' });
  });
});
