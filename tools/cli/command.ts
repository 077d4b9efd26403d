/** A `ganzhi` sub-command: its options, its help, and what it does. */
import type { OptionSpec, ParsedArgs } from "./args.js";

export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal (progress bars, colour). */
  readonly tty: boolean;
}

export interface CommandContext {
  /** The ganzhi checkout (where manifests/, devices/ live). */
  readonly root: string;
  /** The user's working directory (relative --out paths resolve here). */
  readonly cwd: string;
  readonly io: Output;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface Command {
  name: string;
  summary: string;
  /** e.g. "<device> [options]" */
  usage: string;
  /** Paragraphs shown under the usage line in --help. */
  description: string;
  options: OptionSpec[];
  /** Returns the process exit code. Throw UsageError for bad input (exit 2, one line). */
  run(args: ParsedArgs, ctx: CommandContext): Promise<number>;
}
