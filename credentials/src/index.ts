export {
  fromEntraIdentity,
  defaultTokenCredential,
  getEntraToken,
  type AwsCredentials,
  type EntraCredentialProvider,
  type FromEntraIdentityOptions,
} from "./provider";
export {
  EntraAwsCredentialsError,
  classifyStsError,
  explainStsError,
  stsErrorCode,
} from "./errors";
export { sanitizeSessionName, defaultSessionName } from "./sessionName";
export { decodeJwtUnverified } from "./jwt";
export { runTokenFile, writeTokenFile } from "./tokenFile";
export {
  checkClaims,
  runDoctor,
  formatReport,
  type CheckResult,
  type DoctorReport,
} from "./doctor";
export { envForIdentity, parseStackOutputs, formatEnv } from "./stackOutputs";
export { ENV } from "./config";
