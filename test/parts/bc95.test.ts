/**
 * Quectel BC95-G: the AT channel against a scripted peer (interleaved, garbled, truncated and overflowing lines,
 * timeouts, echo, the boot banner), the model's answers against the manual's syntax and error codes, and the
 * driver against the model on the NB-IoT core stand-in, in virtual time: bring-up, attach per CE level, send and
 * receive, PSM entry and UART wake, periodic TAU, eDRX paging, lost coverage, a network that never attaches,
 * currents, determinism. Portable: runs on V8 and XS.
 */
import { describe, expect, it } from "vitest";
import { AtChannel, AtError, RAW } from "../../parts/bc95/at.js";
import { BC95_CURRENTS, idleMilliamps } from "../../parts/bc95/currents.js";
import { cmeName } from "../../parts/bc95/errors.js";
import { fromHex, toHex } from "../../parts/bc95/hex.js";
import { decodeT3324, decodeT3412, edrxCycleSeconds, encodeEdrx, encodeT3324, encodeT3412 } from "../../parts/bc95/nas-timers.js";
import { UARTLink } from "../../simulator/core/buses/uart.js";
import { Engine, MS, SECOND } from "../../simulator/core/engine.js";
import { PinRegistry } from "../../simulator/core/io/pins.js";
import { makeSerialClass } from "../../simulator/core/io/serial.js";
import { attachUs, csqRssi, downlinkAirUs, measure, uplinkAirUs } from "../../simulator/core/nbiot/radio.js";
import { EngineTimers } from "../../simulator/core/timers.js";
import { Bc95Rig, RX, SERVER, TX } from "./bc95-rig.js";

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const text = (b: Uint8Array) => String.fromCharCode(...b);

describe("BC95 encodings", () => {
  it("hex both ways, refusing odd lengths and non-hex digits", () => {
    expect(toHex(Uint8Array.of(0x00, 0x7f, 0xff, 0x4a))).toBe("007FFF4A");
    expect([...fromHex("007fFF4a")!]).toEqual([0, 0x7f, 0xff, 0x4a]);
    expect(fromHex("ABC")).toBeUndefined();
    expect(fromHex("0G")).toBeUndefined();
  });

  it("hex of every length up to the BC95's 512-byte datagram, as Node's Buffer writes it", () => {
    const bytes = Uint8Array.from({ length: 512 }, (_, i) => (i * 97 + 13) & 0xff);
    for (let n = 0; n <= 512; n++) {
      const part = bytes.subarray(0, n);
      expect(toHex(part)).toBe(Buffer.from(part).toString("hex").toUpperCase());
    }
  });

  it("PSM timers as TS 24.008 codes them: 24 h is 00111000, 60 s fits in 2 s units, unencodable values are refused", () => {
    // The project reference (§6.1) gives "00111000" = 24 h for T3412 and "00100001" = 1 min for T3324.
    expect(encodeT3412(86_400)).toBe("00111000");
    expect(decodeT3412("00111000")).toBe(86_400);
    expect(decodeT3324("00100001")).toBe(60);
    expect(encodeT3324(60)).toBe("00011110"); // 30 × 2 s, as exact as 1 × 1 min
    expect(decodeT3324(encodeT3324(60))).toBe(60);
    expect(decodeT3412("11100000")).toBeUndefined(); // deactivated
    expect(() => encodeT3412(61)).toThrow(/T3412 \(periodic TAU\): 61 s cannot be encoded exactly/);
    expect(edrxCycleSeconds("0101")).toBe(81.92);
    expect(edrxCycleSeconds("0000")).toBe(20.48); // not in the NB-S1 table: read as 0010
    expect(encodeEdrx(20.48)).toBe("0010");
    expect(() => encodeEdrx(30)).toThrow(/not an NB-S1 value/);
  });

  it("names +CME ERROR codes", () => {
    expect(cmeName(30)).toBe("no network service (30)");
    expect(cmeName(159)).toBe("uplink busy / flow control (159)");
    expect(cmeName(777)).toBe("CME error 777");
  });
});

