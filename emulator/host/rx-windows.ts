/**
 * Class A receive windows of a LoRaWAN node, on the board's clock: per uplink, when the device's SetTx went out,
 * when TxDone rose, and when the transceiver was listening for RX1 and RX2, against L2 1.0.4 §3.3's instants
 * (TxDone + RECEIVE_DELAY1/2, or JOIN_ACCEPT_DELAY1/2 after a Join-Request), as a range over the timing model's two
 * cases (board-timing.ts, timeline.ts).
 *
 * Read from three sources, none of them the device's own account:
 * - the recording (simulator/node/record.ts): every SPI transaction with the SX1262 (MOSI, MISO, virtual time) and
 *   the BUSY and DIO1 edges the model drove: TxDone is DIO1's rising edge after SetTx, the time on air runs from
 *   BUSY falling after SetTx (the preamble starts: parts/sx1262/model.ts) to TxDone, and the transceiver's own set-up
 *   after SetRx is BUSY's pulse after it;
 * - the image's `P` records: where in which handler the device issued each command, placed on the board's clock by
 *   the timeline, plus the command's transfer at the SPI clock;
 * - the JoinAccept, decrypted with the node's AppKey by lora-packet (an independent implementation): its RxDelay is
 *   RECEIVE_DELAY1 for the data uplinks after it.
 *
 * On the board the window's timer is not where the timeline's generic rule puts it. The MAC reads the clock in the
 * TxDone handler and arms `txEnd + delay − rxSetupUs − now` in a later handler (after the transceiver's BUSY
 * handshakes), so the wait is counted from that clock reading, not from the arming handler; and Moddable's
 * microseconds on the nRF52 are its milliseconds × 1000 (xs/platforms/nrf52/xsHost.h), its timers take whole
 * milliseconds (modules/base/timer/modTimer.c). The timer's trigger is therefore recomputed here as the device would
 * compute it on the board, and everything the timeline placed after the timer's handler, up to SetRx, moves with it.
 *
 * A window catches a preamble sent exactly on time when the receiver still hears MIN_DETECT_SYMBOLS of it: a late
 * receiver may miss (preamble − MIN_DETECT_SYMBOLS) symbols, an early one must still be listening, within the symbol
 * timeout it programmed, MIN_DETECT_SYMBOLS into the preamble. A window that would miss fails, even though the replay
 * cannot change what the device received.
 */
import { loraPacket } from "../../simulator/node/lns/lora-packet.js";
import type { Recording } from "../../simulator/node/record.js";
import type { ImageConsole } from "./console.js";
import type { BoardTiming } from "./board-timing.js";
import { bounds, dispatchAt, rtos } from "./timeline.js";
import type { Bounds, Pair, Timeline } from "./timeline.js";

/** SX126x opcodes (DS.SX1261-2 §13). */
const OP_WRITE_REGISTER = 0x0d;
const OP_WRITE_BUFFER = 0x0e;
const OP_READ_BUFFER = 0x1e;
const OP_SET_RX = 0x82;
const OP_SET_TX = 0x83;
const OP_SET_MODULATION_PARAMS = 0x8b;
const OP_SET_LORA_SYMB_NUM_TIMEOUT = 0xa0;
/** SX126x register the symbol timeout lands in (mantissa·4^exponent·2 symbols, §13.4.9's undocumented register). */
const REG_LORA_SYNCH_TIMEOUT = 0x0706;
/** SetModulationParams' LoRa bandwidth codes (DS.SX1261-2 Table 13-47), the LoRaWAN ones. */
const BANDWIDTH_HZ: Readonly<Record<number, number>> = Object.freeze({ 0x04: 125_000, 0x05: 250_000, 0x06: 500_000 });

/** L2 1.0.4 §3.3 / RP002-1.0.x §3 (CN470 uses the defaults): s. RECEIVE_DELAY1 after a join is the JoinAccept's RxDelay. */
export const JOIN_ACCEPT_DELAY1_S = 5;
export const JOIN_ACCEPT_DELAY2_S = 6;
export const RECEIVE_DELAY1_DEFAULT_S = 1;
/** LoRaWAN's downlink preamble, symbols (RP002-1.0.x §3: 8 for LoRa data rates). */
export const DOWNLINK_PREAMBLE_SYMBOLS = 8;
/** Preamble symbols a receiver needs to detect a frame (Semtech LoRaMac-node's minimum, which the MAC also uses). */
export const MIN_DETECT_SYMBOLS = 6;

