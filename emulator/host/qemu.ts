/**
 * Running an image in QEMU: `qemu-system-arm -M mps2-an386` with `-icount shift=4,sleep=off` (guest time is a
 * function of executed instructions: 16 ns each, a 62.5 MIPS guest, about a 64 MHz nRF52840), the console over
 * semihosting (QEMU prints it on its stderr, synchronously, so the guest never waits on the host), the replay blob
 * loaded into PSRAM, always under a wall-clock timeout (QEMU has been seen to hang once in hundreds of runs after
 * the guest finished).
 */
import { execa } from "execa";
import { REPLAY_ADDRESS } from "../image/format.js";
import { qemuSystemArm } from "./toolchain.js";

export const ICOUNT_SHIFT = 4;
/** Nanoseconds of guest time per instruction at the shift used. */
export const NS_PER_INSTRUCTION = 2 ** ICOUNT_SHIFT;

export interface QemuOptions {
  /** The replay blob, loaded at REPLAY_ADDRESS. */
  replay?: string;
  timeoutMs: number;
  /** SYS_GET_CMDLINE text. */
  append?: string;
}

export interface QemuResult {
  exitCode: number;
  /** Everything the guest wrote to its console. */
  console: string;
  /** QEMU's own stdout (nothing is expected there). */
  stdout: string;
  wallMs: number;
  timedOut: boolean;
}

export function qemuArgs(elf: string, o: Pick<QemuOptions, "replay" | "append">): string[] {
  return [
    "-M", "mps2-an386",
    "-display", "none",
    "-serial", "none",
    "-monitor", "none",
    "-semihosting-config", "enable=on,target=native",
    "-icount", `shift=${ICOUNT_SHIFT},sleep=off`,
    "-kernel", elf,
    ...(o.replay ? ["-device", `loader,file=${o.replay},addr=0x${REPLAY_ADDRESS.toString(16)},force-raw=on`] : []),
    ...(o.append ? ["-append", o.append] : []),
  ];
}

export async function runQemu(elf: string, o: QemuOptions): Promise<QemuResult> {
  const qemu = qemuSystemArm();
  const start = performance.now();
  const r = await execa(qemu, qemuArgs(elf, o), {
    reject: false,
    stdin: "ignore",
    timeout: o.timeoutMs,
    killSignal: "SIGKILL",
    maxBuffer: 512 * 1024 * 1024,
    stripFinalNewline: false,
  });
  return {
    exitCode: r.exitCode ?? -1,
    console: r.stderr,
    stdout: r.stdout,
    wallMs: performance.now() - start,
    timedOut: Boolean(r.timedOut),
  };
}
