/**
 * The port between an NB-IoT modem model (the UE, parts/bc95/model.ts) and the network it attaches to (the core
 * stand-in, core.ts, or anything else that plays the eNodeB and EPC): coverage at the UE, attach with the PSM and
 * eDRX timers the network grants, and IP datagrams both ways. The UE owns its radio timing (air time, paging, PSM);
 * the network owns coverage, attach time, loss and what lies behind it (a CoAP server over real UDP).
 */
import type { CeLevel } from "./radio.js";

/** A UDP datagram of the UE's socket `localPort`, to or from `address:port`. */
export interface NbiotDatagram {
  readonly localPort: number;
  readonly address: string;
  readonly port: number;
  readonly payload: Uint8Array;
}

/** What the UE sees of its serving cell now. */
export interface NbiotCoverage {
  readonly cell: string;
  readonly cellId: number;
  readonly pci: number;
  readonly earfcn: number;
  /** Coupling loss to the cell, dB: decides the CE level. */
  readonly mclDb: number;
  readonly ce: CeLevel;
  readonly rsrpDbm: number;
  readonly rssiDbm: number;
  readonly snrDb: number;
}

/** Timers the UE asks for in its attach (AT+CPSMS, AT+CEDRXS), s. */
export interface NbiotAttachRequest {
  readonly t3412S?: number;
  readonly t3324S?: number;
  readonly edrxS?: number;
}

/** What the network granted: the UE's address, its timers (undefined: not granted), the RRC inactivity timer. */
export interface NbiotGrant {
  readonly ip: string;
  readonly t3412S: number | undefined;
  readonly t3324S: number | undefined;
  readonly edrxS: number | undefined;
  readonly inactivityMs: number;
}

/** The UE side, as the network calls it. */
export interface NbiotUe {
  readonly name: string;
  /** A datagram for the UE arrived at the network edge; the UE decides when it can hear it (paging, PSM). */
  downlink(datagram: NbiotDatagram): void;
  /** Coverage at the UE changed (a cell went down, the UE was moved); it notices when its radio next listens. */
  coverageChanged(): void;
}

export interface NbiotAccess {
  /** The best cell at the UE now, or undefined where there is none. */
  coverage(ue: string): NbiotCoverage | undefined;
  /**
   * Attach `ue` (the caller has found a cell); `done` runs after the attach procedure's time with the grant, or
   * with undefined and a cause when there is no cell any more.
   */
  attach(ue: NbiotUe, request: NbiotAttachRequest, done: (grant: NbiotGrant | undefined, cause: string | undefined) => void): void;
  /**
   * A tracking-area update (periodic, or because the UE changed the timers it asks for): the grant that holds
   * from now, or undefined when the network no longer knows the UE or there is no cell (it must attach again).
   */
  tau(ue: string, request: NbiotAttachRequest): NbiotGrant | undefined;
  detach(ue: string): void;
  /** The UE finished transmitting `datagram` (at the end of its air time). */
  uplink(ue: string, datagram: NbiotDatagram): void;
}
