/**
 * The stack-output contract (names and shapes of every output), owned by the credentials package,
 * which reads the outputs and must install from its packed tarball alone.
 */
export type {
  CallerAppOutput,
  FederationOutputs,
  IdentityOutput,
  OidcProviderOutput,
  RoleOutput,
} from "../credentials/src/stackOutputContract";
