/**
 * The replay blob the image reads (QEMU loads it at REPLAY_ADDRESS, outside the board's RAM and flash: it is the
 * test bench, not the device). Written on the host by emulator/host/replay-file.ts from a simulator recording
 * (simulator/node/record.ts); read in the image by emulator/image/replay.ts. Little-endian throughout.
 *
 *   header (64 bytes)
 *     0 u32 magic "GZRP"   4 u32 version   8 u32 total bytes
 *    12 u32 meta offset   16 u32 meta length      (UTF-8 JSON, `ReplayMeta`)
 *    20 u32 streams offset 24 u32 stream count   (16-byte entries: u32 kind, u32 key, u32 offset, u32 length)
 *    28 u32 line events offset  32 u32 line event count
 *    36 u32 net events offset   40 u32 net event count
 *   streams: values the device reads, consumed in order (see StreamKind)
 *   events (two tables, so that each cursor walks only its own): what reaches the board by itself, in recorded
 *   order; each is
 *     f64 at (µs), f64 after (device callbacks run before it was posted, or -1 when it is placed by time alone),
 *     u16 kind, u16 key, u32 payload length, payload, padding to 4 bytes
 */

export const REPLAY_MAGIC = 0x50525a47; // "GZRP"
export const REPLAY_VERSION = 5;
export const REPLAY_HEADER_BYTES = 64;
export const REPLAY_STREAM_ENTRY_BYTES = 16;
export const REPLAY_EVENT_HEADER_BYTES = 24;
/** QEMU mps2-an386 PSRAM: 16 MB at 0x21000000, beyond both memory profiles. */
export const REPLAY_ADDRESS = 0x21000000;
export const REPLAY_MAX_BYTES = 16 * 1024 * 1024;

export const StreamKind = {
  /** One I2C target's transactions (key: index into meta.i2c): u8 op (0 write, 1 read), u8 ack, u16 length, bytes. */
  I2C: 1,
  /** Volts an ADC pin's source returned, f64 each (key: pin). */
  AnalogVolts: 2,
  /** Counts a pulse source returned, f64 each (key: pin). */
  PulseCount: 3,
  /** Times a pulse source said its next pulse comes, f64 µs each, Infinity for never (key: pin). */
  PulseNext: 4,
  /** `host.random()` values, f64 each (key 0). */
  Random: 5,
  /** Bytes the device sent on a connection, concatenated (key: connection index), to check the image sends the same. */
  TcpTx: 6,
  /** One SPI chip select's transactions (key: index into meta.spi): u16 length, MOSI bytes, MISO bytes. */
  SPI: 7,
  /** What parts did to their lines inside the device's writes to other lines (key 0), in write order: u32 the write's
   * index (simulator/core/io/lines.ts PinWorld.writes), u16 pin, u8 payload (as a Line event's: the level in bit 0,
   * LINE_ANSWERS_WRITE_CODE above it), u8 0. Applied inside that write, not placed by time: a bit-banged read's data
   * bits (an HX711's DOUT after each PD_SCK rise) are read back within the device's callback. Eight bytes each, not a
   * 24-byte event: 80 reads a second of ~13 bit changes each would not fit the replay region for long. */
  WriteAnswers: 8,
} as const;

/** Bytes of one WriteAnswers entry. */
export const WRITE_ANSWER_BYTES = 8;

export const EventKind = {
  /** A model set a digital line (key: pin; payload: u8, the level in bit 0 and the change's timing code above it:
   * simulator/core/io/lines.ts LINE_TIMING_CODE). Placed by time. */
  Line: 1,
  /** The connection opened (key: connection). */
  TcpConnected: 2,
  /** Bytes arrived (key: connection; payload: the bytes). */
  TcpData: 3,
  /** The connection closed (key: connection; payload: UTF-8 error message, empty for a clean close). */
  TcpClosed: 4,
  /** Bytes a UART delivered to the device (key: index into meta.uarts; payload: the bytes). Placed by time, in the line table. */
  UartRx: 5,
} as const;

/** Board as the image's provider needs it: the simulator's `SimBoardSpec` without the flash array. */
export interface ReplayBoard {
  name: string;
  adc: { resolution: number; fullScaleVolts: number; pins: number[] };
  pulseCountUnits: number;
  i2c: Record<string, { data: number; clock: number; hz: number; port?: number }>;
  spi: Record<string, { clock: number; in?: number; out?: number; hz: number; port?: number }>;
  serial: Record<string, { receive?: number; transmit?: number; baud: number; port?: number }>;
  pins: Record<string, number>;
  portPins?: boolean;
  flash: { size: number; blockLength: number; writeAlign: number; partitions: Record<string, { offset: number; size: number }> };
  supplyVolts: number;
}

export interface ReplayMeta {
  version: number;
  device: string;
  board: string;
  seed: number;
  hours: number;
  /** Node id, e.g. "ws-0001". */
  id: string;
  epochMs: number;
  /** Virtual time the run ends, µs. */
  endUs: number;
  /** The board's serial ports that delivered bytes to the device, by the key of their UartRx events. */
  uarts?: string[];
  spec: ReplayBoard;
  /** SysTick ticks of provider work that the board's timing model (emulator/host/board-timing.ts) renders as 1 µs
   * at its fewest cycles per instruction: what a wait on a bus is charged (emulator/image/main.ts). */
  busTicksPerUs: number;
  /** The node's `host.config`, as the simulator gave it (broker included). */
  config: unknown;
  rolePins: Record<string, number>;
  /** I2C targets: stream key i is i2c[i]. */
  i2c: { bus: string; address: number }[];
  /** SPI targets by chip select: stream key i is spi[i]. */
  spi: { bus: string; select: number }[];
  /** Lines an SPI part drives in answer to the device's commands (a transceiver's BUSY and DIO1): their edges are
   * timed on the board from the command before them. */
  answerLines: number[];
  /** Digital lines the models drove, as they were when the node booted. */
  lines: { pin: number; level: number; driven: boolean }[];
  /** Analog and pulse sources present on the board. */
  analogPins: number[];
  pulsePins: number[];
  /** Connections the device opened, in order. */
  connections: { address: string; port: number }[];
  watchdogMs: number;
}
