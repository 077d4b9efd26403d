/**
 * The weather micro-station: what it samples, how often, and what it sends.
 *
 * - Air (SHT3x for temperature and humidity, BME280 for pressure and as a stand-in thermohygrometer when the SHT3x
 *   fails) every `sampling.airMs`, as one-shot conversions that never block.
 * - Wind every `sampling.windMs` (250 ms: WMO practice for 3-second gusts): pulse count and vane direction.
 * - Rain by interrupt on every bucket tip.
 * - A report every `reporting.intervalS`: means of the air readings, dew point, frost risk, 10-minute mean wind,
 *   peak gust, mean direction, rain in the period and its latest intensity, as SenML-CBOR over MQTT (QoS 1),
 *   through the uplink queue so nothing is reported sent before the broker acknowledged it.
 * - Downlink on `<topic>/config`: `{"reportS": N}` changes the reporting interval within the manifest's bounds;
 *   the answer goes to `<topic>/config/ack`.
 */
import type { Host, NodeApp, SummaryLine } from "../../hal/host.js";
import type { SensorError } from "../../hal/sensor.js";
import { edgeCounterClass } from "../../hal/edge-counter.js";
import type { Link } from "../../runtime/link/link.js";
import { MqttLink } from "../../runtime/link/mqtt/link.js";
import { createLink } from "../../runtime/node/link.js";
import { SX1262, type SX1262Config } from "../../parts/sx1262/driver.js";
import { Bc95 } from "../../parts/bc95/driver.js";
import { utf8Encode } from "../../runtime/utf8.js";
import { Accumulator } from "../../runtime/filters/index.js";
import { Scheduler } from "../../runtime/scheduler.js";
import { Sampler } from "../../runtime/sampler.js";
import type { Task } from "../../runtime/scheduler.js";
import { EVENT, UplinkQueue } from "../../runtime/uplink.js";
import { parseSettings, type IntegerSetting } from "../../runtime/settings.js";
import { BME280 } from "../../parts/bme280/driver.js";
import { SHT3x } from "../../parts/sht3x/driver.js";
import { CupAnemometer } from "../../parts/cup-anemometer/driver.js";
import { TippingBucket } from "../../parts/tipping-bucket/driver.js";
import { WindVane } from "../../parts/wind-vane/driver.js";
import { readConfig } from "./config.js";
import type { StationConfig } from "./config.js";
import { dewPoint, frostRisk } from "./psychrometrics.js";
import { ReportEncoder } from "./report.js";
import { WindStats } from "./wind.js";

/** The station's counters as a run summary shows them. */
/** LoRaWAN FPorts (the other links address by topic): telemetry SenML-CBOR, configuration and its answer. */
const TELEMETRY_PORT = 1;
const CONFIG_PORT = 2;

const SUMMARY: readonly SummaryLine[] = Object.freeze([
  Object.freeze({
    label: "samples taken",
    total: Object.freeze(["airSamples", "windSamples"]),
    parts: Object.freeze([
      Object.freeze({ label: "air", key: "airSamples" }),
      Object.freeze({ label: "wind", key: "windSamples" }),
      Object.freeze({ label: "rain tips", key: "rainTips" }),
    ]),
  }),
  Object.freeze({ label: "sensor errors", total: Object.freeze(["sensorErrors"]) }),
]);

export class WeatherStation implements NodeApp {
  readonly #host: Host;
  readonly #cfg: StationConfig;
  readonly #scheduler: Scheduler;
  readonly #sht: SHT3x;
  readonly #bme: BME280;
  readonly #anemometer: CupAnemometer;
  readonly #rain: TippingBucket;
  readonly #vane: WindVane;
  readonly #wind: WindStats;
  readonly #encoder: ReportEncoder;
  readonly #link: Link;
  readonly #uplink: UplinkQueue;
  readonly #topic: string;
  /** What a configuration downlink may set (docs/downlinks.md). */
  readonly #settings: readonly IntegerSetting[];
  #reportTask: Task | undefined;
  #air: Sampler | undefined;
  #reportS: number;

  readonly #temperature = new Accumulator();
  readonly #humidity = new Accumulator();
  readonly #pressure = new Accumulator();
  readonly #bmeTemperature = new Accumulator();
  readonly #bmeHumidity = new Accumulator();

