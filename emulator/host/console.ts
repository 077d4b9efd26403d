/** Parsing what the image wrote on its console (record kinds: emulator/image/out.ts). */

export interface Dispatch {
  stream: number;
  /** Due time, µs since reset (recorded in 25 MHz ticks). */
  dueUs: number;
  /** SysTick (25 MHz) at start and end. */
  start: number;
  end: number;
  /** µs of the event spent in XS's garbage collector. */
  gcUs: number;
  /** Slots and chunk bytes the event allocated; -1 when a collection ran during it (then unknown). */
  slots: number;
  chunkBytes: number;
  /** Busy ticks of the device's own code in the event, and of the provider running on its behalf (emulator/image/modes.ts). */
  deviceTicks: number;
  providerTicks: number;
  /** Device + provider ticks of the run before the event began. */
  workBefore: number;
  /** A timer: the dispatch that armed it, and the device + provider ticks of the run at that point; a network
   * delivery: the last dispatch before the broker's answer was posted (work 0); -1: neither. */
  armedIn: number;
  armedWork: number;
}

export interface TxRecord {
  conn: number;
  /** Virtual µs (the device's time). */
  at: number;
  /** Real µs since reset when the bytes were handed over. */
  realUs: number;
  /** Device + provider ticks of the run so far when the bytes were handed over. */
  work: number;
  bytes: Uint8Array;
}

/** An SPI transaction the device made (`P`): the target (index into the recording's SPI targets), MOSI. */
export interface SpiRecord {
  target: number;
  at: number;
  realUs: number;
  work: number;
  tx: Uint8Array;
}

/** Bytes the device wrote to a serial port (`U`): the port (index into the replay's `uarts`, replay-file.ts). */
export interface SerialTxRecord {
  port: number;
  at: number;
  realUs: number;
  work: number;
  bytes: Uint8Array;
}

export interface RxRecord {
  conn: number;
  at: number;
  bytes: Uint8Array | undefined;
  closed?: string;
}

export interface WireRecord {
  dir: "tx" | "rx";
  conn: number;
  at: number;
  bytes: Uint8Array;
}

export interface ImageConsole {
  streams: Map<number, string>;
  /** Bytes on every connection, both ways, in the order they passed. */
  wire: WireRecord[];
  dispatches: Dispatch[];
  tx: TxRecord[];
  rx: RxRecord[];
  spi: SpiRecord[];
  serial: SerialTxRecord[];
  opens: { conn: number; at: number; target: string }[];
  logs: { at: number; level: string; message: string }[];
  crashes: { at: number; phase: string; message: string }[];
  divergences: string[];
  boot: Record<string, unknown> | undefined;
  summary: Record<string, unknown> | undefined;
  /** Lines from the C layer (`#boot`, `#end`, `#oom`, `#fault`, …). */
  platform: string[];
  /** `#end` figures, when the image got there. */
  end:
    | {
        heap: number;
        peak: number;
        stackPeak: number;
        stackSize: number;
        ticks: number;
        idleTicks: number;
        aliased: number;
        staticPeak: number;
        staticLimit: number;
        /** JS stack: peak slots in use, slots XS has, and the shallowest device callback entry (firmware/natives.c). */
        jsStackPeak: number;
        jsStackSize: number;
        deviceEntry: number;
        /** XS memory the device held after collections, peak, bytes (firmware/budget.c). */
        deviceXs: number;
      }
    | undefined;
  /** `#modes`: busy ticks of the harness, the device and the provider over the run. */
  modes: { harness: number; device: number; provider: number } | undefined;
  /** `#harness`: what the image's own JS held when the device booted, outside the board's budget (firmware/budget.c). */
  harness: { slots: number; chunks: number } | undefined;
  other: string[];
}

const unescape = (s: string): string => s.replace(/\\(n|r|\\)/g, (_, c: string) => (c === "n" ? "\n" : c === "r" ? "\r" : "\\"));

