/**
 * lora-packet, typed as it loads: the package is CommonJS whose `module.exports` is the API object, while its
 * declarations describe an ES module with that object as `default`. Node's ESM loader hands us `module.exports`.
 */
import lp from "lora-packet";

type Api = (typeof lp)["default"];
const loaded = lp as unknown as Api & { default?: Api };
export const loraPacket: Api = loaded.default ?? loaded;
export type LoraPacket = ReturnType<Api["fromWire"]>;
