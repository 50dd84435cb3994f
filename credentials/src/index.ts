export {
  fromEntraIdentity,
  defaultTokenCredential,
  getEntraToken,
  type AwsCredentials,
  type EntraCredentialProvider,
  type FromEntraIdentityOptions,
} from "./provider";
export { EntraAwsCredentialsError } from "./errors";
export { classifyStsError, stsErrorCode } from "./sts/classify";
export { explainStsError } from "./sts/explanations";
export { sanitizeSessionName, defaultSessionName } from "./sessionName";
export { decodeJwtUnverified } from "./jwt";
export { runTokenFile, writeTokenFile } from "./tokenFile";
export { checkClaims, type CheckResult } from "./doctor/claims";
export { runDoctor, formatReport, type DoctorReport } from "./doctor";
export { envForIdentity, parseStackOutputs, formatEnv } from "./stackOutputs";
export { ENV } from "./config";
export { ENTRA_CLOUD_NAMES, type EntraCloudName } from "./entraCloud";
