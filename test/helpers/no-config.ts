/**
 * `host.config` for tests that run a driver through the simulator's host provider without a device: nothing in them
 * reads the configuration, so an empty one stands in, and a driver that did read it would fail on its missing fields.
 */
import type { DeviceConfig } from "../../hal/host.js";

export const NO_DEVICE_CONFIG = Object.freeze({}) as unknown as DeviceConfig;