/** The transceiver as the manifest wired it. */
export interface RadioWiring {
  /** Index of its chip select among the recording's SPI targets. */
  target: number;
  busy: number;
  dio1: number;
  /** SPI clock, Hz. */
  spiHz: number;
  /** AppKey (hex), to read the JoinAccept's RxDelay; absent for ABP. */
  appKey?: string;
}

export interface WindowTiming {
  which: 1 | 2;
  /** Delay after TxDone the spec gives this window, µs. */
  delayUs: number;
  sf: number;
  bandwidthHz: number;
  /** Symbol timeout the device programmed and one symbol's duration, µs. */
  timeoutSymbols: number;
  symbolUs: number;
  /** The transceiver's set-up from SetRx to listening (BUSY's pulse after SetRx in the recording), µs. */
  setupUs: number;
  /** When the receiver was listening on the board, µs since reset, and its error against TxDone + delay, µs. */
  listeningUs: Pair;
  errorUs: Pair;
  /** The same error in the simulation (virtual time: the device's code takes none), µs. */
  simulatedErrorUs: number;
  /** Of the board's error: the receive sequence from the timer's handler to SetRx's transfer end, on the board and
   * in the simulation (the transceiver's BUSY handshakes only), µs. */
  sequenceUs: Pair;
  simulatedSequenceUs: number;
  /** Error the window may have and still catch a preamble sent on time: [−early, +late], µs. */
  toleranceUs: { early: number; late: number };
  catches: boolean;
  /** A frame was read out of this window (RxDone). */
  received: boolean;
}

export interface UplinkTiming {
  kind: "join" | "data";
  /** PHY payload the device wrote into the transceiver (hex). */
  phyHex: string;
  /** Virtual µs of SetTx and of TxDone (the recorded DIO1 edge); airtime from BUSY falling after SetTx to TxDone. */
  setTxAt: number;
  txDoneAt: number;
  airtimeUs: number;
  /** SetTx's transfer end and TxDone on the board, µs since reset. */
  setTxUs: Pair;
  txDoneUs: Pair;
  windows: WindowTiming[];
}

export interface RxWindowFigures {
  uplinks: UplinkTiming[];
  joins: number;
  /** A JoinAccept was received and data uplinks followed. */
  joined: boolean;
  /** Per window (1, 2): error p50/p99/max over the run, each as bounds over the two cases; |error| max. */
  error: { which: 1 | 2; windows: number; p50: Bounds; p99: Bounds; max: Bounds; min: Bounds; absMax: number }[];
  /** Largest |error| of any window, µs, high end (the budget's figure); undefined with no window. */
  absMaxUs: number | undefined;
  /** Windows that would not catch a preamble sent on time. */
  missed: number;
  windows: number;
  airtimeUs: { count: number; mean: number; max: number; total: number };
  /** What could not be placed (a command with no `P` record, a window with no timer). */
  notes: string[];
}

interface Command {
  op: number;
  tx: Buffer;
  rx: Buffer;
  at: number;
  /** Where its transfer ended on the board, and its dispatch. */
  endUs: Pair | undefined;
  dispatch: number;
}

const CASES = ["fast", "slow"] as const;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** The RxDelay of a JoinAccept read out of the transceiver, decrypted with the AppKey (lora-packet). */
function joinAcceptDelayS(phy: Buffer, appKey: string | undefined): number | undefined {
  if (!appKey) return undefined;
  try {
    const packet = loraPacket.fromWire(phy);
    if (packet.getMType() !== "Join Accept") return undefined;
    const plain = loraPacket.fromWire(loraPacket.decryptJoinAccept(packet, Buffer.from(appKey, "hex")));
    if (!loraPacket.verifyMIC(plain, undefined, Buffer.from(appKey, "hex"))) return undefined;
    const del = plain.getRxDelayDel();
    return del === null ? undefined : del === 0 ? 1 : del;
  } catch {
    return undefined;
  }
}

