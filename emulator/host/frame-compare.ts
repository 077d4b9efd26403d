/** The emulated device's uplink frames against the simulated device's, in order, byte for byte. */
import type { Frame } from "../../simulator/node/frame-log.js";

export interface FrameComparison {
  simFrames: number;
  imageFrames: number;
  /** Every frame's payload bytes (and topic, QoS, flags, packet id) equal, in order. */
  identical: boolean;
  firstDifference: string | undefined;
}

export function compareFrames(sim: readonly Frame[], image: readonly Frame[]): FrameComparison {
  let firstDifference: string | undefined;
  const n = Math.max(sim.length, image.length);
  for (let i = 0; i < n && !firstDifference; i++) {
    const a = sim[i];
    const b = image[i];
    if (!a || !b) firstDifference = `frame ${i}: only the ${a ? "simulator" : "image"} sent it`;
    else if (a.topic !== b.topic || a.qos !== b.qos || a.dup !== b.dup || a.retain !== b.retain || a.id !== b.id) {
      firstDifference = `frame ${i}: ${a.topic} q${a.qos} id ${a.id} in the simulator, ${b.topic} q${b.qos} id ${b.id} in the image`;
    } else if (a.hex !== b.hex) firstDifference = `frame ${i} (${a.topic}): payload ${a.hex} in the simulator, ${b.hex} in the image`;
  }
  return { simFrames: sim.length, imageFrames: image.length, identical: firstDifference === undefined, firstDifference };
}
