/**
 * The block cipher of the Moddable SDK's `crypt` module ($(MODDABLE)/modules/crypt/digest, included by the generated
 * manifest). @moddable/typings 5.6.0 declares only `Digest` there; this follows `crypt.js` and `modCrypt.c` of SDK
 * 8.2.3: `new BlockCipher("AES", key)` takes a 16-, 24- or 32-byte ArrayBuffer key (copied), and `encrypt(data,
 * result)` encrypts the first block of the ArrayBuffer `data` into the ArrayBuffer `result` (returned; a new one
 * when `result` is absent, which is why callers pass their own).
 */
declare module "crypt" {
  export class BlockCipher {
    constructor(cipher: "AES" | "DES" | "TDES", key: ArrayBuffer);
    encrypt(data: ArrayBuffer, result?: ArrayBuffer): ArrayBuffer;
    decrypt(data: ArrayBuffer, result?: ArrayBuffer): ArrayBuffer;
    get keySize(): number;
    get blockSize(): number;
  }
}
