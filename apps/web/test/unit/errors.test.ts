import { describe, expect, it } from "vitest";
import { errorFor, fieldErrors } from "../../src/lib/errors";

/** How forms put the API's validation at the field the user has to fix. */
describe("fieldErrors", () => {
  it("uses the API's zod issues, one message per field, the whole input's under the form", () => {
    const err = {
      message: "steps.0.name: letters only\ninput: bad",
      data: {
        code: "BAD_REQUEST",
        issues: [
          { field: "steps.0.name", message: "letters only" },
          { field: "input", message: "bad" },
        ],
      },
    };
    const errors = fieldErrors(err);
    expect(errorFor(errors, "steps.0.name")).toBe("letters only");
    expect(errors[""]).toBe("bad");
  });

  it("reads `field: message` lines and pool-core's `invalid option <field>:` when there are no issues", () => {
    const errors = fieldErrors({
      message:
        'prompt: prompt must not be empty\ninvalid option steps.1.action.skill: expected a known skill, got "nope"',
    });
    expect(errors.prompt).toBe("prompt must not be empty");
    expect(errorFor(errors, "steps.1")).toBe('expected a known skill, got "nope"');
  });

  it("reads pool-core's `<field> must be …` and unknown-option refusals at their field", () => {
    const errors = fieldErrors({
      message:
        'task.role must be a role of one of the slots (none set) (got "x")\nunknown option task.slot (did you mean task.slots?)',
    });
    expect(errors["task.role"]).toBe('must be a role of one of the slots (none set) (got "x")');
    expect(errors["task.slot"]).toBe("(did you mean task.slots?)");
  });

  it("puts a message that names no field under the form, and finds nested fields by their parent", () => {
    const errors = fieldErrors({ message: "The pool is draining.\nconfig.budgetUsd: must be more than 0" });
    expect(errors[""]).toBe("The pool is draining.");
    expect(errorFor(errors, "config")).toBe("must be more than 0");
    expect(errorFor(errors, "slots")).toBeUndefined();
  });
});
