/**
 * Fleet scaling for `npm run bench`: the same device in fleets of several sizes, one after the other in one process,
 * each measured over the same number of node-hours after its warm-up (boots are staggered over the first minute,
 * then every node connects), so the figures per node-hour compare directly.
 *
 * For each size: node-hours simulated per wall second and per CPU second (the whole process: simulator, embedded
 * broker, frame tap and garbage collection; CPU time is the figure to compare on a machine others are using), CPU
 * µs per event, and memory: the JS heap after a full collection once every node is up, less the heap before the run
 * (the whole world: broker, atmosphere, tap and every node), and how much it grows per node-hour over the measured
 * hours (mostly the frame log, which keeps every frame). `memoryPerNode` turns two sizes into the heap one more
 * node costs.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { HOUR } from "../../simulator/core/engine.js";
import { runSim } from "../../simulator/node/session.js";

export interface FleetRow {
  nodes: number;
  /** Virtual hours measured (after the warm-up). */
  hours: number;
  nodeHours: number;
  wallS: number;
  cpuS: number;
  nodeHoursPerWallS: number;
  nodeHoursPerCpuS: number;
  events: number;
  cpuUsPerEvent: number;
  /** JS heap of the whole run once every node is up, bytes (after a full collection, less the heap before it). */
  heapUp: number;
  /** Heap growth per node-hour over the measured hours, bytes. */
  heapPerNodeHour: number;
}

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const cpuSeconds = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

/** Run `nodes` nodes for `warmUs` of virtual time, then measure `hours` more. */
export async function measureFleet(device: string, board: string, nodes: number, hours: number, warmUs: number): Promise<FleetRow> {
  const before = heapAfterGc();
  let start: { wall: number; cpu: number; events: number; heap: number } | undefined;
  let end: { wall: number; cpu: number; events: number; heap: number } | undefined;
  const endUs = warmUs + Math.round(hours * HOUR);
  let events = (): number => 0;
  // The full collections for the heap figures happen outside the measured span: before its start, after its end.
  const clocks = () => ({ wall: performance.now(), cpu: cpuSeconds(), events: events() });
  await runSim({
    device,
    board,
    nodes,
    seed: 1,
    hours: endUs / HOUR,
    beforeStart(world) {
      const engines = new Set([world.engine, ...world.nodes.map((n) => n.engine)]);
      events = () => [...engines].reduce((s, e) => s + e.executed, 0);
      // World events run with every node at their time (loop.ts), so these marks bracket exactly the measured hours.
      world.engine.at(warmUs, () => {
        const heap = heapAfterGc();
        start = { ...clocks(), heap };
      });
      world.engine.at(endUs, () => {
        const c = clocks();
        end = { ...c, heap: heapAfterGc() };
      });
    },
  });
  if (!start || !end) throw new Error(`fleet of ${nodes}: the run ended before its measured hours`);
  const nodeHours = nodes * hours;
  const wallS = (end.wall - start.wall) / 1000;
  const cpuS = end.cpu - start.cpu;
  const events_ = end.events - start.events;
  return {
    nodes,
    hours,
    nodeHours,
    wallS,
    cpuS,
    nodeHoursPerWallS: nodeHours / wallS,
    nodeHoursPerCpuS: nodeHours / cpuS,
    events: events_,
    cpuUsPerEvent: (cpuS * 1e6) / events_,
    heapUp: start.heap - before,
    heapPerNodeHour: (end.heap - start.heap) / nodeHours,
  };
}

/** What one more node costs in heap once up, bytes: the difference between two sizes' worlds, per node. */
export function memoryPerNode(small: FleetRow, large: FleetRow): number {
  return (large.heapUp - small.heapUp) / (large.nodes - small.nodes);
}
