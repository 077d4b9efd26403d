/**
 * TypeScript, loaded with require(). Imported as an ES module, its 9 MB CommonJS file is compiled about three times
 * (Node's module-syntax detection, the export lexer, then the module itself): about a second of every cold
 * `ganzhi build`. Types come from `import type TS from "typescript"`.
 */
import { createRequire } from "node:module";
import type TS from "typescript";

const ts = createRequire(import.meta.url)("typescript") as typeof TS;
export default ts;
