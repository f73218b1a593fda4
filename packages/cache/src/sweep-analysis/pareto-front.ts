/**
 * Which points are on the Pareto front when both coordinates are better larger: a point is on it when
 * no other point is at least as good in both and strictly better in one. Returns one flag per point.
 */
export function paretoFront(points: readonly { x: number; y: number }[]): boolean[] {
  return points.map((p, i) => !points.some((q, j) => j !== i && q.x >= p.x && q.y >= p.y && (q.x > p.x || q.y > p.y)));
}
