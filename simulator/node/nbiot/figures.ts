/**
 * NB-IoT figures from simulated runs: one generic node (not a device of the catalogue) reporting a SenML pack every 10 minutes for 24 h of virtual time
 * through the BC95 model, the core stand-in, the embedded CoAP server and an embedded broker, at each coverage
 * level. Prints attach time, report round trip, delivery, and the modem's charge by state (currents.ts).
 *
 *     node out/simulator/node/nbiot/figures.js [--hours 24] [--seed 1]
 */
import { pathToFileURL } from "node:url";
import { idleMilliamps } from "../../../parts/bc95/currents.js";
import { CborWriter } from "../../../runtime/cbor.js";
import { NbiotLink } from "../../../runtime/link/nbiot/link.js";
import { SenmlField, SenmlPackWriter } from "../../../runtime/senml.js";
import { Engine, HOUR, SECOND } from "../../core/engine.js";
import { ModemBench } from "../../core/nbiot/bench.js";
import { Rng } from "../../core/rng.js";
import { startEmbeddedBroker } from "../broker.js";
import { runEngine } from "../loop.js";
import { startNbiotBackend } from "./backend.js";

export interface LevelFigures {
  mclDb: number;
  ce: number | undefined;
  attachS: number;
  reports: number;
  delivered: number;
  retransmissions: number;
  meanRoundTripS: number;
  maxRoundTripS: number;
  meanMicroamps: number;
  mAhPerDay: number;
  /** Charge by state, share of the total. */
  shares: { state: string; milliamps: number; hours: number; share: number }[];
}

const REPORT_MS = 600_000;

export async function levelFigures(mclDb: number, hours: number, seed: number): Promise<LevelFigures> {
  const broker = await startEmbeddedBroker();
  const engine = new Engine();
  const backend = await startNbiotBackend({ engine, seed, brokerUrl: broker.url, topicPrefix: "figures/nbiot" });
  try {
    const bench = new ModemBench({ name: "nb-0001", engine, core: backend.core, mclDb });
    const rng = new Rng(seed).fork("host");
    const link = new NbiotLink({ modem: bench.driver, server: backend.coapServer, path: "/figures/nbiot/nb-0001/senml", timer: bench.timers, random: () => rng.float() });
    let readyAt: number | undefined;
    link.start({ onReady: () => (readyAt ??= engine.now) });
    const writer = new SenmlPackWriter(new CborWriter(128), { baseName: "urn:dev:nb-0001:" });
    const temperature = new SenmlField("temperature", "Cel");
    const humidity = new SenmlField("humidity", "%RH");
    const trips: number[] = [];
    let reports = 0;
    let delivered = 0;
    bench.timers.set(
      () => {
        if (!link.ready) return;
        writer.writer.reset();
        writer.begin(1_780_272_000 + engine.now / SECOND);
        writer.value(temperature, 18 + (reports % 7) / 2);
        writer.value(humidity, 60);
        const started = engine.now;
        reports++;
        link.send(writer.end().slice(), { confirmed: true }, (failure) => {
          if (failure) return;
          delivered++;
          trips.push((engine.now - started) / SECOND);
        });
      },
      REPORT_MS / 2, // reports at 5, 15, … 1435 min: every one settles inside the run
      REPORT_MS,
    );
    await runEngine(engine, backend.bridge, hours * HOUR);
    const residency = bench.model.residency();
    const total = residency.reduce((a, r) => a + r.milliampSeconds, 0);
    const meanMa = total / (engine.now / SECOND);
    link.close();
    return {
      mclDb,
      ce: bench.driver.status.ceLevel,
      attachS: (readyAt ?? NaN) / SECOND,
      reports,
      delivered,
      retransmissions: link.coap.stats.retransmissions,
      meanRoundTripS: trips.reduce((a, t) => a + t, 0) / Math.max(1, trips.length),
      maxRoundTripS: Math.max(0, ...trips),
      meanMicroamps: meanMa * 1000,
      mAhPerDay: meanMa * 24,
      shares: residency
        .filter((r) => r.milliampSeconds > 0)
        .sort((a, b) => b.milliampSeconds - a.milliampSeconds)
        .map((r) => ({ state: r.state, milliamps: r.milliamps, hours: r.us / HOUR, share: r.milliampSeconds / total })),
    };
  } finally {
    await backend.close();
    await broker.close();
  }
}

function table(rows: LevelFigures[], hours: number, seed: number): string {
  const out = [
    `NB-IoT, BC95-G model: one SenML report (about 60 bytes) every 10 min for ${hours} h, CoAP CON to the embedded server, seed ${seed}`,
    "MCL     level  attach   reports   round trip mean/max   retransmitted   modem mean   mAh/day   largest shares of the charge",
  ];
  for (const r of rows) {
    const shares = r.shares
      .slice(0, 3)
      .map((s) => `${s.state} ${(s.share * 100).toFixed(0)} %`)
      .join(", ");
    out.push(
      `${r.mclDb} dB  CE${r.ce ?? "?"}    ${r.attachS.toFixed(1).padStart(5)} s  ${`${r.delivered}/${r.reports}`.padStart(7)}   ${r.meanRoundTripS.toFixed(2).padStart(6)} / ${r.maxRoundTripS.toFixed(2).padStart(5)} s     ${String(r.retransmissions).padStart(6)}        ${r.meanMicroamps.toFixed(1).padStart(6)} µA   ${r.mAhPerDay.toFixed(3).padStart(6)}   ${shares}`,
    );
  }
  out.push(`(idle between paging occasions at DRX 2.56 s: ${(idleMilliamps(2.56) * 1000).toFixed(0)} µA; currents and their sources in parts/bc95/currents.ts)`);
  return out.join("\n");
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string, fallback: number) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const hours = arg("--hours", 24);
  const seed = arg("--seed", 1);
  const rows: LevelFigures[] = [];
  for (const mcl of [130, 150, 160]) rows.push(await levelFigures(mcl, hours, seed));
  console.log(table(rows, hours, seed));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
