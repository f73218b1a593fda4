/**
 * Count the data marks in an SVG rendered by vega: the shapes inside `role-mark` containers
 * (axes, legends and titles use other roles, so they are not counted).
 */
export function countDataMarks(svg: string): number {
  const container = /<g class="mark-[a-z]+ role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/g;
  let count = 0;
  for (const match of svg.matchAll(container)) {
    count += (match[1].match(/<(path|line|rect|text|circle|image)\b/g) ?? []).length;
  }
  return count;
}
