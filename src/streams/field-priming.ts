/**
 * Field priming: tell V8, once per class and before the first real object, what a field will hold
 * later in a run, so that code compiled meanwhile never relies on the first values alone. Each
 * helper stores on a throwaway instance; no value of any real object changes.
 *
 * V8 stores a number field as a small integer (Smi, 32 bits here) until some object of the class
 * needs a double there; then it changes the field's representation for the whole class, and every
 * optimized function that reads or writes such objects is thrown away and compiled again (tens of
 * milliseconds each, running slowly meanwhile). Byte totals and unwrapped sequence positions pass
 * 2^31 in the middle of a long migration, and raw 32-bit sequence numbers pass it at random: each
 * did that mid-run (`node --trace-deopt`: "overflow", then "wrong map" in every per-packet function).
 *
 * startAsDoubles, called once for a class before it is used (on a throwaway instance), makes those
 * fields doubles from the first object on: V8 keeps the generalized representation for the class.
 * It changes how numbers are stored, never their values.
 */
export function startAsDoubles<T extends object>(sample: T, fields: ReadonlyArray<string>): void {
  const o = sample as Record<string, unknown>;
  for (const f of fields) {
    if (typeof o[f] !== 'number') throw new Error(`startAsDoubles: ${f} is not a number field`);
    o[f] = 0.5;
  }
}

/**
 * The same for a field that starts null and later holds an object (created on a rare event):
 * V8 records that the field held null, and code compiled meanwhile relies on it; the first object
 * stored there throws that code away ("dependency change"). startHolding, called once for a class
 * on a throwaway instance, stores an example first, so that compiled code never relies on the null.
 */
export function startHolding<T extends object>(sample: T, examples: Partial<Record<keyof T & string, object>>): void {
  const o = sample as Record<string, unknown>;
  for (const [f, example] of Object.entries(examples)) {
    if (o[f] !== null) throw new Error(`startHolding: ${f} is not a field that starts null`);
    o[f] = example;
  }
}