export function rxWindows(rec: Recording, c: ImageConsole, line: Timeline, timing: BoardTiming, radio: RadioWiring): RxWindowFigures {
  const notes: string[] = [];
  const origin = Number(c.boot?.originUs ?? 0);
  const clock = rtos(origin, timing.tickHz);
  const recorded = rec.spi?.[radio.target]?.transactions ?? [];
  const image = c.spi.filter((p) => p.target === radio.target);
  if (image.length !== recorded.length) notes.push(`the image made ${image.length} SPI transactions with the radio, the simulation ${recorded.length}`);
  const commands: Command[] = recorded.map((t, i) => {
    const tx = Buffer.from(t.txHex, "hex");
    const p = image[i];
    const dispatch = p ? dispatchAt(c, origin + p.at, p.realUs) : -1;
    const point = dispatch >= 0 && p ? line.at(dispatch, p.work) : undefined;
    const transfer = (tx.length * 8 * 1e6) / radio.spiHz;
    return { op: tx[0] ?? -1, tx, rx: Buffer.from(t.rxHex, "hex"), at: t.at, dispatch, endUs: point ? { fast: point.fast + transfer, slow: point.slow + transfer } : undefined };
  });
  const edges = (pin: number, level: number): number[] => rec.lineChanges.filter(([p, , l]) => p === pin && l === level).map(([, at]) => at);
  const busyFalls = edges(radio.busy, 0);
  const dio1Rises = edges(radio.dio1, 1);
  // A command sent in the handler of the previous command's BUSY edge is at that edge's instant: its own edge comes later.
  const firstAfter = (list: readonly number[], at: number): number | undefined => list.find((x) => x > at);
  const eventOf = (label: string, dueUs: number) => line.events.find((e) => e.label === label && Math.abs(e.dueUs - dueUs) < 1);

  const uplinks: UplinkTiming[] = [];
  let sf = 0;
  let bw = 0;
  let timeoutSymbols = 0;
  let written: Buffer = Buffer.alloc(0);
  let receiveDelay1S = RECEIVE_DELAY1_DEFAULT_S;
  let current: UplinkTiming | undefined;
  /** For the current uplink: when the DIO1 handler began on the board (the device's clock reading), per case. */
  let txDoneHandler: Pair | undefined;
  let window: WindowTiming | undefined;
  commands.forEach((cmd, i) => {
    const { op, tx } = cmd;
    if (op === OP_SET_MODULATION_PARAMS) {
      sf = tx[1] ?? 0;
      bw = BANDWIDTH_HZ[tx[2] ?? -1] ?? 0;
    } else if (op === OP_SET_LORA_SYMB_NUM_TIMEOUT) timeoutSymbols = tx[1] ?? 0;
    else if (op === OP_WRITE_REGISTER && tx.length >= 4 && ((tx[1]! << 8) | tx[2]!) === REG_LORA_SYNCH_TIMEOUT) {
      const v = tx[3]!;
      timeoutSymbols = (v >> 3) << (2 * (v & 7) + 1);
    } else if (op === OP_WRITE_BUFFER) written = tx.subarray(2);
    else if (op === OP_READ_BUFFER && window) {
      window.received = true;
      const phy = cmd.rx.subarray(3);
      if (current?.kind === "join") {
        const del = joinAcceptDelayS(phy, radio.appKey);
        if (del !== undefined) receiveDelay1S = del;
      }
    } else if (op === OP_SET_TX) {
      const txDoneAt = firstAfter(dio1Rises, cmd.at);
      const txStart = firstAfter(busyFalls, cmd.at);
      if (txDoneAt === undefined || txStart === undefined || !cmd.endUs) {
        notes.push(`SetTx at ${cmd.at} µs: no ${txDoneAt === undefined ? "TxDone" : txStart === undefined ? "BUSY edge" : "place on the board's clock"}`);
        current = undefined;
        return;
      }
      const handler = eventOf(`edge:${radio.dio1}`, origin + txDoneAt);
      if (!handler) notes.push(`TxDone at ${txDoneAt} µs: no handler ran for it`);
      const txDoneUs: Pair = { fast: cmd.endUs.fast + (txDoneAt - cmd.at), slow: cmd.endUs.slow + (txDoneAt - cmd.at) };
      // The device reads its clock when its DIO1 handler starts: TxDone on the board plus however long the CPU was
      // still busy with another handler. (The timeline dates a part's line from the last transaction with it, here
      // the driver's GetStatus after SetTx, a read the chip does not act on; a late handler for that read would
      // otherwise move TxDone, which the chip raises one time on air after SetTx.)
      txDoneHandler = handler
        ? { fast: txDoneUs.fast + Math.max(0, handler.latenessUs.fast), slow: txDoneUs.slow + Math.max(0, handler.latenessUs.slow) }
        : undefined;
      current = {
        kind: (written[0] ?? 0) >> 5 === 0 ? "join" : "data",
        phyHex: written.toString("hex"),
        setTxAt: cmd.at,
        txDoneAt,
        airtimeUs: txDoneAt - txStart,
        setTxUs: cmd.endUs,
        txDoneUs,
        windows: [],
      };
      window = undefined;
      uplinks.push(current);
    } else if (op === OP_SET_RX && current && current.windows.length < 2) {
      const which = (current.windows.length + 1) as 1 | 2;
      const delayS = current.kind === "join" ? (which === 1 ? JOIN_ACCEPT_DELAY1_S : JOIN_ACCEPT_DELAY2_S) : which === 1 ? receiveDelay1S : receiveDelay1S + 1;
      const setupEnd = firstAfter(busyFalls, cmd.at);
      const placed = cmd.endUs ? windowOnBoard(i) : undefined;
      if (setupEnd === undefined || !placed) {
        notes.push(`RX${which} at ${cmd.at} µs: ${setupEnd === undefined ? "no BUSY edge after SetRx" : "could not be placed on the board's clock"}`);
        window = undefined;
        return;
      }
      const symbolUs = bw > 0 ? (2 ** sf / bw) * 1e6 : 0;
      const setupUs = setupEnd - cmd.at;
      const listeningUs: Pair = { fast: placed.end.fast + setupUs, slow: placed.end.slow + setupUs };
      const errorUs: Pair = {
        fast: listeningUs.fast - (current.txDoneUs.fast + delayS * 1e6),
        slow: listeningUs.slow - (current.txDoneUs.slow + delayS * 1e6),
      };
      const tolerance = { early: Math.max(0, timeoutSymbols - MIN_DETECT_SYMBOLS) * symbolUs, late: (DOWNLINK_PREAMBLE_SYMBOLS - MIN_DETECT_SYMBOLS) * symbolUs };
      window = {
        which,
        delayUs: delayS * 1e6,
        sf,
        bandwidthHz: bw,
        timeoutSymbols,
        symbolUs,
        setupUs,
        listeningUs,
        errorUs,
        simulatedErrorUs: cmd.at + setupUs - (current.txDoneAt + delayS * 1e6),
        sequenceUs: placed.sequence,
        simulatedSequenceUs: placed.simulatedSequence,
        toleranceUs: tolerance,
        catches: CASES.every((k) => errorUs[k] >= -tolerance.early && errorUs[k] <= tolerance.late),
        received: false,
      };
      current.windows.push(window);
    }
  });

  /**
   * Where SetRx (command `i`) ended on the board once the window's timer is where the device would have set it: the
   * first command of its sequence ran in the timer's handler; that handler, and what followed it up to SetRx, move
   * by the difference between the device's trigger and the timeline's.
   */
  function windowOnBoard(i: number): { end: Pair; sequence: Pair; simulatedSequence: number } | undefined {
    const cmd = commands[i]!;
    let first = i;
    // The sequence from the window's timer to SetRx: SetRx alone when the device prepared the window ahead (it then
    // runs in the timer's handler), otherwise the commands before it in BUSY handshakes, microseconds apart, back to
    // the one the timer's handler sent; the commands before that came a second or more earlier, or from another timer
    // (the device's wake-up ahead of the window).
    const fromTimer = (k: number) => line.events[line.byDispatch[commands[k]!.dispatch] ?? -1]?.source === "timer";
    while (first > 0 && !fromTimer(first) && commands[first]!.at - commands[first - 1]!.at < 100_000) first--;
    const d = c.dispatches[commands[first]!.dispatch];
    const e = line.events[line.byDispatch[commands[first]!.dispatch] ?? -1];
    if (!d || !e || e.source !== "timer" || !txDoneHandler || !current || !cmd.endUs) return undefined;
    const arming = d.armedIn >= 0 ? line.at(d.armedIn, d.armedWork) : undefined;
    const armingEvent = line.events[line.byDispatch[d.armedIn] ?? -1];
    if (!arming || !armingEvent) return undefined;
    // The device's wait, in virtual time, from TxDone (its clock reading) to the timer's due.
    const offsetUs = d.dueUs - (origin + current.txDoneAt);
    const out: Pair = { fast: 0, slow: 0 };
    const sequence: Pair = { fast: cmd.endUs.fast - e.startUs.fast, slow: cmd.endUs.slow - e.startUs.slow };
    for (const k of CASES) {
      const read = txDoneHandler[k];
      const armedAt = arming[k];
      // As the timeline set it: the arming instant's milliseconds plus the recorded delay, whole ms.
      const timelineTrigger = clock.ms(armedAt) + Math.floor((d.dueUs - armingEvent.dueUs) / 1000 + 1e-9);
      // As the device sets it on the board: `txEnd + offset − now`, both read from its clock, in whole ms.
      const deviceTrigger =
        timing.microseconds === "rtos-ms"
          ? clock.ms(read) + Math.floor(offsetUs / 1000 + 1e-9)
          : clock.ms(armedAt) + Math.floor((read + offsetUs - armedAt) / 1000 + 1e-9);
      const shift = clock.fire(deviceTrigger).wake - clock.fire(timelineTrigger).wake;
      out[k] = cmd.endUs[k] + shift;
    }
    return { end: out, sequence, simulatedSequence: cmd.at - (d.dueUs - origin) };
  }

  const windows = uplinks.flatMap((u) => u.windows);
  const error = ([1, 2] as const).map((which) => {
    const ws = windows.filter((w) => w.which === which);
    const sorted = (k: "fast" | "slow") => ws.map((w) => w.errorUs[k]).sort((a, b) => a - b);
    const f = sorted("fast");
    const s = sorted("slow");
    const stat = (p: number): Bounds => (ws.length === 0 ? { low: 0, high: 0 } : bounds({ fast: percentile(f, p), slow: percentile(s, p) }));
    return {
      which,
      windows: ws.length,
      p50: stat(0.5),
      p99: stat(0.99),
      max: ws.length === 0 ? { low: 0, high: 0 } : bounds({ fast: f[f.length - 1]!, slow: s[s.length - 1]! }),
      min: ws.length === 0 ? { low: 0, high: 0 } : bounds({ fast: f[0]!, slow: s[0]! }),
      absMax: ws.reduce((m, w) => Math.max(m, Math.abs(w.errorUs.fast), Math.abs(w.errorUs.slow)), 0),
    };
  });
  const airtimes = uplinks.map((u) => u.airtimeUs);
  const joins = uplinks.filter((u) => u.kind === "join").length;
  const joinAccepted = uplinks.some((u) => u.kind === "join" && u.windows.some((w) => w.received));
  return {
    uplinks,
    joins,
    joined: joinAccepted && uplinks.some((u) => u.kind === "data"),
    error,
    absMaxUs: windows.length === 0 ? undefined : Math.max(...error.map((e) => e.absMax)),
    missed: windows.filter((w) => !w.catches).length,
    windows: windows.length,
    airtimeUs: {
      count: airtimes.length,
      mean: airtimes.length ? airtimes.reduce((a, b) => a + b, 0) / airtimes.length : 0,
      max: airtimes.length ? Math.max(...airtimes) : 0,
      total: airtimes.reduce((a, b) => a + b, 0),
    },
    notes,
  };
}
