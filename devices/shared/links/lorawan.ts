/**
 * LoRaWAN class A (CN470) through the SX1262 of `uplink.lorawan.radio`, on the SPI bus and pins the manifest wired
 * it to; the session and DevNonce counter live in retained memory from word 11 (runtime/link/lorawan/store.ts): 20
 * words, up to word 30, the last of the 31 a device sees on the nRF52 (hal/moddable/nrf52.ts keeps word 31 for
 * itself). Words 0…10 are the device's own (the parking sensor's detector state, the meter's pulse count and
 * interval).
 */
import type { Host } from "../../../hal/host.js";
import type { NodeConfig, ResolvedSPIPart } from "../../../manifests/schema/config.js";
import { SX1262, type SX1262Config } from "../../../parts/sx1262/driver.js";
import type { Link } from "../../../runtime/link/link.js";
import { LorawanLink } from "../../../runtime/link/lorawan/link.js";
import { SESSION_BYTES } from "../../../runtime/link/lorawan/mac.js";
import { RetainedLorawanStore } from "../../../runtime/link/lorawan/store.js";

/** Retained words the LoRaWAN session and DevNonce counter use, from this index. */
export const LORAWAN_RETAINED_BASE = 11;

function hexBytes(hex: string, bytes: number, what: string): Uint8Array {
  if (!new RegExp(`^[0-9a-fA-F]{${2 * bytes}}$`).test(hex)) throw new Error(`uplink.lorawan.identity.${what} must be ${2 * bytes} hex digits`);
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function createLink(host: Host, config: NodeConfig, _topic: string): Link {
  const l = config.uplink.lorawan;
  if (!l) throw new Error("uplink: the lorawan link needs uplink.lorawan");
  if (!l.identity) throw new Error(`uplink: no LoRaWAN identity (DevEUI, JoinEUI, AppKey) provisioned for ${host.id}`);
  const radio = config.parts[l.radio] as ResolvedSPIPart | undefined;
  if (!radio) throw new Error(`uplink: the LoRaWAN radio "${l.radio}" is not among this board's parts`);
  const spi = host.SPI[radio.bus];
  if (!spi) throw new Error(`uplink: board has no SPI bus "${radio.bus}" for the radio "${l.radio}"`);
  return new LorawanLink({
    radio: new SX1262({
      spi,
      digital: host.io.Digital,
      pins: { nss: radio.pins.nss!, busy: radio.pins.busy!, dio1: radio.pins.dio1!, reset: radio.pins.reset! },
      timer: host.timer,
      clock: host.clock,
      config: radio.options as Partial<SX1262Config>,
      onError: (e) => host.log("warn", `sx1262: ${e.message}`),
    }),
    timer: host.timer,
    clock: host.clock,
    random: () => host.random(),
    cipher: host.cipher,
    store: new RetainedLorawanStore(host.retained, LORAWAN_RETAINED_BASE, RetainedLorawanStore.wordsFor(SESSION_BYTES)),
    otaa: { devEui: hexBytes(l.identity.devEui, 8, "devEui"), joinEui: hexBytes(l.identity.joinEui, 8, "joinEui"), appKey: hexBytes(l.identity.appKey, 16, "appKey") },
    adr: l.adr,
    dataRate: l.dataRate,
    // The manifest's window budget is the error the windows are planned for (runtime/link/lorawan/rx-window.ts).
    ...(config.budgets?.rxWindowErrorUs !== undefined ? { timingErrorUs: config.budgets.rxWindowErrorUs } : {}),
  });
}
