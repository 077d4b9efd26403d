/**
 * `npm run setup`: what `npm test` needs beyond npm, in one command.
 * - Debian's packages: Mosquitto (the broker the MQTT tests use), QEMU and the ARM toolchain with newlib (the
 *   emulated MCU), GLib's headers (to build the Moddable tools), and libcoap's client (CoAP tests). Installed with
 *   apt-get as root, or with sudo when it needs no password; otherwise the exact command is printed.
 * - Moddable's host tools (mcconfig, xsc, xsl): `$MODDABLE` when set, else built once from ../shared/moddable into
 *   a cache folder (tools/build/moddable-sdk.ts), else the Moddable tests will say they are skipped and why.
 *
 * `--print-moddable` prints only the SDK folder on stdout (building it first when needed; nothing when there is
 * none), for `export MODDABLE=$(…)` in .ci/run. Exit code 1 when a package is missing and could not be installed,
 * or the tools could not be built.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildSharedSdk, locateSdk } from "../build/moddable-sdk.js";

export const PACKAGES = ["mosquitto", "qemu-system-arm", "gcc-arm-none-eabi", "libnewlib-arm-none-eabi", "libglib2.0-dev", "libcoap3-bin"] as const;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const printOnly = process.argv.includes("--print-moddable");
const say = (line: string) => process.stderr.write(`setup: ${line}\n`);

function run(cmd: string, args: readonly string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: ["ignore", printOnly ? process.stderr : "inherit", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  return r.status === 0;
}

/** The packages dpkg does not list as installed; undefined when this is not a Debian system. */
function missingPackages(): string[] | undefined {
  const probe = spawnSync("dpkg-query", ["-W", "-f=${Package} ${db:Status-Abbrev}\\n", ...PACKAGES], { encoding: "utf8" });
  if (probe.error !== undefined) return undefined;
  const installed = new Set(
    probe.stdout
      .split("\n")
      .filter((l) => /^\S+ ii/.test(l))
      .map((l) => l.split(" ")[0]!.replace(/:.*$/, "")),
  );
  return PACKAGES.filter((p) => !installed.has(p));
}

function installPackages(): boolean {
  const missing = missingPackages();
  const command = `apt-get update && apt-get install -y ${(missing ?? PACKAGES).join(" ")}`;
  if (missing === undefined) {
    say(`not a Debian system (no dpkg-query): install the equivalents of ${PACKAGES.join(", ")}`);
    return false;
  }
  if (missing.length === 0) {
    say(`Debian packages present: ${PACKAGES.join(", ")}`);
    return true;
  }
  say(`missing Debian packages: ${missing.join(", ")}`);
  const asRoot = process.getuid?.() === 0;
  const sudo = !asRoot && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0;
  if (!asRoot && !sudo) {
    say(`cannot install them without root; run:\n  sudo sh -c '${command}'`);
    return false;
  }
  const apt = (...args: string[]) => (sudo ? run("sudo", ["-n", "apt-get", ...args]) : run("apt-get", args));
  if (!apt("update") || !apt("install", "-y", ...missing)) {
    say(`apt-get failed; run:\n  ${sudo ? "sudo sh -c '" + command + "'" : command}`);
    return false;
  }
  const still = missingPackages() ?? [];
  if (still.length > 0) say(`still missing after apt-get: ${still.join(", ")}`);
  return still.length === 0;
}

async function moddable(): Promise<{ ok: boolean; dir?: string }> {
  let where;
  try {
    where = locateSdk(root, process.env);
  } catch (e) {
    say((e as Error).message);
    return { ok: false };
  }
  if (where.kind === "env") {
    say(`Moddable SDK: ${where.sdk.root} ($MODDABLE)`);
    return { ok: true, dir: where.sdk.root };
  }
  if (where.kind === "none") {
    say(`${where.reason}; the Moddable tests will be skipped`);
    return { ok: true };
  }
  say(`Moddable host tools: building from ${where.source} into ${where.dest} (once, about 90 s)`);
  try {
    const sdk = await buildSharedSdk(where.source, where.dest);
    say(`Moddable SDK: ${sdk.root}; for ganzhi build --check: export MODDABLE=${sdk.root} PATH=${sdk.bin}:$PATH`);
    return { ok: true, dir: sdk.root };
  } catch (e) {
    say((e as Error).message);
    return { ok: false };
  }
}

const packagesOk = printOnly ? true : installPackages();
const sdk = await moddable();
if (printOnly && sdk.dir !== undefined) process.stdout.write(`${sdk.dir}\n`);
process.exitCode = packagesOk && sdk.ok ? 0 : 1;
