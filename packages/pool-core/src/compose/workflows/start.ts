import type { ChainRunner } from "../chains/runner.js";
import type { ChainOptionsInput } from "../chains/schema.js";
import type { SkillArgs } from "../skills/schema.js";
import type { WorkflowRegistry } from "./registry.js";

/**
 * Starts a workflow by name; returns the chain id. The workflow's own options apply first, the
 * caller's win; configs merge key by key and the chain is tagged `workflow:<name>`.
 */
export function startWorkflow(
  chains: Pick<ChainRunner, "submit">,
  workflows: Pick<WorkflowRegistry, "instantiate">,
  name: string,
  args: SkillArgs = {},
  options: ChainOptionsInput = {},
): Promise<string> {
  const instance = workflows.instantiate(name, args);
  const config =
    instance.options.config || options.config ? { ...instance.options.config, ...options.config } : undefined;
  return chains.submit(instance.steps, {
    ...(instance.options.isolation === undefined ? {} : { isolation: instance.options.isolation }),
    ...options,
    ...(config ? { config } : {}),
    tags: [...(instance.options.tags ?? []), ...(options.tags ?? []), `workflow:${name}`],
  });
}
