/**
 * Configuration downlinks for the weather station, sent as an operator would (an MQTT client on the run's broker),
 * with the acknowledgement each must get. The same list drives V8, XS on the host and the emulated MCU
 * (test/xs/downlink.test.ts, test/emulated/downlink.test.ts): the answers are the project's text, so all three send
 * the same bytes.
 */
import mqtt from "mqtt";
import type { MqttTap } from "../../simulator/node/mqtt-tap.js";

export interface DownlinkCase {
  what: string;
  payload: Uint8Array;
  ack: string;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const RANGE = '{"error":"reportS must be an integer in [60, 3600]"}';

export const CONFIG_DOWNLINKS: readonly DownlinkCase[] = [
  // V8 once answered `Unexpected token o in JSON at position 1`, XS `1: invalid character`.
  { what: "not JSON", payload: text("not json"), ack: '{"error":"config is not JSON: expected a value at byte 0"}' },
  { what: "cut short", payload: text('{"reportS":'), ack: '{"error":"config is not JSON: expected a value at byte 11"}' },
  { what: "a byte that is not UTF-8", payload: new Uint8Array([0x7b, 0xff, 0x7d]), ack: '{"error":"config is not JSON: expected \\" or } at byte 1"}' },
  { what: "an array", payload: text("[300]"), ack: '{"error":"config must be a JSON object, not an array"}' },
  { what: "empty", payload: text("{}"), ack: '{"error":"config sets nothing (settable: reportS)"}' },
  { what: "an unknown setting", payload: text('{"reportS":300,"foo":1}'), ack: '{"error":"unknown setting \\"foo\\" (settable: reportS)"}' },
  { what: "twice", payload: text('{"reportS":300,"reportS":600}'), ack: '{"error":"setting \\"reportS\\" is given twice"}' },
  { what: "out of range", payload: text('{"reportS":5}'), ack: RANGE },
  { what: "not an integer", payload: text('{"reportS":300.5}'), ack: RANGE },
  { what: "a string", payload: text('{"reportS":"300"}'), ack: RANGE },
  { what: "too long", payload: text(`{"reportS":300${" ".repeat(250)}}`), ack: '{"error":"config is longer than 256 bytes"}' },
  { what: "accepted, written as 3e2", payload: text('{"reportS":3e2}'), ack: '{"reportS":300}' },
];

interface World {
  brokerUrl: string;
  mqtt: MqttTap;
}

/**
 * Publish every case to `<topic>/config` as an operator, in order, and hold virtual time until the node's socket has
 * them all, so they land at the same virtual instant in every run and on every engine.
 */
export async function sendDownlinks(world: World, topic: string, cases: readonly DownlinkCase[] = CONFIG_DOWNLINKS): Promise<void> {
  let arrived = 0;
  const all = new Promise<void>((resolve) =>
    world.mqtt.listen(({ dir, packet }) => {
      if (dir === "rx" && packet.cmd === "publish" && packet.topic === `${topic}/config` && ++arrived === cases.length) resolve();
    }),
  );
  const operator = await mqtt.connectAsync(world.brokerUrl, { clientId: "operator", reconnectPeriod: 0 });
  try {
    for (const c of cases) await operator.publishAsync(`${topic}/config`, Buffer.from(c.payload), { qos: 1 });
    await all;
  } finally {
    await operator.endAsync();
  }
}

/** An `onHour` hook for a run: the cases sent as in sendDownlinks when virtual hour `hour` ends. */
export function downlinksAt(hour: number, topic: string, cases: readonly DownlinkCase[] = CONFIG_DOWNLINKS): (h: number, world: World) => Promise<void> {
  return async (h, world) => {
    if (h === hour) await sendDownlinks(world, topic, cases);
  };
}
