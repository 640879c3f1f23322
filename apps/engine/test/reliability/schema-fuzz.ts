import fc from "fast-check";
import { type ZodType, z } from "zod";

/**
 * Malformed inputs for a tRPC procedure, generated from its zod input schemas: a valid seed is
 * built from the schemas' JSON-schema export (ids filled with real ones), then one fast-check
 * mutation breaks it — a wrong type, a missing required field, an out-of-range number, a string
 * over its length or off its pattern or enum, or a wholly different value in place of the object.
 * Only inputs that the procedure's own schemas refuse count as cases.
 */

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  minItems?: number;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  default?: unknown;
}

export interface ProcedureInfo {
  path: string;
  type: "query" | "mutation" | "subscription";
  inputs: ZodType[];
}

interface ProcedureDef {
  type: ProcedureInfo["type"];
  inputs: ZodType[];
}

/** Every procedure of a tRPC v11 router, with its chained input parsers. */
export function listProcedures(router: unknown): ProcedureInfo[] {
  const procs = (router as { _def: { procedures: Record<string, { _def: ProcedureDef }> } })._def.procedures;
  return Object.entries(procs).map(([path, p]) => ({ path, type: p._def.type, inputs: p._def.inputs }));
}

/** Whether the procedure's schemas (every chained one) accept `input`, as tRPC would parse it. */
export function accepted(info: ProcedureInfo, input: unknown): boolean {
  return info.inputs.every((schema) => schema.safeParse(input).success);
}

function jsonSchemaOf(schema: ZodType): JsonSchema {
  return z.toJSONSchema(schema, { unrepresentable: "any", io: "input" }) as JsonSchema;
}

/** The merged object schema of a procedure's inputs (every chained input is an object). */
export function mergedSchema(info: ProcedureInfo): JsonSchema {
  const merged: JsonSchema = { type: "object", properties: {}, required: [] };
  for (const s of info.inputs) {
    const js = jsonSchemaOf(s);
    Object.assign(merged.properties ?? {}, js.properties ?? {});
    merged.required?.push(...(js.required ?? []));
  }
  return merged;
}

/** A value the JSON schema accepts, as simple as possible; `ids` fills id-like string fields. */
export function seedValue(schema: JsonSchema, key: string, ids: Record<string, string>): unknown {
  if (ids[key] !== undefined) return ids[key];
  if (schema.default !== undefined) return schema.default;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf?.[0]) return seedValue(schema.anyOf[0], key, ids);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string":
      if (schema.format === "email") return "fuzz@example.com";
      if (schema.pattern === "^\\d+$") return "1";
      if (schema.pattern?.includes("\\d{4}-\\d{2}-\\d{2}")) return "2026-01-01";
      return "x".repeat(Math.max(1, schema.minLength ?? 1));
    case "integer":
    case "number":
      return schema.minimum ?? 1;
    case "boolean":
      return false;
    case "null":
      return null;
    case "array":
      return Array.from({ length: schema.minItems ?? 0 }, () => seedValue(schema.items ?? {}, "", ids));
    case "object": {
      const out: Record<string, unknown> = {};
      for (const k of schema.required ?? []) out[k] = seedValue(schema.properties?.[k] ?? {}, k, ids);
      return out;
    }
    default:
      return "x";
  }
}

/** Values of the wrong kind for a field described by `schema`. */
function wrongValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  const breakers: fc.Arbitrary<unknown>[] = [
    fc.constant(null),
    fc.constantFrom(true, -1, 1.5, 1e308, "", [], {}),
    fc.anything({ maxDepth: 2 }),
  ];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === "string" || schema.enum) {
    breakers.push(fc.integer());
    if (schema.maxLength !== undefined) breakers.push(fc.constant("y".repeat(schema.maxLength + 1)));
    if (schema.enum) breakers.push(fc.constant("not-one-of-them"));
    if (schema.pattern) breakers.push(fc.constantFrom("../x", "a b", "\u0000", "🙂".repeat(3)));
  }
  if (type === "integer" || type === "number") {
    breakers.push(fc.string({ maxLength: 5 }));
    if (schema.maximum !== undefined) breakers.push(fc.constant(schema.maximum + 1));
    if (schema.minimum !== undefined) breakers.push(fc.constant(schema.minimum - 1));
    if (type === "integer") breakers.push(fc.constant(0.5));
  }
  if (type === "array") breakers.push(fc.constant("not-an-array"), fc.array(fc.integer(), { maxLength: 3 }));
  return fc.oneof(...breakers);
}

/** An arbitrary of possibly-malformed inputs for `info`, around a valid seed. */
export function malformedInputs(info: ProcedureInfo, ids: Record<string, string>): fc.Arbitrary<unknown> {
  const schema = mergedSchema(info);
  const seed = seedValue(schema, "", ids) as Record<string, unknown>;
  const keys = Object.keys(schema.properties ?? {});
  const whole = fc.oneof(fc.anything({ maxDepth: 2 }), fc.constantFrom(null, 42, "text", [], [seed], true));
  if (keys.length === 0) return whole;
  const key = fc.constantFrom(...keys);
  const replaceField = key.chain((k) =>
    wrongValue(schema.properties?.[k] ?? {}).map((v) => ({ ...seed, [k]: v })),
  );
  const required = schema.required ?? [];
  const dropRequired =
    required.length > 0
      ? fc.constantFrom(...required).map((k) => {
          const { [k]: _dropped, ...rest } = seed;
          return rest;
        })
      : replaceField;
  return fc.oneof({ arbitrary: replaceField, weight: 5 }, { arbitrary: dropRequired, weight: 2 }, whole);
}
