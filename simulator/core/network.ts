/**
 * How simulated sockets reach a network. The simulator core stays portable: the Node shell supplies a `Network`
 * that bridges to real TCP (a real MQTT broker), and delivers socket events back as engine events, at the
 * current virtual time, while the engine is paused waiting for that real I/O.
 */
export interface NetSocketEvents {
  connected(): void;
  data(bytes: Uint8Array): void;
  /** Closed by the peer, by an error, or refused; `error` is undefined for a clean remote close. */
  closed(error: Error | undefined): void;
}

export interface NetSocket {
  write(bytes: Uint8Array): void;
  close(): void;
}

export interface Network {
  connect(nodeId: string, address: string, port: number, events: NetSocketEvents): NetSocket;
}

/** Datagrams from one simulated socket to one server (a gateway's packet forwarder and its network server). */
export interface DatagramEvents {
  message(bytes: Uint8Array): void;
}

export interface DatagramSocket {
  send(bytes: Uint8Array): void;
  close(): void;
}

export interface DatagramNetwork {
  /** A UDP socket of `owner`'s, connected to `address:port`; replies arrive as engine events. */
  open(owner: string, address: string, port: number, events: DatagramEvents): DatagramSocket;
}
