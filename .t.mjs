import path from "node:path";
import { BuildCache } from "./out/tools/build/cache.js";
import { deviceProgram, checkDeviceProgram } from "./out/tools/build/typecheck.js";
import { real } from "./out/tools/build/paths.js";
const root = process.cwd();
const entry = real(root + "/devices/weather-station/main.ts");
const cache = new BuildCache(root, path.join(root, "node_modules/.cache/ganzhi"), false);
const c = deviceProgram(root, entry, cache.buildInfo(`device ${entry}`));
checkDeviceProgram(root, entry, c);
const emitted = c.emit();
let hit = 0, miss = 0, fresh = 0;
for (const sf of c.program.getSourceFiles()) {
  if (sf.isDeclarationFile) continue;
  const file = path.resolve(sf.fileName);
  if (emitted.has(file)) { fresh++; continue; }
  if (cache.getJs("device", file, sf.impliedNodeFormat, sf.text) !== undefined) hit++; else { miss++; if (miss < 3) console.log("miss", file, sf.impliedNodeFormat); }
}
console.log({ fresh, hit, miss, buildInfo: cache.buildInfo(`device ${entry}`) });
