/**
 * Where the node skeleton sends what: telemetry on `<topic>/senml` (MQTT topic, CoAP path) or LoRaWAN FPort 1, events
 * on `<topic>/event` or FPort 3, both SenML-CBOR; the configuration's answer on FPort 2 (or `<topic>/config/ack`).
 * The one place every device's messages are told apart, on the device and by the tools that log and decode them.
 */
export const TELEMETRY_SUFFIX = "/senml";
export const EVENT_SUFFIX = "/event";

/** LoRaWAN FPorts (the other links address by topic): telemetry SenML-CBOR, configuration and its answer. */
export const TELEMETRY_PORT = 1;
export const CONFIG_PORT = 2;
/** Events (alarms, state changes) in their own SenML-CBOR packs. */
export const EVENT_PORT = 3;

export function telemetryTopic(topic: string): string {
  return `${topic}${TELEMETRY_SUFFIX}`;
}

export function eventTopic(topic: string): string {
  return `${topic}${EVENT_SUFFIX}`;
}

export function isTelemetryTopic(topic: string): boolean {
  return topic.endsWith(TELEMETRY_SUFFIX);
}

/** Telemetry and events: the topics and paths whose payload is a SenML-CBOR pack. */
export function isSenmlTopic(topic: string): boolean {
  return topic.endsWith(TELEMETRY_SUFFIX) || topic.endsWith(EVENT_SUFFIX);
}

/** The FPorts whose payload is a SenML-CBOR pack. */
export function isSenmlPort(port: number | null | undefined): boolean {
  return port === TELEMETRY_PORT || port === EVENT_PORT;
}
