/** Types of path-aliases.mjs (see there). */
export declare const pathAliases: Record<'@shared' | '@shared-node', string>;
