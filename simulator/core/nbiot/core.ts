/**
 * An NB-IoT core stand-in (eNodeBs plus the EPC, as far as a sensor node can tell): cells at positions, coverage
 * per UE from path loss, attach with its duration per CE level, per-datagram loss per CE level (radio.ts), a
 * fixed backhaul latency each way, and the UEs' UDP carried to real servers through a `DatagramNetwork` (the Node
 * shell bridges it to real UDP and holds virtual time while a server owes an answer).
 *
 * - Coverage: Okumura–Hata path loss (radio/channel.ts) at the band's frequency between the cell's and the UE's
 *   antenna heights, plus log-normal shadowing fixed per (cell, UE) link from the seed, plus the UE's own
 *   penetration loss (a meter in a basement); the best cell serves. Tests can force a UE's coupling loss.
 * - Timers: PSM and eDRX are granted as asked (an operator may clamp them; `maxActiveTimeS` does), the RRC
 *   inactivity timer is the network's (default 20 s).
 * - Addresses: UEs get 10.45.0.<n> in attach order.
 * - Loss and attach jitter are drawn from seeded streams per UE and direction, so a run is reproducible and one
 *   UE's draws never depend on when another's datagrams arrive.
 *
 * Portable: no Node APIs.
 */
import { hataPathLossDb } from "../radio/channel.js";
import type { Position } from "../radio/channel.js";
import type { Engine, Micros } from "../engine.js";
import type { DatagramNetwork, DatagramSocket } from "../network.js";
import { Rng } from "../rng.js";
import type { NbiotAccess, NbiotAttachRequest, NbiotCoverage, NbiotDatagram, NbiotGrant, NbiotUe } from "./access.js";
import { attachUs, ceLevelFor, datagramLoss, measure } from "./radio.js";
import type { CeLevel } from "./radio.js";

export interface NbiotCell {
  readonly name: string;
  readonly position: Position;
  /** Total downlink power over the 180 kHz carrier, dBm (default 43). */
  readonly powerDbm?: number;
  readonly cellId?: number;
  readonly pci?: number;
  /** Downlink EARFCN (default 3734, band 8 in China Mobile's network). */
  readonly earfcn?: number;
}

export interface NbiotCoreOptions {
  engine: Engine;
  seed: number;
  cells: readonly NbiotCell[];
  network: DatagramNetwork;
  /** Carrier frequency for path loss, Hz (default 950 MHz, band 8 downlink). */
  frequencyHz?: number;
  /** Shadowing standard deviation, dB (default 8). */
  shadowingDb?: number;
  /** One-way latency between the eNodeB and a server, µs (default 20 ms). */
  backhaulUs?: Micros;
  /** RRC inactivity timer, ms (default 20 s). */
  inactivityMs?: number;
  /** Longest active time (T3324) the network grants, s (default: as asked). */
  maxActiveTimeS?: number;
  /** Whether the network grants PSM and eDRX at all (default true). */
  psm?: boolean;
  edrx?: boolean;
  /** Jitter added to each attach, µs, drawn uniformly in [0, this) (default 500 ms). */
  attachJitterUs?: Micros;
}

export interface NbiotCoreStats {
  attaches: number;
  taus: number;
  attachFailures: number;
  uplinks: number;
  uplinkLost: number;
  /** Uplinks from a UE the network did not consider attached or covered. */
  uplinkRefused: number;
  downlinks: number;
  downlinkLost: number;
  /** Uplinks per CE level. */
  byCe: [number, number, number];
}

interface UeState {
  position: Position | undefined;
  extraLossDb: number;
  /** Coupling loss forced by a test: a number, or null for "no coverage". */
  forced: number | null | undefined;
  ue: NbiotUe | undefined;
  ip: string | undefined;
}

