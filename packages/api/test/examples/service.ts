import { createPoolClient } from "../../src/index.js"; // in a service: from "@claude-pool/api"

/**
 * The README's example service: submit a prompt, follow the task's live output until it ends,
 * then print the result and what it cost. test/examples/service.test.ts runs it against an engine.
 */
export async function runExampleService(options: {
  url: string;
  token: string;
  poolId: string;
  prompt: string;
  log?: (line: string) => void;
}) {
  const log = options.log ?? console.log;
  const client = createPoolClient({ url: options.url, token: options.token });

  const { taskId } = await client.tasks.submit.mutate({ poolId: options.poolId, prompt: options.prompt });
  log(`submitted ${taskId}`);

  // The stream replays from the start and completes once the task has ended.
  await new Promise<void>((resolve, reject) => {
    const subscription = client.tasks.onEvents.subscribe(
      { taskId },
      {
        onData: ({ data }) => log(`[${data.seq}] ${data.kind}`),
        onError: (error) => {
          subscription.unsubscribe();
          reject(error);
        },
        onComplete: resolve,
      },
    );
  });

  const result = await client.tasks.result.query({ taskId, wait: true });
  if (result === null) throw new Error(`task ${taskId} has no result`);
  log(result.output);
  log(`spend: $${result.spendUsd.toFixed(6)} (${result.tokens.input} in, ${result.tokens.output} out)`);
  return result;
}
