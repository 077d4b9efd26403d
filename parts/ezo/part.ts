/**
 * The declaration the five EZO circuit parts share (it is not a part itself: it exports no `part`): the I2C
 * connection of circuit.ts, the `sleep` option every circuit driver has, and the circuit's own options.
 * Each parts/ezo-<circuit>/part.ts calls it with its defaults from circuit.ts, where the driver takes them too.
 */
import { s, type Optional, type Schema, type Shape } from "../../manifests/schema/builder.js";
import { definePart, type PartDefinition } from "../../manifests/schema/part.js";
import { ezoConnection, type EzoCircuit } from "./circuit.js";

export function defineEzoPart<const P extends Shape>(
  circuit: EzoCircuit,
  title: string,
  defaults: { readonly sleep: boolean } & Readonly<Record<string, boolean | number>>,
  options: P,
  source: string,
): PartDefinition {
  const shape: Record<string, Schema | Optional<Schema>> = {
    sleep: s.optional(s.boolean({ description: "Send Sleep after each reading (the next command wakes the circuit).", default: defaults.sleep })),
    ...options,
  };
  return definePart({
    name: circuit.name,
    title,
    connection: ezoConnection(circuit.defaultAddress),
    options: s.object(shape, { description: `EZO-${circuit.type} options (driver \`configure\`).` }),
    source: `Atlas Scientific EZO-${circuit.type} datasheet: ${source}; I2C,n sets any address 1–127`,
  }) as PartDefinition;
}
