/**
 * How a run is named where it shows: what started it and the experiment's name, e.g. "Experiment: my
 * reversals". A name that already starts with the origin (the Demo's "demo: simple reversals") is not
 * repeated: "Demo: simple reversals", never "Demo: demo: simple reversals".
 */
export function runTitle(origin: string, name: string): string {
  const prefix = `${origin.toLowerCase()}: `;
  return `${origin}: ${name.toLowerCase().startsWith(prefix) ? name.slice(prefix.length) : name}`;
}
