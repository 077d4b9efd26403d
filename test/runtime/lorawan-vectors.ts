/**
 * LoRaWAN 1.0.x frames made by lora-packet@0.9.3 (the independent implementation), kept as hex so the portable
 * frame test (lorawan-frame.test.ts) can run on XS, where lora-packet (Node Buffer) cannot. lorawan-mac.test.ts
 * rebuilds every one of them with lora-packet on V8 and fails if they drift, so they stay lora-packet's output.
 */
export const VECTORS = Object.freeze({
  appKey: "2b7e151628aed2a6abf7158809cf4f3c",
  joinEui: "70b3d57ed0000001",
  devEui: "70b3d57ed0001234",
  devNonce: 0x1234,
  /** Join-Request with the three values above. */
  joinRequest: "00010000d07ed5b370341200d07ed5b37034127d1dd38d",
  /** AppNonce a1b2c3, NetID 000013, DevAddr 26011bda, DLSettings 0x23, RxDelay 2, CFList type 1: ch 0–7 and 80–83, 92–95. */
  joinAccept: "20c7d0d1ce39c290b06ac29d59b1bb3c690cde429a4c40c29320eafe9756cd288a",
  appNonce: "a1b2c3",
  netId: "000013",
  devAddr: 0x26011bda,
  cfListMasks: [0x00ff, 0, 0, 0, 0, 0xf00f],
  nwkSKey: "197417e421dbe1e1ffd2c9ea6ce57afe",
  appSKey: "0a45de907b075c9c3aa70816ece59b51",
  /** Confirmed up, ADR + ACK, FCnt 0x12345, FOpts 0307 (LinkADRAns), FPort 42, 30 bytes i·7. */
  uplink: "80da1b0126a2452303072a666be06e680b5437162f1b77ac0f15c708dab60e158cfbcb3fc0a56c5dfa658d5935",
  uplinkFCnt: 0x12345,
  uplinkPayload: Array.from({ length: 30 }, (_, i) => (i * 7) & 0xff),
  /** Unconfirmed up, FCnt 7, FPort 0 carrying 0307 (encrypted with NwkSKey). */
  uplinkPort0: "40da1b01260007000092966bc178b3",
  /** Confirmed down, ACK + FPending, FCnt 0x30002, FOpts 020c03 (LinkCheckAns), FPort 9, "Hello, kunming". */
  downlink: "a0da1b0126330200020c030947a0cf2ee8aa6e4dc77736e961628a9db570",
  downlinkFCnt: 0x30002,
  downlinkPayload: "48656c6c6f2c206b756e6d696e67",
  /** The session the MAC test on both engines runs (joined with the Join-Accept above): first uplink, ADR, port 1. */
  sessionUplink: "40da1b012680000001a478742e906d02",
  /** Its answer: unconfirmed down, FCnt 0, FOpts DevStatusReq, port 9, "Hello, kunming". */
  sessionDownlink: "60da1b01260100000609f8d05afbd9ed0da0bac73f83328cea31658e",
  /** The next uplink: FCnt 1, FOpts DevStatusAns (battery 255, margin 5 dB), port 1, payload 04. */
  sessionUplink2: "40da1b012683010006ff0501c80d16f6d7",
});
