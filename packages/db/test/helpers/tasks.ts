// The task builder the Store conformance suite uses, so db's own tests build tasks the same way.
export { NO_TOKENS, newTestTask as newTask } from "@claude-pool/core/testing";
