/** Small sampling and reporting filters for device code. Conventions (NaN = no value) in ./common.ts. */
export { type Filter, isValue } from "./common.js";
export { MovingAverage } from "./moving-average.js";
export { Median } from "./median.js";
export { Ema, type EmaTimeConstant } from "./ema.js";
export { Delta, type DeltaOptions } from "./delta.js";
export { Throttle } from "./throttle.js";
export { LinearCalibration } from "./calibration.js";
export { Heartbeat } from "./heartbeat.js";
export { RunningWindow, type RunningWindowOptions } from "./running-window.js";
export { Gust } from "./gust.js";
export { Accumulator } from "./accumulator.js";
export { VectorMean } from "./vector-mean.js";