/** The AT channel with a scripted modem at the other end of a 115200-baud UART. */
function atBench(options: { settleMs?: number; maxLine?: number } = {}) {
  const engine = new Engine();
  const link = new UARTLink("bench/at", engine);
  const heard: string[] = [];
  link.peer = { receive: (b) => heard.push(text(b)) };
  const Serial = makeSerialClass([{ receive: RX, transmit: TX, link }], new PinRegistry("bench"), (fn) => fn());
  const timers = new EngineTimers(engine);
  const reboots: string[] = [];
  const at = new AtChannel({ serial: { io: Serial, receive: RX, transmit: TX, baud: 115_200 }, timer: timers, onReboot: (c) => reboots.push(c), ...options });
  const results: { error: AtError | undefined; lines: readonly string[] }[] = [];
  const done = (error: AtError | undefined, lines: readonly string[]) => results.push({ error, lines });
  return {
    engine,
    at,
    heard,
    results,
    done,
    reboots,
    say: (s: string | Uint8Array) => link.fromPeer(typeof s === "string" ? ascii(s) : s),
    run: (ms: number) => engine.runUntil(engine.now + ms * MS),
  };
}

describe("AT channel", () => {
  it("keeps a URC that comes between a command and its answer apart from the answer", () => {
    const b = atBench();
    const urcs: string[] = [];
    b.at.onUrc("NSONMI", (args) => (urcs.push(args), true));
    b.at.send({ text: "AT+CSQ", maxMs: 300, info: "+CSQ:" }, b.done);
    b.run(5);
    expect(b.heard).toEqual(["AT+CSQ\r"]);
    b.say("\r\n+NSONMI:0,4\r\n");
    b.say("\r\n+CSQ:20,99\r\n\r\nOK\r\n");
    b.run(10);
    expect(urcs).toEqual(["0,4"]);
    expect(b.results).toEqual([{ error: undefined, lines: ["+CSQ:20,99"] }]);
  });

  it("drops garbled, overflowing and truncated lines without taking any of them for OK, and counts each", () => {
    const b = atBench({ maxLine: 200 });
    b.at.onUrc("NSONMI", (args) => /^\d+,\d+$/.test(args));
    b.at.send({ text: "AT+NSORF=0,4", maxMs: 300, info: RAW }, b.done);
    b.run(5);
    b.say(Uint8Array.of(13, 10, 0x4f, 0x80, 0x4b, 13, 10)); // "O\x80K": a damaged OK
    b.say(`\r\n${"7".repeat(300)}\r\n`); // longer than the channel keeps (200 here)
    b.say("\r\n+NSONMI:0\r\n"); // cut short
    b.say("\r\n+QWERTY:1\r\n"); // a URC nobody registered
    b.run(60); // all of it on the wire (about 30 ms at 115200 baud), well inside the 300 ms deadline
    expect(b.results).toEqual([]); // still waiting: nothing above was an OK
    b.say("\r\n0,192.0.2.10,5683,4,DEADBEEF,0\r\n\r\nOK\r\n");
    b.run(10);
    expect(b.results).toEqual([{ error: undefined, lines: ["0,192.0.2.10,5683,4,DEADBEEF,0"] }]);
    expect(b.at.stats).toMatchObject({ garbledLines: 1, overflowLines: 1, malformedUrcs: 1, unknownUrcs: 1, ok: 1 });
    b.say("\r\nOK\r\n"); // with nothing in flight
    b.run(5);
    expect(b.at.stats.unexpectedLines).toBe(1);
  });

  it("reports ERROR and +CME ERROR with the code's name, and drops the echo of the command", () => {
    const b = atBench();
    b.at.send({ text: "AT+NSOST=0,192.0.2.10,5683,1,00", maxMs: 300, info: RAW }, b.done);
    b.at.send({ text: "AT+FOO", maxMs: 300 }, b.done);
    b.run(5);
    b.say("AT+NSOST=0,192.0.2.10,5683,1,00\r\r\n+CME ERROR:30\r\n");
    b.run(5);
    b.say("\r\nERROR\r\n");
    b.run(5);
    const [cme, plain] = b.results;
    expect(cme!.error).toBeInstanceOf(AtError);
    expect(cme!.error).toMatchObject({ kind: "cme", code: 30, message: "AT+NSOST=0,192.0.2.10,5683,1,00: no network service (30)" });
    expect(plain!.error).toMatchObject({ kind: "error", message: "AT+FOO: ERROR" });
    expect(b.at.stats).toMatchObject({ echoes: 1, cmeErrors: 1, errors: 1 });
  });

  it("times out from the manual's maximum plus wire time, drops the late answer while settling, and the retry gets its own", () => {
    const b = atBench({ settleMs: 300 });
    b.at.send({ text: "AT+CGATT?", maxMs: 300, info: "+CGATT:", retries: 1 }, b.done);
    // 10 bytes out + 32 expected back at 115200 baud: 4 ms of wire time on top of 300 ms.
    b.run(303);
    expect(b.at.stats.timeouts).toBe(0);
    b.run(2);
    expect(b.at.stats.timeouts).toBe(1);
    b.say("\r\n+CGATT:0\r\n\r\nOK\r\n"); // the first attempt's answer, late
    b.run(299);
    expect(b.heard).toEqual(["AT+CGATT?\r"]); // settling: nothing sent yet
    b.run(2);
    expect(b.heard).toEqual(["AT+CGATT?\r", "AT+CGATT?\r"]);
    b.say("\r\n+CGATT:1\r\n\r\nOK\r\n");
    b.run(5);
    expect(b.results).toEqual([{ error: undefined, lines: ["+CGATT:1"] }]);
    expect(b.at.stats).toMatchObject({ lateLines: 2, retries: 1 });
    b.at.send({ text: "AT", maxMs: 300, retries: 0 }, b.done);
    b.run(1000);
    expect(b.results[1]!.error).toMatchObject({ kind: "timeout" });
  });

  it("recognises the boot banner: its OK ends no command, and the reboot is reported", () => {
    const b = atBench();
    b.at.send({ text: "AT", maxMs: 300 }, b.done);
    b.run(2);
    b.say("\r\nBoot: Unsigned\r\nSecurity B.. Verified\r\nProtocol A.. Verified\r\nApps A...... Verified\r\n\r\nREBOOT_CAUSE_SECURITY_RESET_PIN\r\nNeul \r\nOK\r\n");
    b.run(20);
    expect(b.results).toEqual([]);
    expect(b.reboots).toEqual(["REBOOT_CAUSE_SECURITY_RESET_PIN"]);
    b.say("\r\nOK\r\n");
    b.run(5);
    expect(b.results).toEqual([{ error: undefined, lines: [] }]);
  });
});

