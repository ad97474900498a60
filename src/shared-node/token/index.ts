/**
 * Signet download token v1: issue (desktop app, main process) and verify (companion verifier).
 * Node-only (node:crypto); never import it from the renderer.
 */
export {
  isValidKid,
  KID_PATTERN,
  MAC_B64U_LENGTH,
  SECRET_BYTES,
  TOKEN_ERROR_STATUS,
  TOKEN_MAX_LENGTH,
  type TokenErrorCode,
  type TokenErrorStatus,
  type TokenKeys,
  type TokenPayload,
  type TokenSource,
  type VerifyFailure,
  type VerifyOptions,
  type VerifyResult,
} from './types';
export { b64uDecode, b64uEncode, isCanonicalB64u } from './b64u';
export {
  checkPayload,
  codePointLength,
  isHttpsUrl,
  isSafeRelativePath,
  jtiSchema,
  licenseIdSchema,
  tokenPayloadSchema,
  TokenPayloadError,
  type PayloadCheck,
} from './payload';
export { issueToken, MAX_PLAUSIBLE_UNIX_SECONDS, TokenTooLongError } from './sign';
export { verifyToken } from './verify';
export { generateJti, generateSecret, parseKeys, parseSecret } from './secrets';