  readonly #stats = {
    airSamples: 0,
    windSamples: 0,
    reports: 0,
    sensorErrors: 0,
    crcErrors: 0,
    nackErrors: 0,
    rainTips: 0,
    downlinks: 0,
    downlinkRejected: 0,
  };

  constructor(host: Host) {
    this.#host = host;
    const cfg = (this.#cfg = readConfig(host.config));
    this.#reportS = cfg.reportS;
    this.#settings = Object.freeze([Object.freeze({ name: "reportS", min: cfg.minReportS, max: cfg.maxReportS })]);
    this.#topic = cfg.topic.replace("{id}", host.id);
    this.#scheduler = new Scheduler(host.timer, host.clock);

    const onError = (e: SensorError): void => this.#sensorError(e);
    const i2c = (p: StationConfig["sht3x"]) => {
      const b = host.I2C[p.bus];
      if (!b) throw new Error(`weather-station: board has no I2C bus "${p.bus}"`);
      return { io: b.io, data: b.data, clock: b.clock, hz: p.hz, port: b.port, address: p.address };
    };
    const self = this;
    this.#sht = new SHT3x({
      sensor: i2c(cfg.sht3x),
      timer: host.timer,
      onSample() {
        self.#airSample();
      },
      onError,
    });
    this.#bme = new BME280({
      sensor: i2c(cfg.bme280),
      timer: host.timer,
      onSample() {
        self.#barometerSample();
      },
      onError,
    });
    this.#anemometer = new CupAnemometer({
      // A hardware counter where the board has one; edge interrupts on a Digital input otherwise (nRF52).
      sensor: {
        io: cfg.anemometer.io === "pulse-count" ? host.io.PulseCount : edgeCounterClass(host.io.Digital, "falling", cfg.anemometer.pull),
        signal: cfg.anemometer.pin,
      },
      clock: host.clock,
      kmhPerHz: cfg.kmhPerHz,
    });
    this.#rain = new TippingBucket({ sensor: { io: host.io.Digital, pin: cfg.raingauge.pin }, clock: host.clock, mmPerTip: cfg.mmPerTip });
    this.#vane = new WindVane({
      sensor: { io: host.io.Analog, pin: cfg.vane.pin },
      power: cfg.vane.powerPin !== undefined ? { io: host.io.Digital, pin: cfg.vane.powerPin } : undefined,
      timer: host.timer,
      pullupOhms: cfg.vaneOptions.pullupOhms,
      supplyVolts: cfg.vaneOptions.supplyVolts,
      fullScaleVolts: cfg.vane.fullScaleVolts,
      northOffset: cfg.vaneOptions.northOffset,
      onError,
    });
    this.#wind = new WindStats(cfg.kmhPerHz, cfg.windMs);
    this.#encoder = new ReportEncoder(`${host.id}:`);

    const radio = cfg.radio;
    const modem = cfg.modem;
    this.#link = createLink(host, cfg.uplink, this.#topic, {
      ...(radio
        ? {
            radio: () =>
              new SX1262({
                spi: host.SPI[radio.bus]!,
                digital: host.io.Digital,
                pins: { nss: radio.pins.nss!, busy: radio.pins.busy!, dio1: radio.pins.dio1!, reset: radio.pins.reset! },
                timer: host.timer,
                clock: host.clock,
                config: radio.options as Partial<SX1262Config>,
                onError: (e) => host.log("warn", `sx1262: ${e.message}`),
              }),
          }
        : {}),
      ...(modem
        ? {
            modem: () =>
              new Bc95({
                serial: { io: host.io.Serial, receive: modem.receive, transmit: modem.transmit, baud: modem.baud },
                timer: host.timer,
                ...(modem.pins.reset !== undefined ? { reset: { io: host.io.Digital, pin: modem.pins.reset } } : {}),
                log: (level, message) => host.log(level, `bc95: ${message}`),
              }),
          }
        : {}),
    });
    this.#uplink = new UplinkQueue({ link: this.#link, clock: host.clock, capacity: 48, window: 4, timer: host.timer, random: () => host.random() });
  }

  start(): void {
    this.#link.start({
      onReady: () => this.#uplink.pump(),
      onDownlink: (d) => this.#downlink(d.topic ?? "", d.payload),
      onError: (e) => this.#host.log("warn", `${this.#link.kind}: ${e.message}`),
    });
    // Reports and the air group run on round times; wind runs half a wind period off that grid, so their work (a
    // report is ~2.7 M instructions, ~43 ms on a 64 MHz M4) never sits in front of a wind slot: the emulated-MCU
    // test measured 63 ms of wind lateness when a report and a wind slot fell on the same instant.
    const offGrid = Math.floor(this.#cfg.windMs / 2);
    this.#scheduler.every(this.#cfg.windMs, () => this.#sampleWind(), { phaseMs: offGrid, name: "wind" });
    // First air reading 1 s after boot (sensor start-up), then every airMs.
    this.#air = new Sampler(
      this.#scheduler,
      "air",
      this.#cfg.airMs,
      [
        { name: "sht3x", sensor: this.#sht },
        { name: "bme280", sensor: this.#bme },
      ],
      1000,
    );
    this.#reportTask = this.#scheduler.every(this.#reportS * 1000, () => this.#report(), { name: "report" });
  }

  #airSample(): void {
    const s = this.#sht.sample();
    if (!s) return;
    this.#stats.airSamples++;
    this.#temperature.push(s.thermometer.temperature);
    this.#humidity.push(s.hygrometer.humidity);
  }

  #barometerSample(): void {
    const s = this.#bme.sample();
    if (!s) return;
    this.#stats.airSamples++;
    if (s.barometer) this.#pressure.push(s.barometer.pressure);
    if (s.thermometer) this.#bmeTemperature.push(s.thermometer.temperature);
    if (s.hygrometer) this.#bmeHumidity.push(s.hygrometer.humidity);
  }

  #sampleWind(): void {
    const a = this.#anemometer.sample();
    const v = this.#vane.sample();
    if (!a) return;
    this.#stats.windSamples++;
    this.#wind.push(a.pulses, a.windowMs, v ? v.direction : NaN);
  }

  #sensorError(e: SensorError): void {
    this.#stats.sensorErrors++;
    if (e.kind === "crc") this.#stats.crcErrors++;
    if (e.kind === "nack") this.#stats.nackErrors++;
    this.#host.log("warn", e.message);
  }

  #report(): void {
    // The SHT3x is the reference thermohygrometer; if it produced nothing this period, fall back to the BME280.
    const useSht = this.#temperature.count > 0;
    const temperature = useSht ? this.#temperature.mean : this.#bmeTemperature.mean;
    const humidity = useSht ? this.#humidity.mean : this.#bmeHumidity.mean;
    const rain = this.#rain.sample();
    this.#stats.rainTips += rain.tips;
    const payload = this.#encoder.encode({
      time: Math.floor(this.#host.clock.unixMs() / 1000),
      temperature,
      humidity,
      pressure: this.#pressure.mean,
      dewPoint: dewPoint(temperature, humidity),
      frost: temperature === temperature && humidity === humidity ? frostRisk(temperature, humidity, this.#cfg.frost) : undefined,
      windMean: this.#wind.mean10,
      gust: this.#wind.gust,
      windDirection: this.#wind.direction,
      rain: rain.rain,
      rainRate: rain.rate,
    });
    this.#uplink.enqueue(payload, { topic: `${this.#topic}/senml`, port: TELEMETRY_PORT, confirmed: this.#cfg.qos === 1, senml: true });
    this.#stats.reports++;
    this.#temperature.reset();
    this.#humidity.reset();
    this.#pressure.reset();
    this.#bmeTemperature.reset();
    this.#bmeHumidity.reset();
    this.#wind.resetPeriod();
  }

  #downlink(topic: string, payload: Uint8Array): void {
    if (topic !== `${this.#topic}/config`) return;
    this.#stats.downlinks++;
    // Every answer is the project's text (runtime/settings.ts), never an engine's: the same downlink gets the same
    // acknowledgement bytes on V8, XS and a board. docs/downlinks.md lists them.
    const r = parseSettings(payload, this.#settings);
    let answer: string;
    if ("error" in r) {
      this.#stats.downlinkRejected++;
      answer = `{"error":${JSON.stringify(r.error)}}`;
    } else {
      const s = r.values[0]!; // the only setting, so present when nothing was refused
      this.#reportS = s;
      this.#reportTask?.setPeriod(s * 1000);
      answer = `{"reportS":${s}}`;
    }
    this.#uplink.enqueue(utf8Encode(answer), { topic: `${this.#topic}/config/ack`, port: CONFIG_PORT, priority: EVENT, report: false });
  }

  stats(): Readonly<Record<string, number>> {
    const m = this.#link instanceof MqttLink ? this.#link.client.stats : undefined;
    const l = this.#link.stats;
    const u = this.#uplink.stats;
    return {
      ...this.#stats,
      ...this.#uplink.counters(),
      reportIntervalS: this.#reportS,
      airOverlaps: this.#air?.stats.overlaps ?? 0,
      framesQueued: u.queued,
      framesAcked: u.acked,
      framesDropped: u.dropped,
      uplinkMaxDepth: u.maxDepth,
      uplinkMaxLatencyMs: u.maxLatencyMs,
      ...(m ? { mqttConnects: m.connects, mqttRetransmits: m.retransmits, mqttProtocolErrors: m.protocolErrors } : {}),
      linkFramesOut: l.framesOut,
      linkFailed: l.failed,
      bytesOut: m ? m.bytesOut : l.bytesOut,
      bytesIn: m ? m.bytesIn : l.bytesIn,
      rainBounces: this.#rain.bounces,
    };
  }

  summary(): readonly SummaryLine[] {
    return SUMMARY;
  }
}
