import type { UploadPlan, UploadStart } from '@shared/jobs/schemas';

/** For each file whose name already exists in the storage: replace it, or keep the existing one. */
export type CollisionChoice = 'replace' | 'keep';
export type CollisionChoices = Readonly<Record<string, CollisionChoice>>;

/** The existing names the owner has not decided about yet: the upload waits until there are none. */
export const undecided = (plan: UploadPlan, choices: CollisionChoices) =>
  plan.collisions.filter((key) => choices[key] === undefined);

export const chooseAll = (plan: UploadPlan, choice: CollisionChoice): CollisionChoices =>
  Object.fromEntries(plan.collisions.map((key) => [key, choice]));

/**
 * The `jobs:upload` input for a plan and the owner's choices: files whose existing copy is kept are left out
 * (rather than sent and failed), replaced ones are named one by one, never "overwrite all", so a file that
 * appeared in the storage after the plan is not replaced without asking.
 */
export function uploadInput(
  plan: UploadPlan,
  choices: CollisionChoices,
  base: { bucketId: number; folder: string; public: boolean },
): UploadStart {
  const kept = new Set(plan.collisions.filter((key) => choices[key] === 'keep'));
  return {
    ...base,
    paths: plan.files.filter((f) => !kept.has(f.key)).map((f) => f.path),
    overwrite: plan.collisions.filter((key) => choices[key] === 'replace'),
  };
}
