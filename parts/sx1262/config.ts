/**
 * How an SX1262 is fitted on a board: the facts the driver cannot discover from the chip. One set of defaults, used
 * by the driver and by the part's manifest schema (part.ts).
 */
import type { ImageBand } from "./registers.js";

/** SetDIO3AsTcxoCtrl's supply voltages (§13.3.6), or 0 for a crystal. */
export type TcxoVolts = 0 | 1.6 | 1.7 | 1.8 | 2.2 | 2.4 | 2.7 | 3.0 | 3.3;

export interface SX1262Config {
  /**
   * The band the module's matching network is built for: the driver calibrates the image rejection for it
   * (CalibrateImage) and refuses frequencies outside it.
   */
  band: ImageBand;
  /** DIO3 powers a TCXO at this voltage (SetDIO3AsTcxoCtrl); 0 for a crystal. */
  tcxoVolts: TcxoVolts;
  /** How long the chip waits for the TCXO to settle, µs (sent in 15.625 µs steps). */
  tcxoStartUs: number;
  /** DIO2 drives the antenna switch: high in TX, low otherwise (SetDIO2AsRfSwitchCtrl). */
  dio2RfSwitch: boolean;
  /** The board fits the DC-DC inductors (SetRegulatorMode 1), or runs on the LDO alone (0). */
  regulator: "dcdc" | "ldo";
  /** PA configuration row of Table 13-21, which must match the board's matching network: 14, 17, 20 or 22 dBm. */
  maxPowerDbm: 14 | 17 | 20 | 22;
  /** Receiver in boosted gain: more sensitivity for more current (Table 3-5: 5.3 against 4.6 mA with DC-DC). */
  rxBoosted: boolean;
  /** LoRa sync word: "public" LoRaWAN networks (0x3444) or "private" ones (0x1424). */
  network: "public" | "private";
}

/**
 * Defaults: a CN470 module with a crystal and DIO2 switching the antenna, as on Semtech's SX1262 shields (LoRaMac-node's
 * board support for them declares no TCXO and enables DIO2 switching; it counts a 5 ms TCXO start-up for the SX1262DVK1DAS kit, the start-up assumed here once a TCXO is declared); the DC-DC regulator,
 * which the datasheet's headline RX currents assume (a board without the DC-DC inductors sets "ldo", §5.1); the
 * full +22 dBm PA row; the public LoRaWAN sync word.
 */
export const SX1262_DEFAULTS: Readonly<SX1262Config> = Object.freeze({
  band: "470-510",
  tcxoVolts: 0,
  tcxoStartUs: 5000,
  dio2RfSwitch: true,
  regulator: "dcdc",
  maxPowerDbm: 22,
  rxBoosted: false,
  network: "public",
});
