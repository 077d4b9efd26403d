/**
 * What the NB-IoT link needs from a modem: UDP datagrams to and from an address, once the modem is attached.
 * A BC95 (parts/bc95/driver.ts) is one; another AT modem with a socket API could be another.
 */

export type ReleaseHint = "none" | "after-send" | "after-reply";

export interface DatagramModemHandlers {
  /** Attached and a socket is open: `send` works from now on. */
  onReady?: () => void;
  /** Not usable any more (deregistered, lost coverage, rebooted); the modem works on getting back by itself. */
  onDown?: (reason: string) => void;
  onDatagram?: (address: string, port: number, payload: Uint8Array) => void;
  /** A fault worth logging (counted by the modem driver too); the driver keeps running. */
  onError?: (error: Error) => void;
}

export interface DatagramModem {
  /** True between onReady and onDown. */
  readonly ready: boolean;
  /** Largest datagram `send` takes, bytes. */
  readonly maxDatagram: number;
  start(handlers: DatagramModemHandlers): void;
  /**
   * Hand a datagram to the modem; `done` runs once the modem took it (or refused it: no network, uplink busy).
   * `release` tells the network the radio connection may end after this datagram ("after-send") or after the
   * answer to it ("after-reply"), instead of after the inactivity timer (release assistance: the radio's
   * connected tail is most of a sleepy node's energy). Throws a RangeError naming the sizes when the datagram is
   * larger than `maxDatagram`.
   */
  send(address: string, port: number, payload: Uint8Array, done?: (error: Error | undefined) => void, release?: ReleaseHint): void;
  close(): void;
}
