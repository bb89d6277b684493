// graphql-js's validation and coercion messages rewritten into graphql-ruby's
// wording, which GitLab answers and clients match on (an older GitLab that
// lacks a field answers "Field 'x' doesn't exist on type 'CiRunner'").
import type { OperationDefinitionNode } from 'graphql';
import { print } from 'graphql';

type Rewrite = (m: RegExpExecArray, op: OperationDefinitionNode | undefined) => string;

function variableType(op: OperationDefinitionNode | undefined, name: string): string {
  const def = op?.variableDefinitions?.find((v) => v.variable.name.value === name);
  return def ? print(def.type) : 'unknown';
}

const REWRITES: [RegExp, Rewrite][] = [
  [/^Cannot query field "(\w+)" on type "(\w+)"\./, (m) => `Field '${m[1]}' doesn't exist on type '${m[2]}'`],
  [/^Unknown argument "(\w+)" on field "\w+\.(\w+)"\./, (m) => `Field '${m[2]}' doesn't accept argument '${m[1]}'`],
  [
    /^Field "(\w+)" argument "(\w+)" of type "[^"]+" is required, but it was not provided\./,
    (m) => `Field '${m[1]}' is missing required arguments: ${m[2]}`,
  ],
  [
    /^Field "(\w+)" of type "([^"]+)" must have a selection of subfields\./,
    (m) => `Field must have selections (field '${m[1]}' returns ${m[2]} but has no selections. Did you mean '${m[1]} { ... }'?)`,
  ],
  [/^Variable "\$(\w+)" got invalid value/, (m, op) => `Variable $${m[1]} of type ${variableType(op, m[1]!)} was provided invalid value`],
  [/^Variable "\$(\w+)" of required type "([^"]+)" was not provided\./, (m) => `Variable $${m[1]} of type ${m[2]} was provided invalid value`],
  [/^Variable "\$(\w+)" of non-null type "([^"]+)" must not be null\./, (m) => `Variable $${m[1]} of type ${m[2]} was provided invalid value`],
];

export function rubyMessage(message: string, op?: OperationDefinitionNode): string {
  for (const [re, rewrite] of REWRITES) {
    const m = re.exec(message);
    if (m) return rewrite(m, op);
  }
  return message;
}
