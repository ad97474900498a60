/** React Query keys of the jobs: apart, so the event bridge and the queries can both use them. */
export const jobKeys = {
  all: ['jobs'] as const,
  list: ['jobs', 'list'] as const,
  details: (id: number) => ['jobs', 'details', id] as const,
};

/**
 * Upload plans are not under `jobKeys.all`: a job changing state must not re-plan an open upload dialog (its
 * own files would then show up as already existing).
 */
export const uploadPlanKey = (input: object) => ['upload-plan', input] as const;
