/**
 * The unit tests that do not need Node — codecs (CBOR, SenML, UTF-8, MQTT packets), filters, scheduler, sampler,
 * drivers against their models, detmath, the seeded generators and the weather model — run inside XS too, unchanged,
 * through the portable harness (harness.ts: `vitest` resolves to it in the XS bundle). Each bundle also runs on V8
 * through the same harness, which must give the same cases and, apart from the documented engine differences
 * below, the same results.
 *
 * XS_SKIP: statistical or accuracy sweeps that take 20–40× longer on XS than on V8 and test arithmetic that the
 * cross-engine fingerprint tests in the same files already pin bit for bit; and tests that measure V8 itself.
 * XS_DIFFERENT: cases that must fail on XS, each for a known reason (the reason is the point of the test).
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { CaseResult } from "./harness.js";
import { runTestsOnV8, runTestsOnXs, testBundle, type EngineRun } from "./unit-runner.js";

const FILES = [
  "test/runtime/cbor.test.ts",
  "test/runtime/aes128.test.ts",
  "test/runtime/cmac.test.ts",
  "test/runtime/lorawan-frame.test.ts",
  "test/runtime/lorawan-store.test.ts",
  "test/runtime/lorawan-session.test.ts",
  "test/runtime/senml.test.ts",
  "test/xs/mqtt-codec.test.ts",
  "test/xs/probe.test.ts",
  "test/runtime/filters.test.ts",
  "test/runtime/scheduler.test.ts",
  "test/runtime/sampler.test.ts",
  "test/parts/sht3x.test.ts",
  "test/parts/bme280.test.ts",
  "test/parts/weather-meters.test.ts",
  "test/parts/bc95.test.ts",
  "test/parts/sx1262.test.ts",
  "test/parts/ezo.test.ts",
  "test/parts/turbidity.test.ts",
  "test/parts/dlt645.test.ts",
  "test/parts/cjt188.test.ts",
  "test/parts/s0-pulse.test.ts",
  "test/parts/ads1220.test.ts",
  "test/parts/hx711.test.ts",
  "test/parts/qmc5883l.test.ts",
  "test/parts/lis3mdl.test.ts",
  "test/devices/structural-strain-rainflow.test.ts",
  "test/devices/structural-strain-fatigue.test.ts",
  "test/devices/structural-strain-signals.test.ts",
  "test/devices/structural-strain-channel.test.ts",
  "test/runtime/detmath.test.ts",
  "test/environment/rng.test.ts",
  "test/environment/kunming.test.ts",
  "test/environment/dianchi.test.ts",
  "test/environment/bridge.test.ts",
  "test/devices/water-quality.test.ts",
];

const XS_SKIP: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "test/runtime/detmath.test.ts": {
    "error in ulps against the BigInt reference > hypot ≤ 1 ulp; asin, acos ≤ 2 ulp": "BigInt reference sweep, 42 s on XS",
  },
  "test/environment/kunming.test.ts": {
    "rain > annual totals of ~1000 mm with ~85 % in May–October (40 seeds)": "40 simulated years, 11 s on XS",
    "wind > 3-s gusts exceed 10-min means by a gust factor of about 1.3–2 (4 Hz sampling)": "statistics, 6 s on XS",
    "rain > rainBetween is additive, antisymmetric and the integral of rainRate": "statistics, 6 s on XS",
    "cost > air, wind and rainRate at one instant cost under 300 detmath exp() calls on V8": "measures V8 (performance.now, which XS lacks)",
  },
  "test/environment/dianchi.test.ts": {
    "a simulated year over seeds > water follows the air lagged by days, damped, about 1–2 °C warmer on average": "8 simulated years, minutes on XS",
    "a simulated year over seeds > oxygen rises by day and falls by night: maximum late afternoon, minimum at dawn, 10–30 % a day in summer": "statistics of the same 8 years",
    "a simulated year over seeds > each bloom: day-time supersaturation with pH above 9, night-time depletion, turbidity rising over its growth": "statistics of the same 8 years",
    "a simulated year over seeds > stays within plausible ranges all year": "a simulated year, statistics",
  },
  "test/environment/bridge.test.ts": {
    "bridge world > has ~12 000 vehicles a day with two commuter peaks, and its trucks mostly at night": "14 simulated days of traffic statistics, 24 s on XS",
  },
};

const TEXT_ENCODER =
  "the reference is TextEncoder, and on XS that is Moddable's, which writes a lone surrogate as its 3-byte form (ED A0 80) where the WHATWG standard and utf8Encode write U+FFFD (EF BF BD); mqtt-codec.test.ts checks utf8Encode against the standard's bytes on XS";

const XS_DIFFERENT: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "test/runtime/cbor.test.ts": {
    "utf8 > lone surrogates become U+FFFD (EF BF BD), like TextEncoder": TEXT_ENCODER,
    "utf8 > matches TextEncoder on every BMP code unit and on boundary code points": TEXT_ENCODER,
    "utf8 > code-point-indexed strings (XS without mxCESU8) give the same bytes": TEXT_ENCODER,
    "utf8 > the running engine (V8) indexes by UTF-16 unit":
      "XS device builds keep strings in UTF-8 and index them by code point: astralUnits() is 1 there, as runtime/utf8.ts expects",
  },
};

const names = (r: EngineRun, status?: CaseResult["status"]) => r.results.filter((c) => !status || c.status === status).map((c) => c.name);

describe.each(FILES)("%s", (file) => {
  const skip = Object.keys(XS_SKIP[file] ?? {});
  const different = XS_DIFFERENT[file] ?? {};
  let xs: EngineRun;
  let v8: EngineRun;

  beforeAll(async () => {
    const bundle = await testBundle(file, skip);
    [xs, v8] = await Promise.all([runTestsOnXs(bundle), runTestsOnV8(bundle)]);
  }, 180_000);

  it("passes on XS, but for the documented engine differences", () => {
    const failed = xs.results.filter((c) => c.status === "fail");
    const unexpected = failed.filter((c) => !(c.name in different)).map((c) => `${c.name}: ${c.error}`);
    expect(unexpected, xs.output.slice(-2000)).toEqual([]);
    // A documented difference that no longer shows up means the engine or the code changed: look again.
    expect(failed.map((c) => c.name).sort()).toEqual(Object.keys(different).sort());
    expect(names(xs, "pass").length).toBeGreaterThan(0);
  });

  it("runs the same cases on V8 through the same harness, all passing", () => {
    expect(names(v8)).toEqual(names(xs));
    expect(v8.results.filter((c) => c.status === "fail").map((c) => `${c.name}: ${c.error}`)).toEqual([]);
    expect(names(v8, "skip")).toEqual(names(xs, "skip"));
    for (const s of skip) expect(names(xs), `skip list names a case that does not exist: ${s}`).toContain(s);
  });
});

describe("the harness itself", () => {
  let xs: EngineRun;
  let v8: EngineRun;
  beforeAll(async () => {
    const bundle = await testBundle("test/xs/fixtures/harness-selftest.ts");
    [xs, v8] = await Promise.all([runTestsOnXs(bundle), runTestsOnV8(bundle)]);
  }, 120_000);

  it.each([
    ["XS", () => xs],
    ["V8", () => v8],
  ] as const)("on %s: every case ends as its name says (pass, fail or skip)", (_engine, get) => {
    const r = get();
    expect(r.results.length).toBe(21);
    for (const c of r.results) {
      const want = /> (pass|fail|skip)/.exec(c.name)?.[1];
      expect(c.status, `${c.name}: ${c.error ?? ""}`).toBe(want);
    }
    expect(r.results.find((c) => c.name.endsWith("fail a message is kept"))!.error).toMatch(/^AssertionError: the answer: expected 1 to be 2/);
  });
});