describe("BC95 model", () => {
  /** The model alone, talked to through the AT channel. */
  function modelBench(mclDb: number | null = 130) {
    const rig = new Bc95Rig({ mclDb, model: { autoconnect: false, echo: false }, reset: false });
    const at = new AtChannel({ serial: { io: makeSerialClass([{ receive: 26, transmit: 27, link: rig.link }], new PinRegistry("m"), (fn) => fn()), receive: 26, transmit: 27, baud: 9600 }, timer: rig.timers });
    rig.run(2.5); // boot
    const ask = (t: string, info?: string) => {
      let out: { error: AtError | undefined; lines: readonly string[] } | undefined;
      // A +CEREG URC can come just before the answer to AT+CEREG?: the answer has <n> first (two fields here).
      const accepts = (l: string) => !l.startsWith("+CEREG:") || l.split(",").length === 2;
      at.send({ text: t, maxMs: 3000, info: info ?? RAW, retries: 0, accepts }, (error, lines) => (out = { error, lines }));
      rig.until(() => out !== undefined, 10);
      return out!;
    };
    return { rig, at, ask };
  }

  it("answers unknown commands and bad syntax with ERROR, state errors with their +CME ERROR numbers (plain ERROR without CMEE)", () => {
    const { rig, ask } = modelBench();
    expect(ask("AT+NSOST=0,192.0.2.10,5683,1,00").error).toMatchObject({ kind: "error" }); // CMEE=0: plain ERROR
    expect(ask("AT+CMEE=1").error).toBeUndefined();
    expect(ask("AT+FOO").error).toMatchObject({ kind: "error" });
    expect(ask("AT+CSQ=").error).toMatchObject({ kind: "error" });
    expect(ask("AT+NSOST=0,192.0.2.10,5683,1,00").error).toMatchObject({ kind: "cme", code: 50 }); // no socket 0
    expect(ask("AT+CGATT=1").error).toMatchObject({ kind: "cme", code: 3 }); // radio off
    expect(ask("AT+NSOCR=DGRAM,17,0,1").lines).toEqual(["0"]);
    expect(ask("AT+NSOST=0,192.0.2.10,5683,1,00").error).toMatchObject({ kind: "cme", code: 30 }); // not registered
    expect(ask("AT+NSOST=0,192.0.2.10,5683,2,00").error).toMatchObject({ kind: "cme", code: 50 }); // length ≠ data
    expect(ask("AT+NSOST=0,192.0.2.999,5683,1,00").error).toMatchObject({ kind: "cme", code: 50 });
    expect(ask('AT+CPSMS=1,,,"00111000","01011111"').error).toBeUndefined(); // T3324 6 min × 31
    expect(ask('AT+CPSMS=1,,,"0011100","00000001"').error).toMatchObject({ kind: "cme", code: 50 });
    expect(ask("AT+CPSMS?", "+CPSMS:").lines).toEqual(["+CPSMS:1,,,00111000,01011111"]);
    expect(ask('AT+CPSMS=1,,,"00111000","01111111"').error).toMatchObject({ kind: "cme", code: 50 }); // unit 011 is not T3324's
    expect(ask("AT+CSQ", "+CSQ:").lines).toEqual(["+CSQ:99,99"]); // not registered: not known
    expect(rig.model.stats.errors).toBe(10);
  });

  it("registers through AT+CFUN=1 and AT+CGATT=1 and reports +CEREG, CSQ from the signal (dBm = −113 + 2·rssi), and NUESTATS", () => {
    const { rig, ask } = modelBench(150);
    expect(ask("AT+CEREG=1").error).toBeUndefined();
    expect(ask("AT+CFUN=1").error).toBeUndefined();
    expect(ask("AT+CGATT=1").error).toBeUndefined();
    expect(ask("AT+CEREG?", "+CEREG:").lines).toEqual(["+CEREG:1,2"]); // searching while attaching
    rig.run(attachUs(1) / SECOND + 1);
    expect(ask("AT+CEREG?", "+CEREG:").lines).toEqual(["+CEREG:1,1"]);
    const rssi = csqRssi(measure(150).rssiDbm);
    expect(ask("AT+CSQ", "+CSQ:").lines).toEqual([`+CSQ:${rssi},99`]);
    const stats = ask("AT+NUESTATS").lines;
    expect(stats).toContain("ECL:1");
    expect(stats).toContain(`Signal power:${Math.round(measure(150).rsrpDbm * 10)}`);
    expect(ask("AT+CGPADDR", "+CGPADDR:").lines).toEqual(["+CGPADDR:0,10.45.0.2"]);
  });
});