export function parseConsole(text: string): ImageConsole {
  const c: ImageConsole = {
    streams: new Map(),
    dispatches: [],
    wire: [],
    tx: [],
    rx: [],
    spi: [],
    serial: [],
    opens: [],
    logs: [],
    crashes: [],
    divergences: [],
    boot: undefined,
    summary: undefined,
    platform: [],
    end: undefined,
    modes: undefined,
    harness: undefined,
    other: [],
  };
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const kind = line[0];
    const rest = line.slice(2);
    switch (kind) {
      case "E": {
        // All hexadecimal (cheap to format on the MCU); "-" for an allocation count a collection made unknowable.
        const [s, due, start, end, gc, slots, chunks, device, provider, before, armedIn, armedWork] = rest.split(" ");
        const hex = (x: string | undefined): number => (x === undefined || x === "-" ? -1 : x.startsWith("~") ? -parseInt(x.slice(1), 16) : parseInt(x, 16));
        c.dispatches.push({
          stream: hex(s),
          dueUs: hex(due) / 25,
          start: hex(start),
          end: hex(end),
          gcUs: hex(gc),
          slots: hex(slots),
          chunkBytes: hex(chunks),
          deviceTicks: hex(device),
          providerTicks: hex(provider),
          workBefore: hex(before),
          armedIn: armedIn === undefined ? -1 : hex(armedIn),
          armedWork: armedWork === undefined || armedWork === "-" ? 0 : hex(armedWork),
        });
        break;
      }
      case "N": {
        const i = rest.indexOf(" ");
        c.streams.set(Number(rest.slice(0, i)), rest.slice(i + 1));
        break;
      }
      case "T": {
        const [conn, at, real, work, hex] = rest.split(" ");
        const t = { conn: Number(conn), at: Number(at), realUs: Number(real), work: Number(work), bytes: new Uint8Array(Buffer.from(hex ?? "", "hex")) };
        c.tx.push(t);
        c.wire.push({ dir: "tx", conn: t.conn, at: t.at, bytes: t.bytes });
        break;
      }
      case "P": {
        const [target, at, real, work, hex] = rest.split(" ");
        c.spi.push({ target: Number(target), at: Number(at), realUs: Number(real), work: Number(work), tx: new Uint8Array(Buffer.from(hex ?? "", "hex")) });
        break;
      }
      case "U": {
        const [port, at, real, work, hex] = rest.split(" ");
        c.serial.push({ port: Number(port), at: Number(at), realUs: Number(real), work: Number(work), bytes: new Uint8Array(Buffer.from(hex ?? "", "hex")) });
        break;
      }
      case "R": {
        const [conn, at, what, ...more] = rest.split(" ");
        if (what === "closed") c.rx.push({ conn: Number(conn), at: Number(at), bytes: undefined, closed: unescape(more.join(" ")) });
        else {
          const bytes = new Uint8Array(Buffer.from(what ?? "", "hex"));
          c.rx.push({ conn: Number(conn), at: Number(at), bytes });
          c.wire.push({ dir: "rx", conn: Number(conn), at: Number(at), bytes });
        }
        break;
      }
      case "O": {
        const [conn, at, target] = rest.split(" ");
        c.opens.push({ conn: Number(conn), at: Number(at), target: target ?? "" });
        break;
      }
      case "X":
        break;
      case "L": {
        const [at, level, ...m] = rest.split(" ");
        c.logs.push({ at: Number(at), level: level ?? "", message: unescape(m.join(" ")) });
        break;
      }
      case "C": {
        const [at, phase, ...m] = rest.split(" ");
        c.crashes.push({ at: Number(at), phase: phase ?? "", message: unescape(m.join(" ")) });
        break;
      }
      case "D":
        c.divergences.push(unescape(rest));
        break;
      case "B":
        c.boot = JSON.parse(rest) as Record<string, unknown>;
        break;
      case "S":
        c.summary = JSON.parse(rest) as Record<string, unknown>;
        break;
      case "#": {
        c.platform.push(line);
        const m = /^#end heap=(\d+) peak=(\d+) stack=(\d+)\/(\d+) ticks=(\d+) idle=(\d+)/.exec(line);
        if (m) {
          const a = / aliased=(\d+)\/(\d+)/.exec(line);
          const st = / static=(\d+)\/(\d+)/.exec(line);
          const js = / js-stack=(\d+)\/(\d+)/.exec(line);
          const entry = / device-entry=(-?\d+)/.exec(line);
          const dx = / device-xs=(-?\d+)/.exec(line);
          c.end = {
            heap: +m[1]!,
            peak: +m[2]!,
            stackPeak: +m[3]!,
            stackSize: +m[4]!,
            ticks: +m[5]!,
            idleTicks: +m[6]!,
            aliased: a ? +a[1]! : 0,
            staticPeak: st ? +st[1]! : 0,
            staticLimit: st ? +st[2]! : 0,
            jsStackPeak: js ? +js[1]! : 0,
            jsStackSize: js ? +js[2]! : 0,
            deviceEntry: entry ? +entry[1]! : -1,
            deviceXs: dx ? +dx[1]! : 0,
          };
        }
        const modes = /^#modes harness=(\d+) device=(\d+) provider=(\d+)/.exec(line);
        if (modes) c.modes = { harness: +modes[1]!, device: +modes[2]!, provider: +modes[3]! };
        const harness = /^#harness slots=(-?\d+) chunks=(-?\d+)/.exec(line);
        if (harness) c.harness = { slots: +harness[1]!, chunks: +harness[2]! };
        break;
      }
      default:
        c.other.push(line);
    }
  }
  return c;
}
