/**
 * A simulated week of the parking node (devices/parking, manifests/devices/parking.json) in the street world, on the
 * V8 simulator with the embedded broker: every uplink is taken from the frame log and decoded here with cborg (an
 * independent CBOR decoder) and read as SenML by this file's own few lines, then checked against the world's truth
 * (simulator/core/environment/street.ts built again from the same seed): each arrival and departure of the bay must
 * be reported as an event between the moment the car starts to move and a minute after it stands still or is
 * clear, and no event may stand for nothing. Heartbeats must come at least every 6 h of silence.
 */
import { decode } from "cborg";
import { describe, expect, it } from "vitest";
import { createKunmingWeather } from "../../simulator/core/environment/kunming.js";
import { createStreet } from "../../simulator/core/environment/street.js";
import { runSim } from "../../simulator/node/session.js";
import { senmlRecords } from "../helpers/senml.js";

const S = 1_000_000;
const HOURS = 168;
const SEED = 1;

describe("parking node: a simulated week against the street world", async () => {
  const run = await runSim({ device: "parking", board: "esp32-devkitc", hours: HOURS, seed: SEED });
  const weather = createKunmingWeather({ seed: SEED });
  const street = createStreet({ seed: SEED, epochMs: weather.epochMs, weather });
  const epochS = weather.epochMs / 1000;
  const events = run.frames
    .filter((f) => f.topic.endsWith("/event") && !f.dup)
    .map((f) => senmlRecords(decode(Buffer.from(f.hex, "hex"), { useMaps: true })))
    .map((rs) => ({ occupied: rs.find((r) => r.n.endsWith(":occ"))!.vb as boolean, seq: rs.find((r) => r.n.endsWith(":seq"))!.v as number, atUs: (rs[0]!.t - epochS) * S }));
  const heartbeats = run.frames.filter((f) => f.topic.endsWith("/senml") && !f.dup).map((f) => senmlRecords(decode(Buffer.from(f.hex, "hex"), { useMaps: true })));

  it("was installed on an empty bay (the node learns the empty field at boot)", () => {
    expect(street.occupied(0)).toBe(false);
    expect(street.sessions(0, 60 * S).length).toBe(0);
  });

  it("reports every arrival and departure of the week in time, and nothing else", () => {
    const end = HOURS * 3600 * S;
    const truth: { occupied: boolean; from: number; to: number }[] = [];
    for (const s of street.sessions(0, end)) {
      if (s.parked + 60 * S < end) truth.push({ occupied: true, from: s.arriveStart, to: s.parked + 60 * S });
      if (s.gone + 60 * S < end) truth.push({ occupied: false, from: s.leaveStart, to: s.gone + 60 * S });
    }
    const used = events.map(() => false);
    const missed: string[] = [];
    for (const c of truth) {
      // Event times are whole seconds (floor): allow the second they fall in.
      const i = events.findIndex((e, k) => !used[k] && e.occupied === c.occupied && e.atUs >= c.from - S && e.atUs <= c.to);
      if (i >= 0) used[i] = true;
      else missed.push(`${c.occupied ? "arrival" : "departure"} at ${(c.from / S / 3600).toFixed(2)} h`);
    }
    const detected = truth.length - missed.length;
    console.info(`parking week (seed ${SEED}): ${detected}/${truth.length} changes reported, ${used.filter((u) => !u).length} events for nothing, ${heartbeats.length} heartbeats`);
    expect(truth.length).toBeGreaterThan(40);
    expect(detected / truth.length).toBeGreaterThanOrEqual(0.99);
    expect(used.filter((u) => !u).length).toBeLessThanOrEqual(Math.floor(0.01 * truth.length));
  });

  it("numbers its events without a gap, and every event reached the broker", () => {
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(run.summary.crashes).toEqual([]);
    expect(run.summary.undelivered).toBe(0);
  });

  it("sends a heartbeat after at most 6 h of silence, with the supply, the empty bay's field and the counts", () => {
    const sent = run.frames.filter((f) => !f.dup && (f.topic.endsWith("/event") || f.topic.endsWith("/senml"))).map((f) => f.t);
    let longest = sent[0]!;
    for (let i = 1; i < sent.length; i++) longest = Math.max(longest, sent[i]! - sent[i - 1]!);
    longest = Math.max(longest, HOURS * 3_600_000 - sent[sent.length - 1]!);
    // The check runs at every report tick (1 h): a heartbeat is due after 6 h of silence, sent by the next tick.
    expect(longest).toBeLessThanOrEqual(7 * 3_600_000);
    expect(heartbeats.length).toBeGreaterThan(0);
    const h = heartbeats[heartbeats.length - 1]!;
    const names = h.map((r) => r.n.split(":")[1]);
    expect(names).toEqual(["occ", "bat", "temp", "bx", "by", "bz", "dev", "arr", "dep"]);
    // The empty bay's field the node learnt is the Earth's at Kunming plus the sensor's offset: |B| about 48 µT.
    const b = ["bx", "by", "bz"].map((n) => h.find((r) => r.n.endsWith(`:${n}`))!.v as number);
    expect(Math.hypot(...b) * 1e6).toBeGreaterThan(40);
    expect(Math.hypot(...b) * 1e6).toBeLessThan(56);
  });
});
