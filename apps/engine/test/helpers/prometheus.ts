/** A sample of the Prometheus text format: name, labels and value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Parses the Prometheus text exposition format (what /metrics serves): `# HELP`/`# TYPE` lines
 * and `name{label="v",…} value` samples. Throws on a line that is neither, so a malformed
 * exposition fails the test that reads it.
 */
export function parsePrometheus(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    if (line.startsWith("# TYPE ")) {
      const [, , name, type] = line.split(" ");
      if (name && type) types.set(name, type);
      continue;
    }
    if (line.startsWith("#")) continue;
    // Values as Go's ParseFloat reads them (Prometheus accepts NaN and Inf in any case).
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.eE+-]+|nan|[+-]?inf)$/i.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] ?? ""] = pair[2] ?? "";
    }
    samples.push({ name: m[1] ?? "", labels, value: Number(m[3]) });
  }
  return { samples, types };
}

/** The value of the one sample with this name whose labels include `labels` (0 when absent). */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found.reduce((a, s) => a + s.value, 0);
}
