/** Shapes of the MQTT vectors (mqtt-vectors-gen.ts makes them with mqtt-packet; mqtt-codec.test.ts checks them). */

/** A packet in runtime/mqtt/packet.ts's shape, byte fields as hex (JSON-safe). */
export type JsonPacket =
  | {
      type: 1;
      clientId: string;
      clean: boolean;
      keepAlive: number;
      will?: { topic: string; payload: string; qos: 0 | 1 | 2; retain: boolean };
      username?: string;
      password?: string;
    }
  | { type: 2; sessionPresent: boolean; returnCode: number }
  | { type: 3; topic: string; payload: string; qos: 0 | 1 | 2; dup: boolean; retain: boolean; packetId: number }
  | { type: 4 | 5 | 6 | 7 | 11; packetId: number }
  | { type: 8; packetId: number; subscriptions: { topic: string; qos: 0 | 1 | 2 }[] }
  | { type: 9; packetId: number; returnCodes: number[] }
  | { type: 10; packetId: number; topics: string[] }
  | { type: 12 | 13 | 14 };

export interface MqttVector {
  name: string;
  packet: JsonPacket;
  /** mqtt-packet's `generate` output. */
  hex: string;
}
