/**
 * Test glue for running unit-test files on XS: what a test file may take for granted from Node but XS lacks, only
 * where it is missing (on V8 the real ones stay). Device code never sees this: it is bundled into test bundles only.
 * - `console` → the runner's `print` (stderr);
 * - `Buffer.from(…).toString("hex" | "utf8")`, the one Buffer use in the codec tests (hex formatting), over the
 *   runner's TextEncoder/TextDecoder (Moddable's, installed with --text).
 */
const g = globalThis as unknown as Record<string, unknown>;
const print = g.print as ((...a: unknown[]) => void) | undefined;

if (g.console === undefined && print) {
  const log = (...a: unknown[]) => print(...a.map((x) => (typeof x === "string" ? x : JSON.stringify(x))));
  g.console = { log, info: log, warn: log, error: log, debug: log };
}

if (g.Buffer === undefined) {
  const HEX = "0123456789abcdef";
  type Encoder = { encode(s: string): Uint8Array };
  type Decoder = { decode(b: Uint8Array): string };
  const toText = (bytes: Uint8Array, encoding = "utf8"): string => {
    if (encoding === "hex") {
      const parts: string[] = []; // pushed: filling a new Array(n) by index is quadratic on XS
      for (let i = 0; i < bytes.length; i++) parts.push(HEX[bytes[i]! >> 4]! + HEX[bytes[i]! & 15]!);
      return parts.join("");
    }
    const Dec = g.TextDecoder as (new () => Decoder) | undefined;
    if (!Dec) throw new Error("Buffer.toString(): no TextDecoder");
    return new Dec().decode(bytes);
  };
  const buffer = (bytes: Uint8Array): Uint8Array => {
    Object.defineProperty(bytes, "toString", { value: (encoding?: string) => toText(bytes, encoding) });
    return bytes;
  };
  g.Buffer = {
    from(x: unknown, encoding = "utf8"): Uint8Array {
      if (typeof x === "string") {
        if (encoding === "hex") {
          // One pass of the string iterator: indexing a string is linear per call on XS (UTF-8 strings).
          const out = new Uint8Array(x.length >> 1);
          let i = 0;
          let hi = -1;
          for (const c of x) {
            const n = parseInt(c, 16);
            if (hi < 0) hi = n;
            else {
              out[i++] = (hi << 4) | n;
              hi = -1;
            }
          }
          return buffer(out);
        }
        const Enc = g.TextEncoder as (new () => Encoder) | undefined;
        if (!Enc) throw new Error("Buffer.from(string): no TextEncoder (run the XS runner with --text)");
        return buffer(new Enc().encode(x));
      }
      const src = x instanceof ArrayBuffer ? new Uint8Array(x) : (x as ArrayLike<number>);
      const out = new Uint8Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = src[i]!;
      return buffer(out);
    },
  };
}

export {};
