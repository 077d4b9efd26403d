/**
 * Device code opens IO with `new host.io.Analog(options)`, so each board's host needs constructors that know that
 * board. If each board made its own class, every node's instances would have their own hidden class, and in a fleet
 * each driver's call sites (`this.#adc.read()`) would meet a thousand shapes: megamorphic, with a lookup per call
 * whose cost grows with the fleet, and thousands of hidden classes and their code to keep.
 * So each kind of IO is one class shared by every board, constructed with the board's context, and a board's
 * constructor is a thin one that returns an instance of it.
 */

/** A constructor taking only `options` that builds `Impl` instances bound to `ctx`, with `statics` on it. */
export function boundClass<Ctx, Options, Instance extends object, Statics extends object = object>(
  Impl: new (ctx: Ctx, options: Options) => Instance,
  ctx: Ctx,
  statics?: Statics,
): (new (options: Options) => Instance) & Statics {
  // A plain function, not a class: `new` on it returns the object it returns (an `Impl`), and it costs no prototype
  // object and hidden classes of its own per board and boot. A subclass of it (a test's, the XS probe's) still
  // gets instances of itself: its `super()` builds the `Impl` with the subclass's prototype.
  const Bound = function (options: Options): Instance {
    if (!new.target) throw new TypeError(`${Impl.name}: use new`);
    if (new.target !== Bound) return Reflect.construct(Impl, [ctx, options], new.target) as Instance;
    return new Impl(ctx, options);
  };
  Bound.prototype = Impl.prototype;
  if (statics) Object.assign(Bound, statics);
  return Bound as unknown as (new (options: Options) => Instance) & Statics;
}
