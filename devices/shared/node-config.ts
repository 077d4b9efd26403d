/**
 * A device's view of `host.config` (the device manifest resolved for a board, `NodeConfig`): finding a part by its
 * catalogue name, the interval of the sampling group a role is in, numeric options. Read once at start-up; anything
 * missing is an error that names the device and what it looked for, so a board that lacks a part fails at boot
 * with the reason rather than later with an undefined.
 */
import type { DeviceConfig } from "../../hal/host.js";
import type { NodeConfig, ResolvedPart } from "../../manifests/schema/config.js";

export class NodeConfigReader {
  readonly config: NodeConfig;
  readonly #device: string;

  constructor(device: string, raw: DeviceConfig) {
    this.#device = device;
    const c = raw as unknown as NodeConfig;
    if (!c || typeof c !== "object" || !c.parts || !c.sampling || !c.reporting || !c.uplink) {
      this.fail("expected a resolved node configuration (parts, sampling, reporting, uplink)");
    }
    this.config = c;
  }

  fail(what: string): never {
    throw new Error(`${this.#device} config: ${what}`);
  }

  /** The first part of catalogue name `kind`, connected as one of `io`; undefined when `optional` and absent. */
  find<T extends ResolvedPart>(kind: string, io: readonly T["io"][], optional: true): { role: string; part: T } | undefined;
  find<T extends ResolvedPart>(kind: string, io: readonly T["io"][]): { role: string; part: T };
  find<T extends ResolvedPart>(kind: string, io: readonly T["io"][], optional = false): { role: string; part: T } | undefined {
    const c = this.config;
    for (const role of Object.keys(c.parts)) {
      const p = c.parts[role]!;
      if (p.part !== kind) continue;
      if (io.indexOf(p.io) < 0) this.fail(`part ${role} (${kind}) is connected as ${p.io}, expected ${io.join(" or ")}`);
      return { role, part: p as T };
    }
    if (optional) return undefined;
    return this.fail(`no ${kind} among parts (${Object.keys(c.parts).join(", ")})`);
  }

  /** The interval of the sampling group that holds `role`, ms. */
  intervalOf(role: string): number {
    const s = this.config.sampling;
    for (const name of Object.keys(s)) {
      const g = s[name]!;
      if (g.roles.indexOf(role) >= 0) return g.intervalMs;
    }
    return this.fail(`part ${role} is in no sampling group`);
  }

  /** A numeric option of a part (the catalogue's defaults are already merged in); `fallback` when it has none. */
  number(p: ResolvedPart, key: string, fallback: number): number {
    const v = p.options[key];
    return typeof v === "number" ? v : fallback;
  }

  string(p: ResolvedPart, key: string, fallback: string): string {
    const v = p.options[key];
    return typeof v === "string" ? v : fallback;
  }
}
