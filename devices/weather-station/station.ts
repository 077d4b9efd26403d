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
import { Accumulator } from "../../runtime/filters/index.js";
import { Node } from "../../runtime/node/node.js";
import { Sampler } from "../../runtime/sampler.js";
import { boardLink } from "../shared/board-link.js";
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
  readonly #node: Node;
  readonly #sht: SHT3x;
  readonly #bme: BME280;
  readonly #anemometer: CupAnemometer;
  readonly #rain: TippingBucket;
  readonly #vane: WindVane;
  readonly #wind: WindStats;
  readonly #encoder: ReportEncoder;
  #air: Sampler | undefined;

  readonly #temperature = new Accumulator();
  readonly #humidity = new Accumulator();
  readonly #pressure = new Accumulator();
  readonly #bmeTemperature = new Accumulator();
  readonly #bmeHumidity = new Accumulator();

  readonly #stats = {
    airSamples: 0,
    windSamples: 0,
    sensorErrors: 0,
    crcErrors: 0,
    nackErrors: 0,
    rainTips: 0,
  };

  constructor(host: Host) {
    this.#host = host;
    const cfg = (this.#cfg = readConfig(host.config));
    this.#node = new Node({ host, config: cfg.node, link: boardLink, onReport: () => this.#report() });

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

  }

  start(): void {
    this.#node.start();
    // Reports and the air group run on round times; wind runs half a wind period off that grid, so their work (a
    // report is ~2.7 M instructions, ~43 ms on a 64 MHz M4) never sits in front of a wind slot: the emulated-MCU
    // test measured 63 ms of wind lateness when a report and a wind slot fell on the same instant.
    const offGrid = Math.floor(this.#cfg.windMs / 2);
    this.#node.scheduler.every(this.#cfg.windMs, () => this.#sampleWind(), { phaseMs: offGrid, name: "wind" });
    // First air reading 1 s after boot (sensor start-up), then every airMs.
    this.#air = new Sampler(
      this.#node.scheduler,
      "air",
      this.#cfg.airMs,
      [
        { name: "sht3x", sensor: this.#sht },
        { name: "bme280", sensor: this.#bme },
      ],
      1000,
    );
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
    this.#node.report(payload);
    this.#temperature.reset();
    this.#humidity.reset();
    this.#pressure.reset();
    this.#bmeTemperature.reset();
    this.#bmeHumidity.reset();
    this.#wind.resetPeriod();
  }

  stats(): Readonly<Record<string, number>> {
    return {
      ...this.#stats,
      ...this.#node.stats(),
      airOverlaps: this.#air?.stats.overlaps ?? 0,
      rainBounces: this.#rain.bounces,
    };
  }

  summary(): readonly SummaryLine[] {
    return SUMMARY;
  }
}
