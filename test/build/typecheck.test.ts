/**
 * The build's type check of a device against the declarations `tsc -b` wrote for the checkout's own modules
 * (tools/build/typecheck.ts), and the batch transpile that gives those modules' JavaScript (tools/build/bundle.ts):
 * a type error in the device's code still fails the build with file:line, the declarations are used only while
 * they are as new as every source they stand for, and the JavaScript is what ts.transpileModule gives file by file.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ts from "../../tools/build/typescript.js";
import { parseArgs } from "../../tools/cli/args.js";
import { transpile, transpileFiles } from "../../tools/build/bundle.js";
import { checkoutDeclarations, checkoutJavaScript, declaredSource, deviceProgram } from "../../tools/build/typecheck.js";
import { createBuildCommand } from "../../tools/commands/build.js";
import { capture, makeScratch, REPO, type Scratch } from "./helpers.js";

const MAIN = `import type { Host, NodeApp } from "../../hal/host.js";
import { checksum } from "./sum.js";
export default function main(host: Host): NodeApp {
  host.log("info", String(checksum()));
  return { stats: () => ({}) };
}
`;

let scratch: Scratch;
beforeAll(() => {
  scratch = makeScratch({ declarations: true });
  scratch.addDevice("fine", { "main.ts": MAIN, "sum.ts": `import { crc32 } from "../../runtime/crc32.js";\nexport function checksum(): number {\n  return crc32(new Uint8Array([1, 2, 3]));\n}\n` });
  // Wrong only against the runtime's types: crc32 takes bytes, and host.log a level.
  scratch.addDevice("misuses-runtime", {
    "main.ts": MAIN.replace('host.log("info"', "host.log(3"),
    "sum.ts": `import { crc32 } from "../../runtime/crc32.js";\nexport function checksum(): number {\n  return crc32("123");\n}\n`,
  });
});
afterAll(() => scratch?.dispose());

async function build(device: string) {
  const cmd = createBuildCommand();
  const io = capture();
  const env = { ...process.env, GANZHI_BUILD_CACHE: "0" };
  const code = await cmd.run(parseArgs([device, "--board", "esp32-devkitc", "--out", `dist-${device}`], cmd.options), { root: scratch.root, cwd: scratch.root, io, env });
  return { code, io };
}

describe("the device program against the checkout's declarations", () => {
  it("takes hal, runtime and parts as out/'s declarations and the device's own files from source (out/ is up to date: npm test runs tsc -b)", () => {
    const entry = path.join(scratch.root, "devices", "fine", "main.ts");
    expect(checkoutDeclarations(scratch.root, [path.dirname(entry)]), "out/ is older than a source in hal, runtime or parts: run npx tsc -b").toBeDefined();
    const files = deviceProgram(scratch.root, entry).program.getSourceFiles().map((sf) => path.relative(REPO, sf.fileName));
    expect(files).toContain(path.join("out", "hal", "host.d.ts"));
    expect(files).toContain(path.join("out", "runtime", "crc32.d.ts"));
    expect(files.some((f) => f.startsWith("runtime") || f.startsWith("hal"))).toBe(false);
    expect(files.filter((f) => f.endsWith("sum.ts") || f.endsWith("main.ts"))).toHaveLength(2);
  });

  it("builds a correct device and bundles the runtime's JavaScript", async () => {
    const { code, io } = await build("fine");
    expect(io.stderr).toBe("");
    expect(code).toBe(0);
    const app = readFileSync(path.join(scratch.root, "dist-fine", "app.js"), "utf8");
    expect(app).toContain("function crc32(");
  });

  it("fails on a device's misuse of a runtime type, each error with the device's file:line", async () => {
    const { code, io } = await build("misuses-runtime");
    expect(code).toBe(1);
    expect(io.errors[0]).toBe("ganzhi build: type errors in the device program (2):");
    expect(io.stderr).toMatch(/devices\/misuses-runtime\/main\.ts\(4,12\): error TS2345/);
    expect(io.stderr).toMatch(/devices\/misuses-runtime\/sum\.ts\(3,16\): error TS2345/);
  });
});

describe("checkoutDeclarations", () => {
  let root: string;
  const at = (f: string, seconds: number, text = "export {};\n") => {
    const file = path.join(root, f);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    utimesSync(file, seconds, seconds);
    return file;
  };
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), "ganzhi-declarations-"));
    at("runtime/a.ts", 1000);
    at("out/runtime/a.d.ts", 1000);
    at("hal/b.ts", 1000); // no declaration
    at("devices/mine/main.ts", 3000); // the device's own file: newer than the build, and not declared anyway
    at("out/.portable.tsbuildinfo", 2000);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("maps a source to its declaration while every declared source is older than the build", () => {
    const declarationOf = checkoutDeclarations(root, [path.join(root, "devices", "mine")])!;
    expect(declarationOf(path.join(root, "runtime", "a.ts"))).toBe(path.join(root, "out", "runtime", "a.d.ts"));
    expect(declarationOf(path.join(root, "hal", "b.ts"))).toBeUndefined();
    expect(declarationOf(path.join(root, "devices", "mine", "main.ts"))).toBeUndefined();
    // and back: a build that read the declaration depends on its source
    expect(declaredSource(root, path.join(root, "out", "runtime", "a.d.ts"))).toBe(path.join(root, "runtime", "a.ts"));
    expect(declaredSource(root, path.join(root, "runtime", "a.ts"))).toBeUndefined();
  });

  it("gives none when a declared source is newer than the build, or there is no build", () => {
    at("parts/c/driver.ts", 2500);
    expect(checkoutDeclarations(root, [])).toBeUndefined();
    rmSync(path.join(root, "parts"), { recursive: true });
    expect(checkoutDeclarations(root, [])).toBeDefined();
    rmSync(path.join(root, "out", ".portable.tsbuildinfo"));
    expect(checkoutDeclarations(root, [])).toBeUndefined();
  });
});

/** Every device-code file of the checkout (and the manifest schema a device may import), absolute. */
function deviceCodeFiles(): string[] {
  const files = execFileSync("git", ["ls-files", "hal/*.ts", "runtime/*.ts", "parts/*.ts", "devices/*.ts", "manifests/schema/*.ts"], { cwd: REPO, encoding: "utf8" })
    .split("\n")
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.includes(".test."))
    .map((f) => path.join(REPO, f));
  expect(files.length).toBeGreaterThan(100);
  return files;
}

