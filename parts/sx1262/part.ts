/**
 * Semtech SX1262 LoRa transceiver as manifests see it: on an SPI bus (mode 0, up to 16 MHz) with its own NSS, BUSY,
 * DIO1 and NRESET pins (a device wires them in `parts.<role>.pins`), and the board facts the driver cannot read from the chip. Defaults are SX1262_DEFAULTS.
 */
import { s } from "../../manifests/schema/builder.js";
import { definePart } from "../../manifests/schema/part.js";
import { SX1262_DEFAULTS } from "./config.js";
import { IMAGE_BANDS, TCXO_VOLTS } from "./registers.js";

const d = SX1262_DEFAULTS;

export const part = definePart({
  name: "sx1262",
  title: "Semtech SX1262 sub-GHz LoRa transceiver",
  connection: { kind: "spi", maxHz: 16_000_000, mode: 0, select: "nss" },
  pins: {
    nss: { direction: "output", description: "NSS: the chip's SPI select, active low; a falling edge also wakes it from sleep (§8.2)" },
    busy: { direction: "input", description: "BUSY: high while the chip cannot take a command (§8.3.1)" },
    dio1: { direction: "input", description: "DIO1: the IRQ line (TxDone, RxDone, Timeout) (§8.5)" },
    reset: { direction: "output", description: "NRESET: held low to reset the chip (§8.1)" },
  },
  options: s.object(
    {
      band: s.optional(
        s.enumOf(Object.keys(IMAGE_BANDS) as (keyof typeof IMAGE_BANDS)[], {
          description: "Band the module's matching network is built for, MHz: image calibration, and the frequencies the driver accepts.",
          default: d.band,
        }),
      ),
      tcxoVolts: s.optional(
        s.enumOf([0, ...TCXO_VOLTS] as (0 | 1.6 | 1.7 | 1.8 | 2.2 | 2.4 | 2.7 | 3.0 | 3.3)[], {
          description: "Supply DIO3 gives the module's TCXO, V (SetDIO3AsTcxoCtrl); 0 for a crystal.",
          default: d.tcxoVolts,
        }),
      ),
      tcxoStartUs: s.optional(s.integer({ description: "TCXO start-up time the chip waits before using it, µs (15.625 µs steps).", minimum: 0, maximum: 262_000_000, default: d.tcxoStartUs })),
      dio2RfSwitch: s.optional(s.boolean({ description: "DIO2 drives the antenna switch: high in TX (SetDIO2AsRfSwitchCtrl).", default: d.dio2RfSwitch })),
      regulator: s.optional(s.enumOf(["dcdc", "ldo"], { description: "DC-DC fitted (its inductors on the board) or LDO only; the LDO about doubles RX current.", default: d.regulator })),
      maxPowerDbm: s.optional(
        s.enumOf([14, 17, 20, 22], { description: "PA configuration row (Table 13-21) the board's matching network is built for; caps the TX power.", default: d.maxPowerDbm }),
      ),
      rxBoosted: s.optional(s.boolean({ description: "Receive in boosted gain: more sensitivity for more current (5.3 against 4.6 mA with DC-DC, Table 3-5).", default: d.rxBoosted })),
      network: s.optional(s.enumOf(["public", "private"], { description: "LoRa sync word: public LoRaWAN (0x3444) or private (0x1424) networks.", default: d.network })),
    },
    { description: "SX1262 options (how the module is fitted)." },
  ),
  defaults: { ...d },
  source:
    "Semtech DS.SX1261-2 rev 2.1: SPI mode 0 up to 16 MHz (§8.2), BUSY/DIO1/NRESET (§8.1–8.5), TCXO voltages (§13.3.6), PA rows (Table 13-21), image calibration bands (§13.1.13)",
});
