/**
 * `node out/emulator/host/cycles-report.js`: the cycles per instruction of the device's work on a Cortex-M4, traced
 * and priced (cycles.ts) for the reference device on each board's image, and the range board-timing.ts holds
 * (`CORTEX_M4_CPI`, which test/emulated/cycles.test.ts keeps equal to what this prints).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { recordSim } from "../../simulator/node/record.js";
import { loadBoard } from "../../manifests/load.js";
import { CORTEX_M4_CPI } from "./board-timing.js";
import { imageMix, REFERENCE_TRACE, roundedRange } from "./cycles.js";
import type { InstructionMix } from "./cycles.js";
import { buildDeviceImage } from "./image.js";
import { profileForPlatform } from "./profiles.js";
import { replayBlob } from "./replay-file.js";

/** The reference mix of one board's image (traced once per firmware, then read from beside its ELF). */
export async function referenceMix(board: string): Promise<InstructionMix> {
  const r = REFERENCE_TRACE;
  const platform = loadBoard(board).manifest.platform;
  const image = await buildDeviceImage({ device: r.device, board, profile: profileForPlatform(platform, board) });
  const dir = mkdtempSync(path.join(tmpdir(), "ganzhi-cycles-"));
  try {
    return await imageMix(image.firmware.elf, `${r.device}-${r.seconds}s-seed${r.seed}`, async () => {
      const { recording } = await recordSim({ device: r.device, board, hours: r.seconds / 3600, seed: r.seed });
      const file = path.join(dir, "replay.bin");
      writeFileSync(file, replayBlob(recording).blob);
      return file;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(path.basename(process.argv[1]));
if (isMain) {
  const mixes: InstructionMix[] = [];
  for (const board of REFERENCE_TRACE.boards) {
    const m = await referenceMix(board);
    mixes.push(m);
    const share = (k: string) => `${k} ${((100 * (m.classes[k] ?? 0)) / m.instructions).toFixed(1)} %`;
    console.log(`${REFERENCE_TRACE.device} on ${board}, first ${REFERENCE_TRACE.seconds} s, seed ${REFERENCE_TRACE.seed}: ${m.instructions.toLocaleString("en")} device and provider instructions`);
    console.log(`  ${["load", "store", "alu", "branch", "multiple", "double", "it"].map(share).join(", ")}; branches taken ${m.taken.toLocaleString("en")}, not taken ${m.notTaken.toLocaleString("en")}; loads/stores pipelined ${m.pipelined.toLocaleString("en")}`);
    console.log(`  cycles per instruction ${m.cpi.best.toFixed(3)} (best) to ${m.cpi.worst.toFixed(3)} (worst, with the flash allowance)`);
  }
  const range = roundedRange(mixes);
  console.log(`range, rounded outwards: ${range.best.toFixed(2)}–${range.worst.toFixed(2)} (board-timing.ts CORTEX_M4_CPI: ${CORTEX_M4_CPI.best.toFixed(2)}–${CORTEX_M4_CPI.worst.toFixed(2)})`);
}
