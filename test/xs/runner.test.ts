/**
 * The host XS runner (tools/xs): how it is built and what its host API does.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildXsRunner, checkCompiler, ensureXsRunner, XsBuildError } from "../../tools/xs/build.js";
import { runXsModule, XsFatalError } from "../../tools/xs/process.js";

const dir = mkdtempSync(path.join(tmpdir(), "ganzhi-xs-runner-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, code: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, code);
  return file;
}

async function messages(code: string, options: { heapLimit?: number; budget?: number; input?: object[]; modules?: Record<string, string> } = {}) {
  const r = await runXsModule({ module: script(`m${Math.random().toString(36).slice(2)}.js`, code), ...options });
  return r;
}

describe("building the runner", () => {
  it("without a C compiler, fails with one line naming Debian's package", () => {
    expect(() => checkCompiler("ganzhi-no-such-cc")).toThrow(XsBuildError);
    expect(() => checkCompiler("ganzhi-no-such-cc")).toThrow(/^building the XS runner needs a C compiler, and "ganzhi-no-such-cc" was not found: install Debian's gcc package \(sudo apt-get install gcc, or build-essential\), or set CC$/);
  });

  it("is incremental: a second build compiles nothing and does not relink", async () => {
    await ensureXsRunner();
    const again = await buildXsRunner();
    expect(again.compiled).toBe(0);
    expect(again.linked).toBe(false);
  }, 300_000);
});

describe("the runner's host API", () => {
  it("is XS 13.3 from @agoric/xsnap, with device semantics: UTF-8 strings by code point, +0 from 0 × −1, no harden", async () => {
    const r = await messages(
      `$xs.send(JSON.stringify({ len: "😀".length, mz: Object.is(0 * -1, -0), harden: typeof harden, te: typeof TextEncoder, console: typeof console }));`,
    );
    expect(r.messages).toEqual([{ len: 1, mz: false, harden: "undefined", te: "undefined", console: "undefined" }]);
  });

  it("counts metering units, leaves out what runs between pause() and resume(), and reads stdin line by line", async () => {
    const r = await messages(
      [
        `const m0 = $xs.meter(); let x = 0;`,
        `for (let i = 0; i < 100000; i++) x += i;`,
        `const loop = $xs.meter() - m0;`,
        `$xs.pause(); for (let i = 0; i < 100000; i++) x += i; $xs.resume();`,
        `const paused = $xs.meter() - m0 - loop;`,
        `const lines = []; for (let l = $xs.receive(); l !== null; l = $xs.receive()) lines.push(l);`,
        `$xs.send(JSON.stringify({ loop, paused, lines }));`,
      ].join("\n"),
      { input: [{ a: 1 }, { b: 2 }] },
    );
    const m = r.messages[0] as { loop: number; paused: number; lines: string[] };
    expect(m.loop).toBeGreaterThan(1_000_000); // about 14 units per iteration
    expect(m.loop).toBeLessThan(3_000_000);
    expect(m.paused).toBeLessThan(50);
    expect(m.lines).toEqual(['{"a":1}', '{"b":2}']);
  });

  it("gives the same metering for the same work, run after run", async () => {
    const code = `let s = 0; const m = $xs.meter(); for (let i = 0; i < 5000; i++) s += Math.sqrt(i) * (i & 7); $xs.send(String($xs.meter() - m));`;
    const a = await messages(code);
    const b = await messages(code);
    expect(a.text).toEqual(b.text);
    expect(Number(a.text[0])).toBeGreaterThan(0);
  });

  it("stops a loop that never ends at its budget with a fatal 'meter' report carrying the mark", async () => {
    const e = await messages(`$xs.mark(3, 1, 600000000); $xs.budget(1000000); for (;;) {}`).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(XsFatalError);
    expect((e as XsFatalError).report).toMatchObject({ kind: "meter", phase: 3, node: 1, at: 600000000 });
  });

  it("stops an allocation without end at the heap limit with a fatal 'memory' report", async () => {
    const e = await messages(`const keep = []; for (;;) keep.push(new Uint8Array(1 << 20));`, { heapLimit: 32 * 1024 * 1024 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(XsFatalError);
    expect((e as XsFatalError).report.kind).toBe("memory");
    expect((e as XsFatalError).report.message).toMatch(/^memory full/);
  });

  it("reports a module that does not parse with file and line, and maps bare specifiers with -m", async () => {
    const bad = script("bad.js", "export const r = /\\p{L}/u;\n");
    const e = await messages(`import { r } from ${JSON.stringify(bad)}; $xs.send(String(r));`).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(XsFatalError);
    expect((e as XsFatalError).report.kind).toBe("load");
    expect((e as XsFatalError).report.message).toMatch(/^SyntaxError: .*bad\.js:1: .*unicode property escape not built-in/);

    const timer = script("timer-stub.js", "export default { set() { return 42; } };\n");
    const ok = await messages(`import Timer from "timer"; $xs.send(String(Timer.set()));`, { modules: { timer } });
    expect(ok.text).toEqual(["42"]);
  });

  it("reports heap figures and collects garbage on request", async () => {
    const r = await messages(
      [
        `$xs.gc(); const c0 = $xs.heap(0), s0 = $xs.heap(1);`,
        `const keep = []; for (let i = 0; i < 1000; i++) keep.push({ i });`,
        `$xs.gc(); const c1 = $xs.heap(0), s1 = $xs.heap(1);`,
        `$xs.send(JSON.stringify({ slots: s1 - s0, chunks: c1 - c0, slotBytes: $xs.heap(6), peakAbove: $xs.heap(3) >= s1 }));`,
      ].join("\n"),
    );
    const m = r.messages[0] as { slots: number; chunks: number; slotBytes: number; peakAbove: boolean };
    expect(m.slots).toBeGreaterThanOrEqual(2000); // an object and its property slot, 1000 times
    expect(m.slots).toBeLessThan(4000);
    expect(m.slotBytes === 16 || m.slotBytes === 32).toBe(true);
    expect(m.peakAbove).toBe(true);
  });
});
