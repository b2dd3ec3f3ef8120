import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

export class OtlpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * The request body after Content-Encoding. Decompression runs on the libuv pool and stops at
 * `maxBytes` of output, so a gzip bomb costs at most one limit's worth of memory.
 */
export async function decodeContent(
  body: Buffer,
  encoding: string | undefined,
  maxBytes: number,
): Promise<Buffer> {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc === 'identity' || enc === '') return body;
  if (enc !== 'gzip')
    throw new OtlpError(
      415,
      'UNSUPPORTED_CONTENT_ENCODING',
      `content-encoding ${enc.slice(0, 40)} is not supported (use gzip or none)`,
    );
  try {
    return await gunzipAsync(body, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new OtlpError(413, 'PAYLOAD_TOO_LARGE', `decompressed body exceeds ${maxBytes} bytes`);
    }
    throw new OtlpError(400, 'INVALID_GZIP', 'body is not valid gzip');
  }
}