describe("checkoutJavaScript", () => {
  it("gives every module of the checkout out/ has the JavaScript ts.transpileModule gives it (out/ is up to date: npm test runs tsc -b)", () => {
    const jsOf = checkoutJavaScript(REPO, []);
    expect(jsOf, "out/ is older than a source, or tsconfig.portable.json does not emit as the bundle wants (removeComments): run npx tsc -b").toBeDefined();
    const moddable = path.join(REPO, "hal", "moddable");
    let compared = 0;
    for (const file of deviceCodeFiles()) {
      const js = jsOf!(file);
      if (file.startsWith(moddable + path.sep) || (file.includes(`${path.sep}devices${path.sep}`) && !file.includes(`${path.sep}devices${path.sep}shared${path.sep}`))) {
        expect(js, `${file}: never taken from out/`).toBeUndefined();
        continue;
      }
      expect(js, file).toBe(transpile(file, readFileSync(file, "utf8")));
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it("gives none when out/ was emitted otherwise (comments kept, another TypeScript, files left to emit) or is older than a source", () => {
    const root = mkdtempSync(path.join(tmpdir(), "ganzhi-checkout-js-"));
    try {
      const write = (f: string, text: string, seconds: number) => {
        const file = path.join(root, f);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, text);
        utimesSync(file, seconds, seconds);
      };
      const info = (extra: object) => JSON.stringify({ version: ts.version, options: { removeComments: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, verbatimModuleSyntax: true, sourceMap: true }, ...extra });
      write("runtime/a.ts", "export const a: number = 1;\n", 1000);
      write("out/runtime/a.js", "export const a = 1;\n//# sourceMappingURL=a.js.map", 1000);
      write("out/.portable.tsbuildinfo", info({}), 2000);
      expect(checkoutJavaScript(root, [])!(path.join(root, "runtime", "a.ts"))).toBe("export const a = 1;\n");
      expect(checkoutJavaScript(root, [])!(path.join(root, "runtime", "missing.ts"))).toBeUndefined();
      for (const bad of [
        info({ options: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, verbatimModuleSyntax: true } }),
        info({ version: "0.0.1" }),
        info({ affectedFilesPendingEmit: [1] }),
        "not json",
      ]) {
        write("out/.portable.tsbuildinfo", bad, 2000);
        expect(checkoutJavaScript(root, []), bad).toBeUndefined();
      }
      write("out/.portable.tsbuildinfo", info({}), 2000);
      write("runtime/b.ts", "export {};\n", 3000);
      expect(checkoutJavaScript(root, [])).toBeUndefined();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("transpileFiles", () => {
  it("gives every device-code file of the checkout the JavaScript ts.transpileModule gives it", () => {
    const files = deviceCodeFiles();
    const sources = files.map((f) => ts.createSourceFile(f, readFileSync(f, "utf8"), ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS));
    const batch = transpileFiles(sources);
    expect([...batch.keys()].sort()).toEqual([...files].sort());
    for (const sf of sources) expect(batch.get(sf.fileName), sf.fileName).toBe(transpile(sf.fileName, sf.text));
  });
});
