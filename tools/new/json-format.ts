/**
 * JSON laid out as the catalogue's manifests are: a value on one line when it fits in the width (`{ "a": 1 }`),
 * else one member per line.
 */
const WIDTH = 118;

function inline(v: unknown): string {
  if (Array.isArray(v)) return v.length ? `[${v.map(inline).join(", ")}]` : "[]";
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v);
    return entries.length ? `{ ${entries.map(([k, x]) => `${JSON.stringify(k)}: ${inline(x)}`).join(", ")} }` : "{}";
  }
  return JSON.stringify(v);
}

function layout(v: unknown, pad: string, lead: number): string {
  const one = inline(v);
  if (pad.length + lead + one.length <= WIDTH || v === null || typeof v !== "object") return one;
  const inner = `${pad}  `;
  if (Array.isArray(v)) return `[\n${v.map((x) => inner + layout(x, inner, 0)).join(",\n")}\n${pad}]`;
  const lines = Object.entries(v).map(([k, x]) => `${inner}${JSON.stringify(k)}: ${layout(x, inner, JSON.stringify(k).length + 2)}`);
  return `{\n${lines.join(",\n")}\n${pad}}`;
}

export function formatJson(value: unknown): string {
  return `${layout(value, "", 0)}\n`;
}
