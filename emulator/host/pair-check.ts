/**
 * Determinism check (a developer tool, not part of `ganzhi emulate`): run the same emulation twice at once, over and
 * over, optionally with CPU hogs loading the host, and stop at the first pair whose output differs, printing where
 * the two runs part: the first differing console line (qemu mode) or dispatch / tx record and figure (full mode).
 *
 *   node out/emulator/host/pair-check.js [--device D] [--board B] [--pairs 20] [--hogs 1] [--mode qemu|full] [--hours 1] [--keep-going]
 *
 * qemu mode builds the image and the replay blob once and runs QEMU pairs on them (isolates the emulator); full mode
 * calls emulate() twice with Promise.all, as the emulated tests do (simulation, build and all).
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { listDevices } from "../../manifests/load.js";
import { recordSim } from "../../simulator/node/record.js";
import { emulate } from "./emulate.js";
import type { EmulateResult } from "./emulate.js";
import { buildDeviceImage } from "./image.js";
import { runQemu } from "./qemu.js";
import { replayBlob } from "./replay-file.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const pairs = Number(arg("pairs", "20"));
const hogs = Number(arg("hogs", "1"));
const mode = arg("mode", "qemu");
const hours = Number(arg("hours", "1"));
const keepGoing = process.argv.includes("--keep-going");
// Any device: the first of the catalogue unless --device names one.
const device = arg("device", listDevices()[0]!);
const board = arg("board", "esp32-devkitc");

const hash = (s: string): string => createHash("sha256").update(s).digest("hex").slice(0, 12);

function firstLineDifference(a: string, b: string): string | undefined {
  if (a === b) return undefined;
  const la = a.split("\n");
  const lb = b.split("\n");
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) {
      const before = la.slice(Math.max(0, i - 3), i).map((l) => `    ${l.slice(0, 160)}`).join("\n");
      return `line ${i + 1} of ${la.length}/${lb.length}:\n${before}\n  A ${la[i]?.slice(0, 200)}\n  B ${lb[i]?.slice(0, 200)}`;
    }
  }
  return "same lines, different text";
}

function firstResultDifference(a: EmulateResult, b: EmulateResult): string | undefined {
  if (a.image.firmware.elf !== b.image.firmware.elf) return `different images: ${a.image.firmware.elf} vs ${b.image.firmware.elf}`;
  const da = a.console.dispatches;
  const db = b.console.dispatches;
  for (let i = 0; i < Math.max(da.length, db.length); i++) {
    if (JSON.stringify(da[i]) !== JSON.stringify(db[i])) {
      return `dispatch ${i} of ${da.length}/${db.length}:\n  previous ${JSON.stringify(da[i - 1])}\n  A ${JSON.stringify(da[i])}\n  B ${JSON.stringify(db[i])}`;
    }
  }
  for (let i = 0; i < Math.max(a.console.tx.length, b.console.tx.length); i++) {
    const ta = a.console.tx[i];
    const tb = b.console.tx[i];
    if (ta?.at !== tb?.at || ta?.realUs !== tb?.realUs) return `tx ${i}: A at ${ta?.at} real ${ta?.realUs}, B at ${tb?.at} real ${tb?.realUs}`;
  }
  const fa = JSON.stringify({ ...a.figures, wallSeconds: undefined });
  const fb = JSON.stringify({ ...b.figures, wallSeconds: undefined });
  if (fa !== fb) {
    const ra = a.figures as unknown as Record<string, unknown>;
    const rb = b.figures as unknown as Record<string, unknown>;
    const keys = Object.keys(ra).filter((k) => k !== "wallSeconds" && JSON.stringify(ra[k]) !== JSON.stringify(rb[k]));
    return `figures differ: ${keys.map((k) => `${k}: ${JSON.stringify(ra[k])} vs ${JSON.stringify(rb[k])}`).join("; ")}`;
  }
  if (JSON.stringify(a.recording) !== JSON.stringify({ ...b.recording, frames: a.recording.frames })) return "recordings differ";
  return undefined;
}

function startHogs(n: number): ChildProcess[] {
  const out: ChildProcess[] = [];
  for (let i = 0; i < n; i++) out.push(spawn(process.execPath, ["-e", "for(;;){}"], { stdio: "ignore" }));
  return out;
}

async function main(): Promise<void> {
  const hogProcs = startHogs(hogs);
  const stop = (): void => {
    for (const h of hogProcs) if (h.pid !== undefined) h.kill("SIGKILL");
  };
  process.on("exit", stop);
  process.on("SIGINT", () => {
    stop();
    process.exit(130);
  });
  console.log(`${mode} mode, ${pairs} pairs, ${hogs} CPU hog(s), ${hours} h of ${device} on ${board}`);
  let differing = 0;
  try {
    if (mode === "qemu") {
      const { recording } = await recordSim({ device, board, hours, seed: 1 });
      const image = await buildDeviceImage({ device, board, profile: "mps2-4m" });
      const dir = mkdtempSync(path.join(tmpdir(), "ganzhi-paircheck-"));
      try {
        const file = path.join(dir, "replay.bin");
        writeFileSync(file, replayBlob(recording).blob);
        let reference: string | undefined;
        for (let p = 1; p <= pairs; p++) {
          const t = performance.now();
          const [a, b] = await Promise.all([0, 1].map(() => runQemu(image.firmware.elf, { replay: file, timeoutMs: 600_000 })));
          const diff = firstLineDifference(a!.console, b!.console);
          reference ??= a!.console;
          const vsFirst = firstLineDifference(reference, a!.console) ? " (A differs from pair 1)" : "";
          console.log(`pair ${p}: ${hash(a!.console)} ${hash(b!.console)} ${((performance.now() - t) / 1000).toFixed(1)} s ${diff ? "DIFFERENT" : "same"}${vsFirst}`);
          if (diff || vsFirst) {
            differing++;
            if (diff) console.log(diff);
            if (!keepGoing) break;
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } else {
      for (let p = 1; p <= pairs; p++) {
        const t = performance.now();
        const [a, b] = await Promise.all([0, 1].map(() => emulate({ device, board, profile: "mps2-4m", hours, seed: 1 })));
        const diff = firstResultDifference(a!, b!);
        console.log(`pair ${p}: latencyMsMax ${a!.figures.latencyMsMax} ${b!.figures.latencyMsMax} ${((performance.now() - t) / 1000).toFixed(1)} s ${diff ? "DIFFERENT" : "same"}`);
        if (diff) {
          differing++;
          console.log(diff);
          if (!keepGoing) break;
        }
      }
    }
  } finally {
    stop();
  }
  console.log(differing ? `${differing} differing pair(s)` : "no difference");
  process.exitCode = differing ? 1 : 0;
}

await main();
