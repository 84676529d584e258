/**
 * The engine's error kinds. The core throws these; the daemon maps each kind to one HTTP
 * status in a single place (`daemon/app.ts`), never by matching message text.
 */
export class EngineError extends Error {
  override name = "EngineError";
}

/** The named object (container, image, file) does not exist. HTTP 404. */
export class NotFoundError extends EngineError {
  override name = "NotFoundError";
}

/** The request conflicts with the current state (name in use, container running). HTTP 409. */
export class ConflictError extends EngineError {
  override name = "ConflictError";
}

/** The request itself is malformed or names something impossible. HTTP 400. */
export class InvalidArgumentError extends EngineError {
  override name = "InvalidArgumentError";
}

/** Allowed in general, refused for this object: removing a pre-defined network, or one in use. HTTP 403, as Docker answers. */
export class ForbiddenError extends EngineError {
  override name = "ForbiddenError";
}

/** The object is already in the requested state (start a running container). HTTP 304. */
export class NotModifiedError extends EngineError {
  override name = "NotModifiedError";
}

/** The registry refused the credentials, or wants some. HTTP 401. */
export class UnauthorizedError extends EngineError {
  override name = "UnauthorizedError";
}

/**
 * Something outside bunker failed: a registry that cannot be reached, answers nonsense, or
 * serves bytes whose digest is wrong. HTTP 500, as Docker answers, but not a bug of ours.
 */
export class UpstreamError extends EngineError {
  override name = "UpstreamError";
}

/** Bytes whose digest is not the one they were promised under (a corrupt or hostile registry). HTTP 500. */
export class DigestMismatchError extends UpstreamError {
  override name = "DigestMismatchError";
}
