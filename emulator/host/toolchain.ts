/**
 * The outside tools the emulator needs, all from Debian's packages (.ci/run installs them). A missing one is a
 * single message naming the package to install.
 */
import { accessSync, constants, existsSync } from "node:fs";
import path from "node:path";
import { execaSync } from "execa";

export class MissingToolError extends Error {
  readonly tool: string;
  readonly debianPackage: string;
  constructor(tool: string, debianPackage: string, why = "not found on PATH") {
    super(`${tool} ${why}: install the Debian package ${debianPackage} (sudo apt-get install ${debianPackage})`);
    this.name = "MissingToolError";
    this.tool = tool;
    this.debianPackage = debianPackage;
  }
}

export function which(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface ArmToolchain {
  gcc: string;
  size: string;
}

/** arm-none-eabi-gcc with newlib (nano) for Cortex-M4F hard-float. */
export function armToolchain(env: NodeJS.ProcessEnv = process.env): ArmToolchain {
  const gcc = which("arm-none-eabi-gcc", env);
  if (!gcc) throw new MissingToolError("arm-none-eabi-gcc", "gcc-arm-none-eabi");
  const size = which("arm-none-eabi-size", env);
  if (!size) throw new MissingToolError("arm-none-eabi-size", "binutils-arm-none-eabi");
  const probe = execaSync(gcc, ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16", "-print-file-name=libc_nano.a"], { reject: false });
  const lib = probe.stdout.trim();
  if (probe.exitCode !== 0 || !path.isAbsolute(lib) || !existsSync(lib)) {
    throw new MissingToolError("newlib for arm-none-eabi (libc_nano.a)", "libnewlib-arm-none-eabi", "is missing");
  }
  return { gcc, size };
}

export function qemuSystemArm(env: NodeJS.ProcessEnv = process.env): string {
  const qemu = which("qemu-system-arm", env);
  if (!qemu) throw new MissingToolError("qemu-system-arm", "qemu-system-arm");
  return qemu;
}

/** The host C compiler, for the bytecode compiler built from the XS sources. */
export function hostCc(env: NodeJS.ProcessEnv = process.env): string {
  const cc = which("cc", env) ?? which("gcc", env);
  if (!cc) throw new MissingToolError("cc (host C compiler)", "gcc");
  return cc;
}
