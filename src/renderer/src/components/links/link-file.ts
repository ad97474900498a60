import type { AccessType } from '@shared/library/schemas';

/** The file a link is for: a library row or its details. */
export interface LinkFile {
  id: number;
  /** The catalog bucket it is in: "Make it private first" asks for the change by bucket and id. */
  bucketId: number;
  key: string;
  name: string;
  access: AccessType;
  bucket?: string;
}
