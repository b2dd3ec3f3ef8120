/** Cross-service parent → child edges among spans starting in [?, ?], with call and error counts. */
export const DEPENDENCIES_SQL = `SELECT p.service AS parent, c.service AS child, count(*) AS callCount, sum(c.status_code = 2) AS errorCount
  FROM spans c JOIN spans p ON p.trace_id = c.trace_id AND p.span_id = c.parent_span_id
  WHERE c.start_ns >= ? AND c.start_ns <= ? AND c.parent_span_id IS NOT NULL AND p.service <> c.service
  GROUP BY p.service, c.service ORDER BY p.service, c.service`;
