/**
 * What the board-entry bundle exports: the simulated Moddable modules (each Moddable specifier is a one-line module
 * re-exporting one of these, written by simulator/xs/board-entry.ts) and `serveBoard`.
 */
export { Analog, BlockCipher, ClockedSerial, Digital, Flash, getResetReason, I2C, PowerMode, PulseCount, ResetReason, Serial, Sleep, SleepMode, SPI, TCP, Time, Timer } from "./modules.js";
export { serveBoard } from "./serve.js";
