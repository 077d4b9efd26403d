/** The link of this board's configuration (`uplink.link`), from the links this firmware carries. */
import type { Host } from "../../hal/host.js";
import type { NodeConfig } from "../../manifests/schema/config.js";
import type { Link } from "../../runtime/link/link.js";
import type { WorkQueue } from "../../runtime/work-queue.js";
import { LINKS } from "./links.js";

export function boardLink(host: Host, config: NodeConfig, topic: string, work?: WorkQueue): Link {
  const create = LINKS[config.uplink.link];
  if (!create) throw new Error(`uplink: this firmware carries the ${Object.keys(LINKS).join(", ")} link, not ${config.uplink.link} (built for another board?)`);
  return create(host, config, topic, work);
}
