/**
 * The (device, board) pairs of a checkout that tests run: tools/build/manifests.ts `wiredPairs`, which the benchmark
 * uses too. Pairs come from what the manifests declare rather than from whether resolution happens to succeed, so a
 * board or device that stops resolving fails its tests instead of quietly dropping out of them, and a manifest that
 * does not load throws here, failing the file.
 */
export { wiredPairs } from "../../tools/build/manifests.js";
