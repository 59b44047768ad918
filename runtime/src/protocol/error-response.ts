import { encodeBackend } from './encode-backend';

/** An ErrorResponse ('E') with severity, SQLSTATE and message fields (and detail/hint when given). */
export function serializeErrorResponse(fields: { severity?: string; code: string; message: string; detail?: string; hint?: string }): Buffer {
  const severity = fields.severity ?? 'FATAL';
  return encodeBackend({
    type: 'errorResponse',
    fields: {
      S: severity,
      V: severity,
      C: fields.code,
      M: fields.message,
      ...(fields.detail ? { D: fields.detail } : {}),
      ...(fields.hint ? { H: fields.hint } : {}),
    },
  });
}