describe("BC95 driver against the model", () => {
  const commands = (r: Bc95Rig) => r.wire.filter((t) => t.dir === "tx").map((t) => text(t.bytes).replace(/\r$/, ""));

  it("brings the module up from a RESET pulse in the manual's order: AT sync through the boot, configuration, attach, socket", () => {
    const r = new Bc95Rig().start();
    expect(r.until(() => r.driver.ready, 60)).toBe(true);
    const sent = commands(r);
    const firstOk = sent.indexOf("ATE0");
    expect(sent.slice(0, firstOk).every((c) => c === "AT")).toBe(true);
    expect(firstOk).toBeGreaterThan(1); // the module was still booting: the first ATs went unanswered
    expect(sent.slice(firstOk, firstOk + 9)).toEqual([
      "ATE0",
      "AT+CMEE=1",
      "AT+CFUN=1",
      "AT+CEREG=1",
      "AT+CSCON=1",
      "AT+NPSMR=1",
      'AT+CPSMS=1,,,"00111000","00011110"',
      "AT+CEDRXS=0,5",
      "AT+CGATT=1",
    ]);
    expect(sent.slice(firstOk + 9)).toEqual(["AT+NSOCR=DGRAM,17,0,1", "AT+CSQ", "AT+NUESTATS"]);
    const rssi = csqRssi(measure(130).rssiDbm);
    expect(r.driver.status).toMatchObject({ state: "ready", registration: 1, socket: 0, ceLevel: 0, rssiDbm: -113 + 2 * rssi, rsrpDbm: measure(130).rsrpDbm });
    expect(r.driver.stats).toMatchObject({ reboots: 1, bannerLines: 7, registrations: 1, bringUpFailures: 0 });
    expect(r.model.state.grant).toMatchObject({ t3412S: 86_400, t3324S: 60 }); // asked during the attach: a TAU carried them
  });

  it("attaches in CE0, CE1 and CE2, each slower, and sends with the level's repetitions", () => {
    const runs = [130, 150, 160].map((mcl) => {
      const r = new Bc95Rig({ mclDb: mcl }).start();
      r.until(() => r.driver.ready, 120);
      const readyAt = r.engine.now;
      r.run(2); // the TAU that carries the PSM timers asked for during the attach is over
      r.driver.send(SERVER.address, SERVER.port, new Uint8Array(100).fill(7));
      const sentAt = r.engine.now;
      r.until(() => r.server.received.length === 1, 30);
      return { r, readyAt, airAndBackhaul: r.server.received[0]!.at - sentAt };
    });
    expect(runs.map((x) => x.r.driver.status.ceLevel)).toEqual([0, 1, 2]);
    expect(runs[0]!.readyAt).toBeLessThan(runs[1]!.readyAt);
    expect(runs[1]!.readyAt).toBeLessThan(runs[2]!.readyAt);
    expect(runs[2]!.readyAt - runs[0]!.readyAt).toBeGreaterThan(attachUs(2) - attachUs(0) - 1 * SECOND);
    // Everything but the air time is the same at every level (UART, processing, backhaul).
    expect(runs[1]!.airAndBackhaul - runs[0]!.airAndBackhaul).toBe(uplinkAirUs(100, 1) - uplinkAirUs(100, 0));
    expect(runs[2]!.airAndBackhaul - runs[0]!.airAndBackhaul).toBe(uplinkAirUs(100, 2) - uplinkAirUs(100, 0));
    expect(runs.map((x) => x.r.core.stats.byCe)).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
  });

  it("sends a datagram and reads the answer: +NSONMI, then AT+NSORF, the bytes intact", () => {
    const r = new Bc95Rig().start();
    r.until(() => r.driver.ready, 60);
    const payload = Uint8Array.from({ length: 512 }, (_, i) => (i * 37) & 0xff);
    let sent: Error | undefined | null = null;
    r.driver.send(SERVER.address, SERVER.port, payload, (e) => (sent = e));
    r.until(() => r.datagrams.length === 1, 10);
    expect(sent).toBeUndefined();
    expect(r.datagrams[0]).toMatchObject({ address: SERVER.address, port: SERVER.port });
    expect([...r.datagrams[0]!.bytes]).toEqual([...payload]);
    expect(commands(r).filter((c) => c.startsWith("AT+NSORF"))).toEqual(["AT+NSORF=0,512"]);
    expect(() => r.driver.send(SERVER.address, SERVER.port, new Uint8Array(513))).toThrow(/513 bytes exceeds AT\+NSOST's 512/);
    expect(r.driver.stats).toMatchObject({ datagramsOut: 1, datagramsIn: 1 });
  });

  it("survives garbage from the module while running: truncated and malformed URCs, a damaged OK, an overflowing line; each counted", () => {
    const r = new Bc95Rig().start();
    r.until(() => r.driver.ready, 60);
    r.model.inject("\r\n+NSONMI:0\r\n"); // cut short
    r.model.inject("\r\n+CEREG:\r\n"); // no stat
    r.model.inject(Uint8Array.of(13, 10, 0x4f, 0x00, 0x4b, 13, 10)); // "O\0K"
    r.model.inject(`\r\n${"9".repeat(1500)}\r\n`); // longer than any line the channel keeps
    r.model.inject("\r\n+CEREG:7\r\n"); // a stat 27.007 does not have
    r.run(5);
    expect(r.driver.stats).toMatchObject({ malformedUrcs: 3, garbledLines: 1, overflowLines: 1 });
    expect(r.driver.status.registration).toBe(1);
    expect(r.driver.ready).toBe(true);
    r.driver.send(SERVER.address, SERVER.port, ascii("still here"));
    r.until(() => r.datagrams.length === 1, 10);
    expect(text(r.datagrams[0]!.bytes)).toBe("still here");
  });

  it("release assistance: AT+NSOSTF 0x200 ends the RRC connection once the reply is in, 0x400 right after sending, instead of 20 s later", () => {
    const releaseAfter = (hint: "none" | "after-reply" | "after-send") => {
      const r = new Bc95Rig().start();
      r.until(() => r.driver.ready, 60);
      r.run(30); // released after the attach
      r.driver.send(SERVER.address, SERVER.port, Uint8Array.of(1, 2), undefined, hint);
      r.until(() => r.datagrams.length === 1, 10);
      const got = r.engine.now;
      r.until(() => !r.driver.status.connected, 60);
      return { r, afterReplyUs: r.engine.now - got };
    };
    const plain = releaseAfter("none");
    const reply = releaseAfter("after-reply");
    const sent = releaseAfter("after-send");
    expect(commands(plain.r).some((c) => c.startsWith("AT+NSOST=0,192.0.2.10,5683,2,0102"))).toBe(true);
    expect(commands(reply.r)).toContain("AT+NSOSTF=0,192.0.2.10,5683,0x200,2,0102");
    expect(commands(sent.r)).toContain("AT+NSOSTF=0,192.0.2.10,5683,0x400,2,0102");
    expect(plain.afterReplyUs).toBeGreaterThan(19 * SECOND);
    expect(reply.afterReplyUs).toBeLessThan(1 * SECOND);
    expect(reply.r.model.stats.assistedReleases).toBe(1);
    // Released right after sending, the reply needs a page: it comes a DRX cycle later, over a new connection.
    expect(sent.r.model.stats.pages).toBe(1);
    expect(sent.r.model.stats.assistedReleases).toBe(1);
    const connected = (x: { r: Bc95Rig }) => x.r.model.residency().find((s) => s.state === "connected")!.us;
    expect(connected(reply)).toBeLessThan(connected(plain) - 19 * SECOND);
  });

  it("enters PSM T3324 after the RRC release; a send wakes it through the UART, the first AT is lost and the sync retries", () => {
    const r = new Bc95Rig({ driver: { psm: { periodicTauS: 86_400, activeTimeS: 10 } } }).start();
    r.until(() => r.driver.ready, 60);
    r.driver.send(SERVER.address, SERVER.port, Uint8Array.of(1, 2, 3));
    r.until(() => r.datagrams.length === 1, 10);
    const before = r.engine.now;
    expect(r.until(() => r.driver.status.psm, 60)).toBe(true);
    // Release after the 20 s inactivity timer, PSM 10 s later.
    expect((r.engine.now - before) / SECOND).toBeGreaterThan(29);
    expect((r.engine.now - before) / SECOND).toBeLessThan(31);
    expect(r.model.state).toMatchObject({ psm: true, asleep: true, current: "psm" });
    r.run(600);
    expect(r.model.milliamps).toBe(BC95_CURRENTS.psm);
    const timeouts = r.driver.stats.timeouts;
    const lost = r.model.stats.lostBytes;
    r.driver.send(SERVER.address, SERVER.port, Uint8Array.of(4, 5, 6));
    r.until(() => r.datagrams.length === 2, 30);
    expect(r.driver.stats.wakeSyncs).toBe(1);
    expect(r.driver.stats.timeouts).toBe(timeouts + 1); // the AT that woke it got no answer
    expect(r.model.stats.uartWakes).toBe(1);
    expect(r.model.stats.lostBytes - lost).toBe(3); // "AT\r"
    expect(r.driver.stats.psmEntries).toBe(1);
    expect([...r.datagrams[1]!.bytes]).toEqual([4, 5, 6]);
    expect(r.until(() => r.driver.status.psm, 60)).toBe(true);
    expect(r.driver.stats.psmEntries).toBe(2);
  });

  it("wakes for the periodic TAU at T3412 and goes back to PSM", () => {
    const r = new Bc95Rig({ driver: { psm: { periodicTauS: 120, activeTimeS: 4 } } }).start();
    r.until(() => r.driver.ready, 60);
    const taus = r.model.stats.taus;
    r.until(() => r.driver.status.psm, 60);
    r.run(1000);
    // Each cycle: release (20 s inactivity), T3412 = 120 s later a TAU, connected 20 s again.
    expect(r.model.stats.taus - taus).toBe(7);
    expect(r.core.stats.taus).toBe(r.model.stats.taus);
    expect(r.driver.stats.psmEntries).toBe(8);
    expect(r.driver.ready).toBe(true);
  });

  it("pages an idle module for a downlink at its next eDRX paging occasion, and loses one sent while it is in PSM", () => {
    const r = new Bc95Rig({ driver: { psm: false, edrxS: 20.48 } }).start();
    r.until(() => r.driver.ready, 60);
    expect(r.model.state.grant?.edrxS).toBe(20.48);
    r.server.delayUs = 30 * SECOND; // the answer comes after the release
    r.driver.send(SERVER.address, SERVER.port, Uint8Array.of(9));
    r.until(() => r.server.received.length === 1, 10);
    const arrives = r.server.received[0]!.at + 30 * SECOND + 20 * MS; // back through the core's backhaul
    r.until(() => r.datagrams.length === 1, 60);
    expect(r.model.stats.pages).toBe(1);
    const got = r.datagrams[0]!.at;
    expect(got).toBeGreaterThan(arrives);
    expect(got - arrives).toBeLessThan(20.48 * SECOND + 1 * SECOND);
    expect(r.model.state.current).toBe("connected"); // answering the page set up a connection
    r.run(30);
    expect(r.model.state.current).toBe("idle (eDRX 20.48 s)");
    expect(r.model.milliamps).toBeCloseTo(idleMilliamps(20.48), 9);

    const p = new Bc95Rig({ driver: { psm: { periodicTauS: 86_400, activeTimeS: 2 } } }).start();
    p.until(() => p.driver.ready, 60);
    p.server.delayUs = 60 * SECOND;
    p.driver.send(SERVER.address, SERVER.port, Uint8Array.of(9));
    p.run(90);
    expect(p.datagrams).toEqual([]);
    expect(p.model.stats.downlinksLost).toBe(1);
    expect(p.core.stats.downlinks).toBe(1);
  });

  it("loses coverage: +CEREG:2, the link goes down, sends are refused; registers again when a cell is back", () => {
    const r = new Bc95Rig().start();
    r.until(() => r.driver.ready, 60);
    r.core.setCoupling("n1", null);
    r.until(() => !r.driver.ready, 10);
    expect(r.events.at(-1)).toMatch(/down: deregistered \(\+CEREG 2, searching\)/);
    expect(r.model.stats.coverageLosses).toBe(1);
    expect(() => r.driver.send(SERVER.address, SERVER.port, Uint8Array.of(1))).toThrow(/not ready \(deregistered\)/);
    r.run(100);
    r.core.setCoupling("n1", 140);
    expect(r.until(() => r.driver.ready, 60)).toBe(true);
    expect(r.events.filter((e) => e.endsWith("ready")).length).toBe(2);
    expect(r.driver.stats).toMatchObject({ deregistrations: 1, registrations: 2, attachFailures: 0 });
  });

  it("a network that never attaches it: one clear, counted error per attempt, and the driver keeps trying", () => {
    const r = new Bc95Rig({ mclDb: null, driver: { attachTimeoutMs: 60_000, retryMs: 30_000 } }).start();
    r.run(200);
    expect(r.driver.ready).toBe(false);
    expect(r.errors[0]!.message).toBe("bc95: not registered 60 s after AT+CGATT=1 (+CEREG stat 2, searching; CSQ 99 (no signal))");
    expect(r.driver.stats.attachFailures).toBe(2);
    expect(r.driver.status.state).toBe("backoff");
    r.core.setCoupling("n1", 135);
    expect(r.until(() => r.driver.ready, 300)).toBe(true);
    expect(r.model.state.current).not.toBe("off");
  });

  it("accounts the module's current: PSM, idle, connected, transmit, receive, each at its datasheet figure", () => {
    const r = new Bc95Rig({ mclDb: 160, driver: { psm: { periodicTauS: 86_400, activeTimeS: 10 } } }).start();
    r.until(() => r.driver.ready, 120);
    r.driver.send(SERVER.address, SERVER.port, new Uint8Array(50).fill(1));
    r.run(3600);
    const res = r.model.residency();
    const byState = Object.fromEntries(res.map((x) => [x.state, x]));
    expect(res.reduce((a, x) => a + x.us, 0)).toBe(r.engine.now);
    expect(byState["tx"]!.milliamps).toBe(BC95_CURRENTS.tx);
    expect(byState["rx"]!.milliamps).toBe(BC95_CURRENTS.rx);
    expect(byState["psm"]!.milliamps).toBe(BC95_CURRENTS.psm);
    expect(byState["connected"]!.milliamps).toBe(BC95_CURRENTS.connected);
    // The CE2 send: random access (32 preambles) and the uplink's 32 repetitions on top of the TAU's.
    expect(byState["tx"]!.us).toBeGreaterThanOrEqual(uplinkAirUs(50, 2));
    expect(byState["rx"]!.us).toBeGreaterThanOrEqual(downlinkAirUs(50, 2));
    for (const x of res) expect(x.milliampSeconds).toBeCloseTo((x.milliamps * x.us) / 1e6, 9);
    const total = res.reduce((a, x) => a + x.milliampSeconds, 0);
    expect(r.model.meanMilliamps()).toBeCloseTo(total / (r.engine.now / SECOND), 9);
  });

  it("is deterministic: the same run gives the same bytes on the UART at the same microseconds", () => {
    const once = () => {
      const r = new Bc95Rig({ mclDb: 150 }).start();
      r.until(() => r.driver.ready, 120);
      r.driver.send(SERVER.address, SERVER.port, ascii("hello"));
      r.run(120);
      return r.transcript();
    };
    const a = once();
    expect(a.length).toBeGreaterThan(1000);
    expect(once()).toBe(a);
  });
});
