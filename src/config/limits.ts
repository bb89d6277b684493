// Bounds that keep hostile input (huge files, alias bombs, deep nesting) from
// hanging or crashing the loader. A real runners.yaml is a few kilobytes; one
// file of 10,000 runners is about 2 MB and 150,000 nodes, validated in < 1 s.

/** Largest desired-state file accepted, in bytes. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Most YAML nodes a document may have once aliases are expanded (~1 s of validation at most). */
export const MAX_EXPANDED_NODES = 1_000_000;

/** Deepest collection nesting accepted (the format itself needs 5). */
export const MAX_DEPTH = 32;

/** Most files a directory input may contribute. */
export const MAX_FILES = 1000;
