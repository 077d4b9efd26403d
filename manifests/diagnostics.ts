/**
 * Manifest diagnostics: a problem at the line and column of the value at fault, in the file that contributed it
 * (`file:line:col: /pointer: message`), collected per stage and thrown together as one `ManifestError`.
 */
import { locate, type JsonNode, type Loc } from "./json-source.js";
import { didYouMean, escapePointerToken, type Issue } from "./schema/builder.js";

export type Severity = "error" | "warning";

export interface Diagnostic {
  /** Path relative to the repository root, with "/" separators (absolute for a file outside it). */
  readonly file: string;
  /** JSON pointer (RFC 6901) of the value at fault; "" is the whole document. */
  readonly pointer: string;
  /** 1-based; 0 when the problem is the file itself (not found). */
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly severity: Severity;
}

/** `file:line:col: /pointer: message` (warnings: `…: /pointer: warning: message`). */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  const pointer = d.pointer === "" ? "(root)" : d.pointer;
  return `${where}: ${pointer}: ${d.severity === "warning" ? "warning: " : ""}${d.message}`;
}

/** `file:line:col`, for a message that names a second place. */
export function formatLoc(loc: Loc): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}

export class ManifestError extends Error {
  /** Errors first, then any warnings found on the way, each in the order found. */
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    const sorted = [...diagnostics.filter((d) => d.severity === "error"), ...diagnostics.filter((d) => d.severity !== "error")];
    super(sorted.map(formatDiagnostic).join("\n"));
    this.name = "ManifestError";
    this.diagnostics = Object.freeze(sorted);
  }
  get errors(): readonly Diagnostic[] {
    return this.diagnostics.filter((d) => d.severity === "error");
  }
}

/** Diagnostics of one stage, located in `tree` (or in another tree given per call). Repeats are kept once. */
export class Sink {
  readonly list: Diagnostic[] = [];
  readonly #seen = new Set<string>();
  constructor(readonly tree: JsonNode) {}
  push(d: Diagnostic): void {
    const key = formatDiagnostic(d);
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.list.push(d);
  }
  add(pointer: string, message: string, severity: Severity = "error", tree: JsonNode = this.tree): void {
    const at = locate(tree, pointer);
    this.push({ file: at.loc.file, pointer, line: at.loc.line, column: at.loc.column, message, severity });
  }
  error(pointer: string, message: string, tree?: JsonNode): void {
    this.add(pointer, message, "error", tree);
  }
  warn(pointer: string, message: string, tree?: JsonNode): void {
    this.add(pointer, message, "warning", tree);
  }
  /** Schema issues; a key an overlay deleted with `null` is reported at that `null`. */
  issues(issues: readonly Issue[]): void {
    for (const issue of issues) {
      if (issue.missingKey !== undefined) {
        const at = locate(this.tree, ptr(issue.pointer, issue.missingKey));
        if (at.deletedAt) {
          this.push({
            file: at.deletedAt.file,
            pointer: ptr(issue.pointer, issue.missingKey),
            line: at.deletedAt.line,
            column: at.deletedAt.column,
            message: `${issue.message} (deleted by null)`,
            severity: "error",
          });
          continue;
        }
      }
      this.error(issue.pointer, issue.message);
    }
  }
  get hasErrors(): boolean {
    return this.list.some((d) => d.severity === "error");
  }
  get warnings(): Diagnostic[] {
    return this.list.filter((d) => d.severity === "warning");
  }
  throwIfErrors(extra: readonly Diagnostic[] = []): void {
    if (this.hasErrors) throw new ManifestError([...this.list, ...extra]);
  }
}

/** A JSON pointer from a base and unescaped tokens. */
export function ptr(base: string, ...tokens: (string | number)[]): string {
  return base + tokens.map((t) => `/${escapePointerToken(String(t))}`).join("");
}

/** " (did you mean "x"?)" when a name is close, else "; <what>: a, b, c". */
export function orList(word: string, known: readonly string[], what: string): string {
  return didYouMean(word, known) || `; ${what}: ${known.join(", ") || "none"}`;
}

/** A problem with a file as a whole (not found, unreadable). */
export function fileProblem(file: string, message: string): ManifestError {
  return new ManifestError([{ file, pointer: "", line: 0, column: 0, message, severity: "error" }]);
}