export class NbiotCore implements NbiotAccess {
  readonly stats: NbiotCoreStats = { attaches: 0, taus: 0, attachFailures: 0, uplinks: 0, uplinkLost: 0, uplinkRefused: 0, downlinks: 0, downlinkLost: 0, byCe: [0, 0, 0] };
  readonly #o: NbiotCoreOptions;
  readonly #ues = new Map<string, UeState>();
  readonly #down = new Set<string>();
  readonly #sockets = new Map<string, DatagramSocket>();
  readonly #shadow = new Map<string, number>();
  readonly #rng: Rng;
  /** Loss and jitter streams per UE and purpose, so one UE's draws never depend on another's timing. */
  readonly #streams = new Map<string, Rng>();
  #nextHost = 2;

  constructor(options: NbiotCoreOptions) {
    if (options.cells.length === 0) throw new Error("nbiot core: at least one cell is needed");
    this.#o = options;
    this.#rng = new Rng(options.seed).fork("nbiot");
  }

  #stream(purpose: string, ue: string): Rng {
    const key = `${purpose}|${ue}`;
    let r = this.#streams.get(key);
    if (!r) {
      r = this.#rng.fork(key);
      this.#streams.set(key, r);
    }
    return r;
  }

  #state(ue: string): UeState {
    let s = this.#ues.get(ue);
    if (!s) {
      s = { position: undefined, extraLossDb: 0, forced: undefined, ue: undefined, ip: undefined };
      this.#ues.set(ue, s);
    }
    return s;
  }

  /** Where a UE is, and how much its installation adds to the path loss (walls, a meter pit), dB. */
  place(ue: string, position: Position, extraLossDb = 0): void {
    const s = this.#state(ue);
    s.position = position;
    s.extraLossDb = extraLossDb;
    this.#changed(s);
  }

  /** Force a UE's coupling loss (dB), `null` for no coverage, or `undefined` to go back to the geometry. */
  setCoupling(ue: string, mclDb: number | null | undefined): void {
    const s = this.#state(ue);
    s.forced = mclDb;
    this.#changed(s);
  }

  /** Take a cell off the air (or back). */
  setCellDown(cell: string, down: boolean): void {
    if (down) this.#down.add(cell);
    else this.#down.delete(cell);
    for (const s of this.#ues.values()) this.#changed(s);
  }

  #changed(s: UeState): void {
    const ue = s.ue;
    if (ue) this.#o.engine.at(this.#o.engine.now, () => ue.coverageChanged());
  }

  #mcl(ue: string, cell: NbiotCell, s: UeState): number {
    const key = `${cell.name}|${ue}`;
    let shadow = this.#shadow.get(key);
    if (shadow === undefined) {
      shadow = this.#rng.fork(`shadow|${key}`).normal(0, this.#o.shadowingDb ?? 8);
      this.#shadow.set(key, shadow);
    }
    const p = s.position!;
    const d = Math.sqrt((p.x - cell.position.x) ** 2 + (p.y - cell.position.y) ** 2);
    const hb = Math.max(cell.position.height, p.height);
    const hm = Math.min(cell.position.height, p.height);
    return hataPathLossDb(this.#o.frequencyHz ?? 950_000_000, d, hb, hm) + shadow + s.extraLossDb;
  }

  coverage(ue: string): NbiotCoverage | undefined {
    const s = this.#ues.get(ue);
    if (!s || s.forced === null) return undefined;
    const forced = s.forced;
    let best: { cell: NbiotCell; index: number; mcl: number } | undefined;
    for (let index = 0; index < this.#o.cells.length; index++) {
      const cell = this.#o.cells[index]!;
      if (this.#down.has(cell.name)) continue;
      // A forced loss is to the first cell on the air.
      const mcl = forced !== undefined ? forced : s.position ? this.#mcl(ue, cell, s) : undefined;
      if (mcl === undefined) continue;
      if (!best || mcl < best.mcl) best = { cell, index, mcl };
      if (forced !== undefined) break;
    }
    if (!best) return undefined;
    const { cell, index, mcl } = best;
    const ce = ceLevelFor(mcl);
    if (ce === undefined) return undefined;
    const m = measure(mcl, cell.powerDbm ?? 43);
    return {
      cell: cell.name,
      cellId: cell.cellId ?? 0x1a2b00 + index,
      pci: cell.pci ?? index,
      earfcn: cell.earfcn ?? 3734,
      mclDb: Math.round(mcl * 10) / 10,
      ce,
      rsrpDbm: m.rsrpDbm,
      rssiDbm: m.rssiDbm,
      snrDb: m.snrDb,
    };
  }

  attach(ue: NbiotUe, request: NbiotAttachRequest, done: (grant: NbiotGrant | undefined, cause: string | undefined) => void): void {
    const s = this.#state(ue.name);
    const c = this.coverage(ue.name);
    if (!c) {
      this.stats.attachFailures++;
      this.#o.engine.at(this.#o.engine.now, () => done(undefined, "no cell"));
      return;
    }
    const jitter = Math.floor(this.#stream("attach-jitter", ue.name).float() * (this.#o.attachJitterUs ?? 500_000));
    this.#o.engine.at(this.#o.engine.now + attachUs(c.ce) + jitter, () => {
      if (!this.coverage(ue.name)) {
        this.stats.attachFailures++;
        done(undefined, "lost the cell during the attach");
        return;
      }
      this.stats.attaches++;
      s.ue = ue;
      s.ip ??= `10.45.0.${this.#nextHost++}`;
      done(this.#grant(s.ip, request), undefined);
    });
  }

  #grant(ip: string, request: NbiotAttachRequest): NbiotGrant {
    const psm = this.#o.psm !== false && request.t3324S !== undefined;
    const maxActive = this.#o.maxActiveTimeS;
    return {
      ip,
      t3412S: psm ? request.t3412S : undefined,
      t3324S: psm ? (maxActive !== undefined ? Math.min(maxActive, request.t3324S!) : request.t3324S) : undefined,
      edrxS: this.#o.edrx !== false ? request.edrxS : undefined,
      inactivityMs: this.#o.inactivityMs ?? 20_000,
    };
  }

  tau(ue: string, request: NbiotAttachRequest): NbiotGrant | undefined {
    const s = this.#ues.get(ue);
    if (!s?.ue || !s.ip || !this.coverage(ue)) return undefined;
    this.stats.taus++;
    return this.#grant(s.ip, request);
  }

  detach(ue: string): void {
    const s = this.#ues.get(ue);
    if (s) s.ue = undefined;
  }

  /** The CE level a UE is served at now (for reports), or undefined. */
  ceLevel(ue: string): CeLevel | undefined {
    return this.coverage(ue)?.ce;
  }

  uplink(ue: string, d: NbiotDatagram): void {
    const s = this.#ues.get(ue);
    const c = this.coverage(ue);
    if (!s?.ue || !c) {
      this.stats.uplinkRefused++;
      return;
    }
    this.stats.uplinks++;
    this.stats.byCe[c.ce]++;
    if (this.#stream("uplink-loss", ue).chance(datagramLoss(c.mclDb))) {
      this.stats.uplinkLost++;
      return;
    }
    const engine = this.#o.engine;
    engine.at(engine.now + (this.#o.backhaulUs ?? 20_000), () => this.#socket(ue, d).send(d.payload));
  }

  #socket(ue: string, d: NbiotDatagram): DatagramSocket {
    const key = `${ue}|${d.localPort}|${d.address}|${d.port}`;
    let socket = this.#sockets.get(key);
    if (!socket) {
      socket = this.#o.network.open(`${ue}:${d.localPort}`, d.address, d.port, {
        message: (payload) => this.#downlink(ue, { localPort: d.localPort, address: d.address, port: d.port, payload }),
      });
      this.#sockets.set(key, socket);
    }
    return socket;
  }

  #downlink(ue: string, d: NbiotDatagram): void {
    const s = this.#ues.get(ue);
    const c = this.coverage(ue);
    this.stats.downlinks++;
    if (!s?.ue || !c || this.#stream("downlink-loss", ue).chance(datagramLoss(c.mclDb))) {
      this.stats.downlinkLost++;
      return;
    }
    const target = s.ue;
    const engine = this.#o.engine;
    engine.at(engine.now + (this.#o.backhaulUs ?? 20_000), () => target.downlink(d));
  }

  close(): void {
    for (const s of this.#sockets.values()) s.close();
    this.#sockets.clear();
  }
}
