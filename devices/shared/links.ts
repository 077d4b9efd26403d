/**
 * The links a firmware can carry, by the name a manifest gives them (`uplink.link`). On the host every link is
 * here; `ganzhi build` replaces this module with one holding only the link the board uses (tools/build/bundle.ts),
 * so a board's image carries no radio stack it cannot use.
 */
import type { Host } from "../../hal/host.js";
import type { NodeConfig } from "../../manifests/schema/config.js";
import type { Link } from "../../runtime/link/link.js";
import type { WorkQueue } from "../../runtime/work-queue.js";
import { createLink as lorawan } from "./links/lorawan.js";
import { createLink as mqtt } from "./links/mqtt.js";
import { createLink as nbiot } from "./links/nbiot.js";

/** `work`: the node's pieces of work, for a link that cuts its sending into them (the node's `deferUplink`). */
export type LinkFactory = (host: Host, config: NodeConfig, topic: string, work?: WorkQueue) => Link;

export const LINKS: Readonly<Partial<Record<NodeConfig["uplink"]["link"], LinkFactory>>> = Object.freeze({ mqtt, lorawan, nbiot });
