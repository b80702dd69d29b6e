/** Webmail origins baked in at build time (scripts/build.mjs --origin). */
declare const __MMHS_ORIGINS__: readonly string[];
