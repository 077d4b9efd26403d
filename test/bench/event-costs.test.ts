/**
 * What single radio events cost (tools/bench/event-costs.ts), checked against figures no one here computed: Semtech's
 * LoRa calculator gives 1,482.75 ms for a 23-byte Join-Request at SF12/125 kHz (CR 4/5, 8-symbol preamble, explicit
 * header, CRC, low-data-rate optimisation) and 2,793.47 ms for 64 bytes; the SX1262 datasheet's Table 3-6 gives 95 mA
 * at +17 dBm with the +22 dBm PA setting and Table 3-5 4.6 mA in RX with the DC-DC regulator.
 */
import { describe, expect, it } from "vitest";
import { lorawanEventCosts, nbiotLostCoverageDay, RX_MA, txMilliamps } from "../../tools/bench/event-costs.js";

describe("single radio events", () => {
  it("takes its currents from the datasheet tables", () => {
    expect(txMilliamps(17)).toBe(95);
    expect(txMilliamps(22)).toBe(118);
    expect(txMilliamps(10)).toBe(90); // below the lowest row the model holds it
    expect(RX_MA).toBe(4.6);
  });

  it("charges a 51-byte uplink at DR0 for its time on air and two empty windows, and a join retry for a Join-Request", () => {
    const [unconfirmed, confirmed, join] = lorawanEventCosts(51, 0, 17, 15_000);
    expect(unconfirmed!.airtimeMs).toBeCloseTo(2793.47, 2);
    expect(join!.airtimeMs).toBeCloseTo(1482.75, 2);
    // RX1 and RX2 at SF12 (32.768 ms symbols), each open for 6 + ⌈15 ms / Ts⌉ = 7 symbols.
    expect(unconfirmed!.listenMs).toBeCloseTo(2 * 7 * 32.768, 3);
    expect(unconfirmed!.microampHours).toBeCloseTo((95 * 2793.472 + 4.6 * 458.752) / 3600, 3);
    // The ACK (12 bytes, no CRC, at SF12) is heard for longer than two empty windows listen: 991 ms.
    expect(confirmed!.listenMs).toBeGreaterThan(unconfirmed!.listenMs);
    expect(join!.microampHours).toBeCloseTo((95 * 1482.752 + 4.6 * 458.752) / 3600, 3);
  });

  it("costs far less at DR5, where the ACK is shorter than the empty windows", () => {
    const [unconfirmed, confirmed] = lorawanEventCosts(51, 5, 17, 15_000);
    expect(unconfirmed!.sf).toBe(7);
    expect(unconfirmed!.microampHours).toBeLessThan(lorawanEventCosts(51, 0, 17, 15_000)[0]!.microampHours / 10);
    expect(confirmed!.microampHours).toBeLessThan(unconfirmed!.microampHours);
  });

  it("charges a day without NB-IoT coverage at the modem's search current", () => {
    expect(nbiotLostCoverageDay()).toEqual({ searchMicroampHours: 14 * 24 * 1000, psmMicroampHours: 0.003 * 24 * 1000 });
  });
});
