/** What `ganzhi new` derives from a name: the checks a manifest name must pass, and identifiers for code. */
import { NAME_PATTERN } from "../../manifests/schema/common.js";
import { UsageError } from "../cli/args.js";

/** A manifest name (`lake-buoy`, `acme-th1`): lower case, digits, dashes; it becomes a file and folder name. */
export function checkNewName(kind: string, name: string | undefined): string {
  if (name === undefined || name === "") throw new UsageError(`ganzhi new ${kind} needs a name`);
  if (!new RegExp(NAME_PATTERN, "u").test(name) || name.endsWith("-") || name.includes("--")) {
    throw new UsageError(`${kind} name "${name}" must be lower-case letters and digits joined by single dashes, such as "acme-th1"`);
  }
  return name;
}

/** "acme-th1" → "AcmeTh1" (a class name; a leading digit gets a "Part" in front). */
export function className(name: string): string {
  const pascal = name
    .split("-")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
  return /^[0-9]/.test(pascal) ? `Part${pascal}` : pascal;
}
