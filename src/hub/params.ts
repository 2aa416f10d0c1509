// Validates a method's params against schemas/protocol.schema.json and words the first problem for humans.
import { type ErrorObject, type ValidateFunction, readSchema, subschemaValidator } from "../util/ajv.ts";
import "../util/precompiled/protocol.ts";
import { ProtocolError } from "./errors.ts";
import { METHODS, type Method, type MethodParams } from "./protocol-types.ts";

const validators = new Map<Method, ValidateFunction | null>();

/** The validator of `method`'s params (null if the schema had none: then the method is refused as unknown). */
function paramsValidator(method: Method): ValidateFunction | null {
  let fn = validators.get(method);
  if (fn === undefined) {
    fn = subschemaValidator("protocol.schema.json", `/$defs/params/properties/${method}`) ?? null;
    validators.set(method, fn);
  }
  return fn;
}

export function isKnownMethod(method: string): method is Method {
  return Object.hasOwn(METHODS, method);
}

/** A request whose method is known and whose params passed the schema: method and params typed together. */
export type MethodCall = { [M in Method]: { method: M; params: MethodParams[M] } }[Method];

/** The call, typed, once the params pass the schema; throws ProtocolError("invalid") with e.g. "lease: max_tasks must be an integer >= 1". */
export function checkParams(method: string, params: Record<string, unknown>): MethodCall {
  const validate = isKnownMethod(method) ? paramsValidator(method) : null;
  if (!validate) throw new ProtocolError("invalid", `unknown method "${method}"; methods are: ${Object.keys(METHODS).join(", ")}`);
  // The one narrowing of the protocol: the schema the params just passed is the one MethodParams is generated from.
  if (validate(params)) return { method, params } as MethodCall;
  throw new ProtocolError("invalid", `${method}: ${describe(method, validate.errors ?? [])}`);
}

function describe(method: string, errors: ErrorObject[]): string {
  const error = errors.find((e) => e.keyword === "required") ?? errors[0];
  if (!error) return "invalid params";
  if (error.keyword === "required") return `missing required param "${(error.params as { missingProperty: string }).missingProperty}"`;
  // The rule of the top-level param (errors inside arrays such as backends/0 belong to the array's rule).
  const top = error.instancePath.split("/")[1];
  if (top === undefined) return error.message ?? "invalid params";
  return `${top} ${xMessage(method, top) ?? error.message ?? "is invalid"}`;
}

type SchemaNode = { $ref?: string; "x-message"?: string; properties?: Record<string, SchemaNode> };

/** The `x-message` of a param in the schema, following one local $ref. */
function xMessage(method: string, param: string): string | undefined {
  const defs = readSchema("protocol.schema.json").$defs as Record<string, SchemaNode>;
  let node = defs.params?.properties?.[method]?.properties?.[param];
  if (node?.$ref) node = defs[node.$ref.split("/").at(-1) ?? ""];
  return node?.["x-message"];
}
