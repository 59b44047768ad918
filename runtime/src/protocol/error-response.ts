/** Serializes an ErrorResponse ('E') with severity, SQLSTATE and message fields. */
export function serializeErrorResponse(fields: { severity?: string; code: string; message: string; detail?: string; hint?: string }): Buffer {
  const parts: [string, string][] = [
    ['S', fields.severity ?? 'FATAL'],
    ['V', fields.severity ?? 'FATAL'],
    ['C', fields.code],
    ['M', fields.message],
  ];
  if (fields.detail) parts.push(['D', fields.detail]);
  if (fields.hint) parts.push(['H', fields.hint]);
  let length = 4 + 1;
  for (const [, value] of parts) length += 1 + Buffer.byteLength(value) + 1;
  const buffer = Buffer.alloc(1 + length);
  buffer.write('E', 0, 'latin1');
  buffer.writeInt32BE(length, 1);
  let offset = 5;
  for (const [code, value] of parts) {
    buffer.write(code, offset, 'latin1');
    offset += 1;
    offset += buffer.write(value, offset, 'utf8');
    buffer.writeUInt8(0, offset++);
  }
  buffer.writeUInt8(0, offset);
  return buffer;
}
