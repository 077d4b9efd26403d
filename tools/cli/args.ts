/**
 * Command-line parsing for `ganzhi`: declared options only, so a typo is an error (exit code 2) and not a silently
 * ignored flag.
 */

export type OptionKind = "string" | "number" | "boolean";

export interface OptionSpec {
  name: string;
  kind: OptionKind;
  /** One line for --help. */
  help: string;
  /** Shown in --help as the value placeholder, e.g. "H". */
  value?: string;
  default?: string | number | boolean;
  short?: string;
}

export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | number | boolean | undefined>;
}

/** A usage error: printed as one line, exit code 2. */
export class UsageError extends Error {}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const options: ParsedArgs["options"] = {};
  for (const s of specs) if (s.default !== undefined) options[s.name] = s.default;
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else {
      const spec = specs.find((s) => s.short === arg.slice(1));
      if (!spec) throw new UsageError(`unknown option ${arg}`);
      name = spec.name;
    }
    const spec = specs.find((s) => s.name === name);
    if (!spec) {
      const near = closest(name, specs.map((s) => s.name));
      throw new UsageError(`unknown option --${name}${near ? ` (did you mean --${near}?)` : ""}`);
    }
    if (spec.kind === "boolean") {
      if (inline !== undefined && inline !== "true" && inline !== "false") {
        throw new UsageError(`--${name} takes no value (got "${inline}")`);
      }
      options[name] = inline !== "false";
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new UsageError(`--${name} needs a value${spec.value ? ` (${spec.value})` : ""}`);
    if (spec.kind === "number") {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--${name} expects a number, got "${raw}"`);
      options[name] = n;
    } else {
      options[name] = raw;
    }
  }
  return { positionals, options };
}

export function formatOptions(specs: readonly OptionSpec[]): string {
  const rows = specs.map((s) => {
    const flag = `${s.short ? `-${s.short}, ` : "    "}--${s.name}${s.kind === "boolean" ? "" : ` <${s.value ?? s.kind}>`}`;
    const def = s.default !== undefined && s.kind !== "boolean" ? ` (default ${String(s.default)})` : "";
    return [flag, s.help + def] as const;
  });
  const width = Math.max(0, ...rows.map(([f]) => f.length)) + 2;
  return rows.map(([f, h]) => `  ${f.padEnd(width)}${h}`).join("\n");
}

/** The candidate within edit distance 2 (or a prefix match), for "did you mean". */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = c.startsWith(word) && word.length >= 3 ? 1 : editDistance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
