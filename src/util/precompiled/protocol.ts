// Replaced, in the build, by the validators of schemas/protocol.schema.json compiled ahead of time and registered with
// util/ajv.ts (scripts/build.mjs). Imported by the module that validates against that schema, so a process loads
// only the validators it uses. Empty in the sources: there util/ajv.ts compiles the schema at run time.
export {};
