/** `host.cipher` on V8: AES-128-ECB from Node's OpenSSL (simulator/core/ciphers.ts). */
import * as crypto from "node:crypto";
import type { Ciphers } from "../../hal/host.js";
import { nodeCryptoCiphers, type NodeCryptoLike } from "../core/ciphers.js";

export const NODE_CIPHERS: Ciphers = nodeCryptoCiphers(crypto as unknown as NodeCryptoLike);
