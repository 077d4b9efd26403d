/**
 * Where the node skeleton sends telemetry: `<topic>/senml` (MQTT topic, CoAP path), the one place every device's
 * SenML reports are told from its other messages, on the device and by the tools that log and decode them.
 */
export const TELEMETRY_SUFFIX = "/senml";

export function telemetryTopic(topic: string): string {
  return `${topic}${TELEMETRY_SUFFIX}`;
}

export function isTelemetryTopic(topic: string): boolean {
  return topic.endsWith(TELEMETRY_SUFFIX);
}
