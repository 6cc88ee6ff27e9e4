// Model globs: `*` matches any run of characters (including none); every other character is literal.

/**
 * Whether `glob` matches `value`. A two-pointer matcher rather than a regex: it compiles nothing,
 * allocates nothing, and is O(|glob| × |value|) in the worst case, where a backtracking regex for
 * `*a*a*a*b` is polynomial in the length of a hostile model name.
 */
export function globMatch(glob: string, value: string): boolean {
  let g = 0;
  let v = 0;
  // The last `*` seen in the glob, and how far into the value it currently reaches.
  let star = -1;
  let reach = 0;
  while (v < value.length) {
    const gc = glob[g];
    if (gc === "*") {
      star = g++;
      reach = v;
    } else if (gc !== undefined && gc === value[v]) {
      g++;
      v++;
    } else if (star >= 0) {
      // Let the last `*` absorb one more character and retry from just after it.
      g = star + 1;
      v = ++reach;
    } else {
      return false;
    }
  }
  while (glob[g] === "*") g++;
  return g === glob.length;
}

export function anyGlobMatches(globs: readonly string[], value: string): boolean {
  return globs.some((g) => globMatch(g, value));
}

/**
 * True when every string `childGlob` matches is matched by some glob in `parentGlobs`.
 *
 * Sound, not complete: the child is read as a literal string, so its `*` is one opaque character
 * that no parent literal equals and only a parent `*` can absorb. If a parent matches that string,
 * whatever the child's `*` later stands for is still inside the same parent `*`. A child is thus
 * covered only when one parent covers it alone; unions of parents are refused, the safe side.
 */
export function globCovers(parentGlobs: readonly string[], childGlob: string): boolean {
  return parentGlobs.some((p) => globMatch(p, childGlob));
}
