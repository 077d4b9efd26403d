/**
 * `ganzhi/clockedserial`: the host provider's own native module (hal/moddable/native/clockedserial.js and .c), which
 * `ganzhi build` adds to the Moddable project (tools/build/native.ts). Its shape is hal's ClockedSerial (hal/io.ts).
 */
declare module "ganzhi/clockedserial" {
  export default class ClockedSerial {
    constructor(options: { clock: number; data: number; target?: unknown });
    read(bits: number, extraPulses?: number): number;
    write(level: number): void;
    close(): void;
    readonly highUs: number;
    target?: unknown;
  }
}
