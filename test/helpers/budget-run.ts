/**
 * One emulated run held to its device manifest's budgets, for a test file: the run happens in a `beforeAll` the helper
 * registers, and its checks are read by name afterwards.
 */
import { beforeAll } from "vitest";
import { checkBudgets, type BudgetCheck } from "../../emulator/host/budgets.js";
import { emulate, type EmulateOptions, type EmulateResult } from "../../emulator/host/emulate.js";
import { loadDevice } from "../../manifests/load.js";
import type { Device } from "../../manifests/schema/device.js";

export interface BudgetRun {
  readonly budgets: NonNullable<Device["budgets"]>;
  readonly run: EmulateResult;
  readonly checks: readonly BudgetCheck[];
  /** The check of this name; an error naming it when the run made none. */
  check(name: string): BudgetCheck;
}

export function budgetRun(options: EmulateOptions, hookTimeoutMs = 600_000): BudgetRun {
  const budgets = loadDevice(options.device).manifest.budgets!;
  let run: EmulateResult | undefined;
  let checks: BudgetCheck[] = [];
  beforeAll(async () => {
    run = await emulate(options);
    checks = checkBudgets(budgets, run.figures);
  }, hookTimeoutMs);
  return {
    budgets,
    get run(): EmulateResult {
      if (!run) throw new Error(`${options.device} on ${options.board ?? "its board"}: the run has not happened (budgetRun's beforeAll)`);
      return run;
    },
    get checks(): readonly BudgetCheck[] {
      return checks;
    },
    check(name: string): BudgetCheck {
      const c = checks.find((x) => x.name === name);
      if (!c) throw new Error(`no check named ${name}`);
      return c;
    },
  };
}
