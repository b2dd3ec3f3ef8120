/** An error a route throws on purpose: its status, code and message reach the client as-is. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(statusCode: number, code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.details = details;
  }
}

export function httpError(
  statusCode: number,
  code: string,
  message: string,
  details?: Record<string, unknown>,
): HttpError {
  return new HttpError(statusCode, code, message, details);
}

export function isHttpError(err: unknown): err is HttpError {
  return err instanceof HttpError;
}
