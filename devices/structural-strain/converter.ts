/**
 * The strain monitor's bridge converter, whichever the manifest fits: the TI ADS1220 on SPI (its die, on the girder
 * beside the gauges, is the thermometer), or the Avia HX711 on two GPIOs as the low-cost alternative, which has no
 * thermometer of its own, so a Sensirion SHT3x in the gauges' junction box gives the temperature the compensation
 * needs, read every interval of the sampling group that lists it.
 *
 * Both converters pace the samples themselves (DRDY, DOUT): the manifest's loader holds the sampling group to the
 * rate the part's options set. The monitor needs 20–100 samples/s (the traffic's first bending mode is a few Hz and
 * a truck's pulse lasts seconds); a rate outside that is refused here, naming the option, before anything starts.
 */
import type { Host } from "../../hal/host.js";
import type { SensorError } from "../../hal/sensor.js";
import type { ResolvedI2CPart, ResolvedSPIPart, ResolvedPinPart } from "../../manifests/schema/config.js";
import { ADS1220 } from "../../parts/ads1220/driver.js";
import { HX711 } from "../../parts/hx711/driver.js";
import { SHT3x } from "../../parts/sht3x/driver.js";
import type { StrainReading } from "../../parts/strain-bridge/bridge.js";
import type { ConfigReader } from "../shared/config.js";

/** Lowest and highest strain sampling rate the monitor's algorithms are built for, samples/s. */
export const MIN_SAMPLE_HZ = 20;
export const MAX_SAMPLE_HZ = 100;

/** What the monitor reads a converter through: the latest sample, copied without allocating. */
export interface StrainConverter {
  readInto(out: StrainReading): boolean;
  readonly count: number;
}

export interface ConverterHandlers {
  /** A strain sample is ready (the sample path). */
  onSample(): void;
  /** A deck temperature from a thermometer apart from the converter, °C. */
  onTemperature(celsius: number): void;
  onError(e: SensorError): void;
}

export interface FittedConverter {
  converter: StrainConverter;
  /** Samples per second, as the part's options set them. */
  sampleHz: number;
  /** Start what the monitor must drive itself (the separate thermometer's readings); `every` is the node's scheduler. */
  start(every: (periodMs: number, fn: () => void, name: string) => void): void;
}

export function fitConverter(host: Host, c: ConfigReader, on: ConverterHandlers): FittedConverter {
  const ads = c.optionalPart<ResolvedSPIPart>("ads1220", "spi");
  const hx = ads ? undefined : c.optionalPart<ResolvedPinPart>("hx711", "digital-edge");
  if (!ads && !hx) c.fail(`no strain converter (ads1220 or hx711) among parts (${Object.keys(c.node.parts).join(", ")})`);
  const found = (ads ?? hx)!;
  const sampleHz = c.number(found, ads ? "dataRate" : "rate");
  if (!(sampleHz >= MIN_SAMPLE_HZ && sampleHz <= MAX_SAMPLE_HZ)) {
    c.fail(`parts.${found.role}.options.${ads ? "dataRate" : "rate"}: ${sampleHz} samples/s is outside the ${MIN_SAMPLE_HZ}–${MAX_SAMPLE_HZ} the monitor samples strain at`);
  }
  const onSample = () => on.onSample();
  const onError = (e: SensorError) => on.onError(e);
  if (ads) {
    const adc = new ADS1220({
      spi: c.spiBus(host, ads),
      digital: host.io.Digital,
      pins: { cs: c.namedPin(ads, "cs"), drdy: c.namedPin(ads, "drdy") },
      timer: host.timer,
      clock: host.clock,
      config: ads.part.options as never,
      onSample,
      onError,
    });
    return { converter: adc, sampleHz, start() {} };
  }
  const p = hx!.part;
  const pins = { pdSck: c.namedPin(hx!, "pd_sck"), dout: p.pin };
  const adc = new HX711({ digital: host.io.Digital, serial: host.io.ClockedSerial, pins, timer: host.timer, clock: host.clock, config: p.options as never, onSample, onError });
  const t = c.optionalPart<ResolvedI2CPart>("sht3x", "i2c") ?? c.fail(`the hx711 has no thermometer: the monitor needs an sht3x among parts (${Object.keys(c.node.parts).join(", ")}) for temperature compensation`);
  const periodMs = c.intervalOf(t.role);
  const thermometer = new SHT3x({
    sensor: c.i2cSensor(host, t),
    timer: host.timer,
    onSample() {
      const s = thermometer.sample();
      if (s) on.onTemperature(s.thermometer.temperature);
    },
    onError,
  });
  thermometer.configure(t.part.options as never);
  return {
    converter: adc,
    sampleHz,
    start(every) {
      thermometer.measure();
      every(periodMs, () => thermometer.measure(), "temperature");
    },
  };
}
